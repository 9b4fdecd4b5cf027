using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>
    /// ContainerTools next to the docker CLI and the raw Engine API, on a real engine. Not a test: it prints the
    /// measured times and ratios of one run side by side, and whether ours meets its targets.
    /// Exit code: 0 when it ran (targets met or not), 1 when a benchmark failed, 2 on bad options, 130 when stopped.
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            BenchOptions options;
            try
            {
                options = BenchOptions.Parse(args);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(BenchOptions.Usage);
                return 2;
            }

            if (options.Help)
            {
                Console.WriteLine(BenchOptions.Usage);
                return 0;
            }

            var address = options.Engine
                ?? NonEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"))
                ?? NonEmpty(Environment.GetEnvironmentVariable("CONTAINERTOOLS_TEST_HOST"))
                ?? "unix:///var/run/docker.sock";
            if (!address.StartsWith("unix://", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"The benchmark's raw floor speaks to a unix socket only; '{address}' is not one. Give --engine unix:///path/docker.sock.");
                return 2;
            }

            var modulePath = options.ModulePath ?? DefaultModulePath();
            if (!File.Exists(modulePath))
            {
                Console.Error.WriteLine($"The module manifest '{modulePath}' does not exist. Build first: ./build.sh build");
                return 2;
            }

            // All three contenders reach the same engine the way a script would: through DOCKER_HOST.
            Environment.SetEnvironmentVariable("DOCKER_HOST", address);
            Environment.SetEnvironmentVariable("DOCKER_CONTEXT", null);

            using var stop = new CancellationTokenSource();
            using var ctx = new BenchContext(options, address, address.Substring("unix://".Length));
            var interrupted = 0;
            void Interrupt(string why)
            {
                if (Interlocked.Increment(ref interrupted) == 1)
                {
                    Console.Error.WriteLine($"{why}: stopping; removing this run's containers, images and generated folders ...");
                    stop.Cancel();
                    ctx.Cli.KillCurrent();
                }
                else
                {
                    // A second signal: clean up right here, then let it end.
                    Console.Error.WriteLine($"{why} again: removed {ctx.CleanUp(final: true)} container(s)/image(s); exiting.");
                    Environment.Exit(130);
                }
            }

            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                Interrupt("Ctrl+C");
            };
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                Interrupt("SIGTERM");
            });
            using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
            {
                c.Cancel = true;
                Interrupt("SIGHUP");
            });
            AppDomain.CurrentDomain.ProcessExit += (_, _) => ctx.CleanUp(final: true);

            var results = new List<BenchResult>();
            var exitCode = 0;
            try
            {
                var ct = stop.Token;
                var serverVersion = "?";
                try
                {
                    ctx.FirstCosts.Add(("raw client: first request (connect, GET /version)",
                        await BenchContext.TimeAsync(async () => serverVersion = await ctx.Raw.ConnectAsync(ct).ConfigureAwait(false)).ConfigureAwait(false)));
                }
                catch (System.Net.Http.HttpRequestException e)
                {
                    throw new InvalidOperationException(
                        $"No engine answers at {address} ({e.Message}). Run it through ./build.sh bench (it starts the test engine), or give --engine unix:///path/docker.sock.", e);
                }

                Console.WriteLine($"ContainerTools benchmark, run {ctx.RunId}: engine {address} (Docker {serverVersion}, API {ctx.Raw.ApiVersion}), " +
                                  $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {RuntimeInformation.OSDescription}");
                ctx.FirstCosts.Add(("ContainerTools: open a runspace and Import-Module (.psd1)",
                    BenchContext.Time(() => ctx.PowerShell = new PowerShellSession(modulePath))));

                if (options.RunQueries)
                {
                    results.Add(await QueriesBenchmark.RunAsync(ctx, ct).ConfigureAwait(false));
                    Console.Error.WriteLine($"queries: removed {ctx.CleanUp(final: false)} container(s)");
                }

                if (options.RunLifecycle)
                {
                    results.Add(await LifecycleBenchmark.RunAsync(ctx, ct).ConfigureAwait(false));
                }

                if (options.RunLogs)
                {
                    results.Add(await LogsBenchmark.RunAsync(ctx, ct).ConfigureAwait(false));
                }

                if (options.RunBuild)
                {
                    try
                    {
                        results.Add(await BuildBenchmark.RunAsync(ctx, ct).ConfigureAwait(false));
                    }
                    finally
                    {
                        ctx.DeleteTempDirectories();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                exitCode = 130;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("The benchmark failed: " + e.Message);
                exitCode = 1;
            }
            finally
            {
                var removed = ctx.CleanUp(final: true);
                if (removed > 0)
                {
                    Console.Error.WriteLine($"Removed {removed} container(s)/image(s) this run created.");
                }
            }

            if (ctx.FirstCosts.Count > 0)
            {
                Console.WriteLine();
                Console.WriteLine("one-time costs (not in the measured loops; each contender was warmed up first):");
                foreach (var (what, time) in ctx.FirstCosts)
                {
                    Console.WriteLine($"  {what,-66} {BenchResult.Duration(time.TotalSeconds),10}");
                }
            }

            foreach (var result in results.Where(r => r.Complete))
            {
                Console.Write(result.Render());
            }

            if (results.Count > 0 && results.All(r => r.Complete))
            {
                Console.WriteLine();
                foreach (var r in results)
                {
                    Console.WriteLine(r.Summary());
                }
            }

            return exitCode;
        }

        private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

        private static string DefaultModulePath()
        {
            // out/ContainerTools next to the repository this program was built from (the folder holding ContainerTools.psd1).
            foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "ContainerTools.psd1")) && File.Exists(Path.Combine(dir.FullName, "ContainerTools.slnx")))
                    {
                        return Path.Combine(dir.FullName, "out", "ContainerTools", "ContainerTools.psd1");
                    }
                }
            }

            return Path.GetFullPath(Path.Combine("out", "ContainerTools", "ContainerTools.psd1"));
        }
    }
}
