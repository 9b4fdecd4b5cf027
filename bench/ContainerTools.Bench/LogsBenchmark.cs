using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>
    /// Reading a large log: Get-ContainerLog | Out-Null in the hosted runspace vs docker logs &gt;/dev/null 2&gt;&amp;1, on the
    /// log of one exited busybox container that wrote 1 KiB lines to stdout and stderr at the same time (so the two
    /// streams are mixed in the log). The raw floor is the same log's multiplexed body read into nothing. Also samples
    /// this process's resident memory while ours reads: the records must stream through, never be held.
    /// </summary>
    internal static class LogsBenchmark
    {
        private const string OurScript = "Get-ContainerLog -Id $id | Out-Null";

        /// <summary>Ours may take at most this many times the CLI's time.</summary>
        private const double MaximumRatioVsCli = 1.2;

        /// <summary>Peak resident memory growth allowed while ours reads (the log is hundreds of MB; holding it would show).</summary>
        private const double MemoryTargetMb = 100;

        private const int LineBytes = 1024;

        public static async Task<BenchResult> RunAsync(BenchContext ctx, CancellationToken ct)
        {
            var o = ctx.Options;
            var linesPerStream = (int)((long)o.LogMegabytes * 1024 * 1024 / LineBytes / 2);
            var totalLines = linesPerStream * 2;
            Console.Error.WriteLine($"logs: generating a log of {totalLines} lines ({o.LogMegabytes} MB) ...");
            var generate = Stopwatch.StartNew();
            var id = await GenerateAsync(ctx, linesPerStream, ct).ConfigureAwait(false);
            generate.Stop();
            ctx.FirstCosts.Add(($"logs: a busybox container writes the log ({o.LogMegabytes} MB) and exits", generate.Elapsed));

            var result = new BenchResult(
                $"logs: read a log of {o.LogMegabytes} MB ({totalLines} lines of {LineBytes} bytes, stdout and stderr mixed) into nothing",
                totalLines, "line", minimumSpeedupVsCli: 1 / MaximumRatioVsCli, maximumRatioVsFloor: double.PositiveInfinity);
            var ours = new Contender(Role.Ours, "ContainerTools", OurScript + " in the hosted PowerShell 7.6 runspace (one record per line, timestamps parsed)");
            var cli = new Contender(Role.Cli, "docker CLI", "docker logs <id> >/dev/null 2>&1, one process");
            var floor = new Contender(Role.Floor, "raw API floor", "GET /containers/{id}/logs?stdout=1&stderr=1 on a keep-alive client, the body read into nothing");
            result.Contenders.AddRange(new[] { ours, cli, floor });

            // Warm-up, not measured: a whole read each; ours is counted, so a lost or extra line fails the run.
            Console.Error.WriteLine("logs: warm-up, one whole read each");
            var counted = 0L;
            ctx.FirstCosts.Add(("logs: ContainerTools, first Get-ContainerLog (counted with Measure-Object)", BenchContext.Time(() =>
                counted = Convert.ToInt64(ctx.PowerShell!.Invoke("(Get-ContainerLog -Id $id | Measure-Object).Count", Vars(id), ct).Single().BaseObject,
                    CultureInfo.InvariantCulture))));
            if (counted != totalLines)
            {
                throw new InvalidOperationException($"Get-ContainerLog wrote {counted} records for a log of {totalLines} lines.");
            }

            ctx.FirstCosts.Add(("logs: docker CLI, first docker logs", await BenchContext.TimeAsync(() => ctx.Cli.RunToNullAsync(new[] { "logs", id }, ct)).ConfigureAwait(false)));
            long bytes = 0;
            ctx.FirstCosts.Add(("logs: raw client, first read of the log", await BenchContext.TimeAsync(async () => bytes = await ctx.Raw.ReadLogToNullAsync(id, ct).ConfigureAwait(false))
                .ConfigureAwait(false)));

            var peaks = new List<MemoryPeak>();
            var allocated = new List<long>();
            var cpu = new List<TimeSpan>();
            for (var iteration = 0; iteration < o.Iterations; iteration++)
            {
                Console.Error.WriteLine($"logs: iteration {iteration + 1} of {o.Iterations}");
                var order = new Func<Task>[]
                {
                    () =>
                    {
                        GC.Collect();
                        GC.WaitForPendingFinalizers();
                        GC.Collect();
                        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                        using (var sampler = MemorySampler.Start())
                        {
                            ours.Totals.Add(BenchContext.Time(() => ctx.PowerShell!.Invoke(OurScript, Vars(id), ct)));
                            peaks.Add(sampler.Stop());
                        }

                        cpu.Add(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
                        allocated.Add(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
                        return Task.CompletedTask;
                    },
                    async () => cli.Totals.Add(await BenchContext.TimeAsync(() => ctx.Cli.RunToNullAsync(new[] { "logs", id }, ct)).ConfigureAwait(false)),
                    async () => floor.Totals.Add(await BenchContext.TimeAsync(() => ctx.Raw.ReadLogToNullAsync(id, ct)).ConfigureAwait(false)),
                };
                for (var k = 0; k < order.Length; k++)
                {
                    await order[(k + iteration) % order.Length]().ConfigureAwait(false);
                }
            }

            await ctx.Raw.RemoveAsync(id, force: true, ct).ConfigureAwait(false);

            var peak = peaks.OrderBy(p => p.DeltaBytes).ElementAt(peaks.Count / 2);
            var worst = peaks.OrderBy(p => p.DeltaBytes).Last();
            var memoryMet = worst.DeltaBytes < MemoryTargetMb * 1024 * 1024;
            result.ExtraTargets.Add(($"peak memory growth of this process while ours reads < {MemoryTargetMb:0} MB (worst iteration {BuildBenchmark.Mb(worst.DeltaBytes)})", memoryMet));
            result.Notes.Add($"ours takes {BenchResult.Num(ours.MedianSeconds / cli.MedianSeconds)}x the CLI's time (target: at most {MaximumRatioVsCli:0.0}x); " +
                             $"the engine alone (raw floor) takes {BenchResult.Num(floor.MedianSeconds / cli.MedianSeconds)}x the CLI's time");
            result.Notes.Add($"log body as the engine sends it without timestamps: {BuildBenchmark.Mb(bytes)}; every contender reads the whole log (ours was counted: {counted} records)");
            result.Notes.Add($"peak memory while ours reads: resident set +{BuildBenchmark.Mb(peak.DeltaBytes)} over the {BuildBenchmark.Mb(peak.BaselineBytes)} before it " +
                             $"(peak {BuildBenchmark.Mb(peak.PeakBytes)}), median of iterations; worst +{BuildBenchmark.Mb(worst.DeltaBytes)}; target < {MemoryTargetMb:0} MB growth: {(memoryMet ? "met" : "NOT met")}");
            result.Notes.Add("  (how: as in the build benchmark, VmHWM reset through /proc/self/clear_refs and VmRSS sampled every 10 ms; the whole process, so only the growth is ours)");
            result.Notes.Add($"CPU time of this process while ours reads (reader and pipeline threads): {string.Join(", ", cpu.Select(c => BenchResult.Duration(c.TotalSeconds)))}; " +
                             $"managed allocations: {string.Join(", ", allocated.Select(BuildBenchmark.Mb))}");
            return result;
        }

        // A busybox container writes linesPerStream lines of LineBytes bytes to stdout and as many to stderr at the same
        // time (two `yes | head`, far faster than a shell loop), and exits; the log is complete once it has.
        private static async Task<string> GenerateAsync(BenchContext ctx, int linesPerStream, CancellationToken ct)
        {
            var n = linesPerStream.ToString(CultureInfo.InvariantCulture);
            var script = $"L=$(head -c {LineBytes - 1} /dev/zero | tr '\\0' x); yes \"$L\" | head -n {n} & yes \"$L\" | head -n {n} >&2; wait";
            var id = await ctx.Raw.CreateAsync(ctx.Name("logs"), ctx.Options.Image, new[] { "sh", "-c", script }, ctx.Labels("logs"), init: false, ct)
                .ConfigureAwait(false);
            await ctx.Raw.StartAsync(id, ct).ConfigureAwait(false);
            var exit = await ctx.Raw.WaitAsync(id, ct).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException($"The container writing the log exited with {exit}.");
            }

            return id;
        }

        private static Dictionary<string, object> Vars(string id) => new Dictionary<string, object> { ["id"] = id };
    }
}
