using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>What every benchmark shares: options, the engine, the three contenders' tools, and the clean-up of what this run created.</summary>
    internal sealed class BenchContext : IDisposable
    {
        /// <summary>Every container this program creates carries this label, valued with the run id; clean-up removes exactly those.</summary>
        public const string RunLabel = "io.containertools.bench.run";

        private int _cleanedUp;

        public BenchContext(BenchOptions options, string engineAddress, string socketPath)
        {
            Options = options;
            EngineAddress = engineAddress;
            RunId = Guid.NewGuid().ToString("N").Substring(0, 8);
            Raw = new RawEngineClient(socketPath);
            Cli = new DockerCli(options.DockerExecutable, engineAddress);
        }

        public BenchOptions Options { get; }

        public string EngineAddress { get; }

        /// <summary>Unique per run: names and labels carry it, so concurrent runs on a shared engine never touch each other's containers.</summary>
        public string RunId { get; }

        public RawEngineClient Raw { get; }

        public DockerCli Cli { get; }

        public PowerShellSession? PowerShell { get; set; }

        /// <summary>One-time costs (first import, first connection, first call), reported apart from the measured loops.</summary>
        public List<(string What, TimeSpan Time)> FirstCosts { get; } = new List<(string, TimeSpan)>();

        /// <summary>
        /// Set while a build runs. A classic build the client walks away from goes on in the engine until its current
        /// step ends (a COPY of hundreds of MB commits its layer seconds later), so clean-up then waits for it.
        /// </summary>
        public volatile bool BuildInFlight;

        /// <summary>Folders this run generated (build contexts); clean-up deletes them.</summary>
        public List<string> TempDirectories { get; } = new List<string>();

        public string Name(string part) => $"ctbench-{RunId}-{part}";

        public Dictionary<string, string> Labels(string benchmark) => new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RunLabel] = RunId,
            ["io.containertools.bench"] = benchmark,
        };

        public static TimeSpan Time(Action action)
        {
            var stopwatch = Stopwatch.StartNew();
            action();
            return stopwatch.Elapsed;
        }

        public static async Task<TimeSpan> TimeAsync(Func<Task> action)
        {
            var stopwatch = Stopwatch.StartNew();
            await action().ConfigureAwait(false);
            return stopwatch.Elapsed;
        }

        /// <summary>
        /// Force-removes every container and image carrying this run's label (and, when final, deletes its generated folders), whatever created it (our cmdlets, the CLI, the raw
        /// client) and whatever state it is in. Runs with its own time box, never the (maybe cancelled) run's token.
        /// Safe to call more than once and from a signal handler.
        /// </summary>
        public int CleanUp(bool final)
        {
            if (final && Interlocked.Exchange(ref _cleanedUp, 1) == 1)
            {
                return 0;
            }

            if (final)
            {
                DeleteTempDirectories();
            }

            if (Raw.ApiVersion.Length == 0)
            {
                return 0; // never reached the engine, so nothing was created
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var removed = RemoveContainers(limit.Token);
            removed += RemoveImages(limit.Token);
            if (BuildInFlight)
            {
                removed += SettleInterruptedBuild(limit.Token);
            }

            return removed;
        }

        // Polls until nothing of this run has shown up for 8 s in a row (at most 90 s), removing what does: the interrupted
        // build's step container, then the image it may still commit.
        private int SettleInterruptedBuild(CancellationToken token)
        {
            Console.Error.WriteLine("clean-up: a build was interrupted; waiting for the engine to end it ...");
            var removed = 0;
            var quiet = 0;
            var until = DateTime.UtcNow.AddSeconds(90);
            while (quiet < 8 && DateTime.UtcNow < until && !token.IsCancellationRequested)
            {
                Thread.Sleep(1000);
                var found = RemoveContainers(token) + RemoveImages(token);
                removed += found;
                quiet = found == 0 ? quiet + 1 : 0;
            }

            BuildInFlight = false;
            return removed;
        }

        /// <summary>Deletes the folders this run generated; safe to call more than once.</summary>
        public void DeleteTempDirectories()
        {
            lock (TempDirectories)
            {
                foreach (var dir in TempDirectories.ToArray())
                {
                    try
                    {
                        if (System.IO.Directory.Exists(dir))
                        {
                            System.IO.Directory.Delete(dir, recursive: true);
                        }

                        TempDirectories.Remove(dir);
                    }
                    catch (Exception e)
                    {
                        Console.Error.WriteLine($"clean-up: could not delete {dir} ({e.Message}); remove it with: rm -rf {dir}");
                    }
                }
            }
        }

        /// <summary>
        /// Force-removes every image (intermediate ones too) carrying this run's label: the build benchmark's Dockerfile
        /// labels its first step, so every image it made, tagged or not, carries it. Leaf images first: a pass that
        /// meets a parent still needed is followed by another.
        /// </summary>
        private int RemoveImages(CancellationToken token)
        {
            var removed = 0;
            for (var pass = 0; pass < 4; pass++)
            {
                List<string> ids;
                try
                {
                    ids = Raw.ListImageIdsByLabelAsync(RunLabel + "=" + RunId, token).GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"clean-up: could not list this run's images ({e.Message}); remove them with: docker rmi -f $(docker images -aq --filter label={RunLabel}={RunId})");
                    return removed;
                }

                if (ids.Count == 0)
                {
                    break;
                }

                foreach (var id in ids)
                {
                    try
                    {
                        Raw.RemoveImageAsync(id, token).GetAwaiter().GetResult();
                        removed++;
                    }
                    catch (Exception e) when (e.Message.Contains(" 404 ", StringComparison.Ordinal) || e.Message.Contains(" 409 ", StringComparison.Ordinal))
                    {
                        // gone with a child already removed, or a parent whose child goes first: the next pass sees
                    }
                    catch (Exception e)
                    {
                        Console.Error.WriteLine($"clean-up: could not remove image {id}: {e.Message}");
                    }
                }
            }

            return removed;
        }

        private int RemoveContainers(CancellationToken token)
        {
            var removed = 0;
            // Twice when something was found: a create that was in flight when the run was stopped may land just after the first pass.
            for (var pass = 0; pass < 2; pass++)
            {
                List<string> ids;
                try
                {
                    ids = Raw.ListIdsByLabelAsync(RunLabel + "=" + RunId, token).GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"clean-up: could not list this run's containers ({e.Message}); remove them with: docker rm -f $(docker ps -aq --filter label={RunLabel}={RunId})");
                    return removed;
                }

                if (ids.Count == 0)
                {
                    break;
                }

                Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, id =>
                {
                    try
                    {
                        Raw.RemoveAsync(id, force: true, token).GetAwaiter().GetResult();
                        Interlocked.Increment(ref removed);
                    }
                    catch (Exception e) when (e.Message.Contains(" 404 ", StringComparison.Ordinal) || e.Message.Contains("already in progress", StringComparison.Ordinal))
                    {
                    }
                    catch (Exception e)
                    {
                        Console.Error.WriteLine($"clean-up: could not remove {id.Substring(0, 12)}: {e.Message}");
                    }
                });
                Thread.Sleep(500);
            }

            return removed;
        }

        public void Dispose()
        {
            PowerShell?.Dispose();
            Raw.Dispose();
        }

        public static double Median(IReadOnlyList<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}
