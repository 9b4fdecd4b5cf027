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
        /// Force-removes every container carrying this run's label, whatever created it (our cmdlets, the CLI, the raw
        /// client) and whatever state it is in. Runs with its own time box, never the (maybe cancelled) run's token.
        /// Safe to call more than once and from a signal handler.
        /// </summary>
        public int CleanUp(bool final)
        {
            if (final && Interlocked.Exchange(ref _cleanedUp, 1) == 1)
            {
                return 0;
            }

            if (Raw.ApiVersion.Length == 0)
            {
                return 0; // never reached the engine, so nothing was created
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var removed = 0;
            // Twice when something was found: a create that was in flight when the run was stopped may land just after the first pass.
            for (var pass = 0; pass < 2; pass++)
            {
                List<string> ids;
                try
                {
                    ids = Raw.ListIdsByLabelAsync(RunLabel + "=" + RunId, limit.Token).GetAwaiter().GetResult();
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
                        Raw.RemoveAsync(id, force: true, limit.Token).GetAwaiter().GetResult();
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
