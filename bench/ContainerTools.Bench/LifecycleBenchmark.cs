using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>
    /// create + start + stop + remove of N containers: our pipeline vs a sequential docker CLI loop vs the same four
    /// raw API calls per container, in sequence, on one keep-alive client.
    /// </summary>
    internal static class LifecycleBenchmark
    {
        private const string OurScript =
            "1..$count | ForEach-Object { New-Container $image -Name \"$prefix$_\" -Command sleep, 600 -Init -Label $labels -Start } |\n" +
            "    Stop-Container -PassThru -Timeout 1 | Remove-Container";

        public static async Task<BenchResult> RunAsync(BenchContext ctx, CancellationToken ct)
        {
            var o = ctx.Options;
            var result = new BenchResult(
                $"lifecycle: create + start + stop + remove of {o.LifecycleCount} containers ({o.Image} sleep 600, init, stop timeout 1 s)",
                o.LifecycleCount, "container", minimumSpeedupVsCli: 1.2, maximumRatioVsFloor: 1.0);
            var ours = new Contender(Role.Ours, "ContainerTools",
                "1..N | ForEach-Object { New-Container busybox -Name ... -Command sleep,600 -Init -Label ... -Start } | Stop-Container -PassThru -Timeout 1 | Remove-Container");
            var cli = new Contender(Role.Cli, "docker CLI", "per container, in sequence: docker run -d --init --name ... --label ... busybox sleep 600; docker stop -t 1; docker rm");
            var floor = new Contender(Role.Floor, "raw API floor",
                "per container, in sequence, one keep-alive client: POST /containers/create, POST /start, POST /stop?t=1, DELETE /containers/{id}");
            result.Contenders.AddRange(new[] { ours, cli, floor });

            // Warm-up: one container through each (not measured).
            Console.Error.WriteLine("lifecycle: warm-up, one container each");
            RunOurs(ctx, "w", 1, ct);
            await RunCliAsync(ctx, "w", 1, ct).ConfigureAwait(false);
            await RunFloorAsync(ctx, "w", 1, ct).ConfigureAwait(false);

            for (var iteration = 0; iteration < o.Iterations; iteration++)
            {
                Console.Error.WriteLine($"lifecycle: iteration {iteration + 1} of {o.Iterations}");
                var round = "i" + iteration;
                var order = new Func<Task>[]
                {
                    () => { ours.Totals.Add(BenchContext.Time(() => RunOurs(ctx, round, o.LifecycleCount, ct))); return Task.CompletedTask; },
                    async () => cli.Totals.Add(await BenchContext.TimeAsync(() => RunCliAsync(ctx, round, o.LifecycleCount, ct)).ConfigureAwait(false)),
                    async () => floor.Totals.Add(await BenchContext.TimeAsync(() => RunFloorAsync(ctx, round, o.LifecycleCount, ct)).ConfigureAwait(false)),
                };
                for (var k = 0; k < order.Length; k++)
                {
                    await order[(k + iteration) % order.Length]().ConfigureAwait(false);
                }
            }

            return result;
        }

        private static void RunOurs(BenchContext ctx, string round, int count, CancellationToken ct)
        {
            var prefix = ctx.Name($"ours-{round}-");
            var labels = new Hashtable();
            foreach (var (k, v) in ctx.Labels("lifecycle"))
            {
                labels[k] = v;
            }

            ctx.PowerShell!.Invoke(OurScript, new Dictionary<string, object>
            {
                ["count"] = count,
                ["image"] = ctx.Options.Image,
                ["prefix"] = prefix,
                ["labels"] = labels,
            }, ct);
            AssertGoneAsync(ctx, prefix, ct).GetAwaiter().GetResult();
        }

        private static async Task RunCliAsync(BenchContext ctx, string round, int count, CancellationToken ct)
        {
            var prefix = ctx.Name($"cli-{round}-");
            var labelArgs = ctx.Labels("lifecycle").SelectMany(l => new[] { "--label", l.Key + "=" + l.Value }).ToArray();
            for (var i = 1; i <= count; i++)
            {
                var name = prefix + i;
                await ctx.Cli.RunAsync(new[] { "run", "-d", "--init", "--name", name }.Concat(labelArgs).Concat(new[] { ctx.Options.Image, "sleep", "600" }).ToArray(), ct)
                    .ConfigureAwait(false);
                await ctx.Cli.RunAsync(new[] { "stop", "-t", "1", name }, ct).ConfigureAwait(false);
                await ctx.Cli.RunAsync(new[] { "rm", name }, ct).ConfigureAwait(false);
            }

            await AssertGoneAsync(ctx, prefix, ct).ConfigureAwait(false);
        }

        private static async Task RunFloorAsync(BenchContext ctx, string round, int count, CancellationToken ct)
        {
            var prefix = ctx.Name($"raw-{round}-");
            var labels = ctx.Labels("lifecycle");
            var command = new[] { "sleep", "600" };
            for (var i = 1; i <= count; i++)
            {
                var id = await ctx.Raw.CreateAsync(prefix + i, ctx.Options.Image, command, labels, init: true, ct).ConfigureAwait(false);
                await ctx.Raw.StartAsync(id, ct).ConfigureAwait(false);
                await ctx.Raw.StopAsync(id, 1, ct).ConfigureAwait(false);
                await ctx.Raw.RemoveAsync(id, force: false, ct).ConfigureAwait(false);
            }

            await AssertGoneAsync(ctx, prefix, ct).ConfigureAwait(false);
        }

        /// <summary>Every contender must really have removed what it created (else it measured less work).</summary>
        private static async Task AssertGoneAsync(BenchContext ctx, string prefix, CancellationToken ct)
        {
            var left = await ctx.Raw.ListNamesByLabelAsync(BenchContext.RunLabel + "=" + ctx.RunId, ct).ConfigureAwait(false);
            var mine = left.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (mine.Count > 0)
            {
                throw new InvalidOperationException($"{mine.Count} container(s) were left behind: {string.Join(", ", mine)}");
            }
        }
    }
}
