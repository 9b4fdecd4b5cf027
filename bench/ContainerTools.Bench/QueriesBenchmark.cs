using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>
    /// Per-container look-ups as scripts do them: a loop asking for one container at a time, by full id.
    /// ContainerTools (Get-Container -Id in a PowerShell foreach) vs `docker inspect id` processes vs a keep-alive
    /// raw client making the very request Get-Container -Id makes.
    /// </summary>
    internal static class QueriesBenchmark
    {
        /// <summary>Look-ups per turn: each contender does this many in a row before the next one's turn.</summary>
        private const int SliceSize = 100;

        private const string OurScript =
            "$found = 0\n" +
            "foreach ($id in $ids) { $c = Get-Container -Id $id; if ($null -ne $c) { $found++ } }\n" +
            "$found";

        public static async Task<BenchResult> RunAsync(BenchContext ctx, CancellationToken ct)
        {
            var o = ctx.Options;
            var result = new BenchResult(
                $"queries: {o.Queries} look-ups, one container at a time by full id, over {o.Containers} running containers",
                o.Queries, "query", minimumSpeedupVsCli: 30, maximumRatioVsFloor: 3);
            var ours = new Contender(Role.Ours, "ContainerTools", "foreach ($id in $ids) { $c = Get-Container -Id $id; ... } in the hosted PowerShell 7.6 runspace (module imported from the .psd1)");
            var cli = new Contender(Role.Cli, "docker CLI", "docker inspect <id>, one process a look-up, in sequence");
            var floor = new Contender(Role.Floor, "raw API floor", $"one keep-alive HttpClient on the unix socket: GET /v{ctx.Raw.ApiVersion}/containers/json?all=1&filters={{\"id\":{{\"<id>\":true}}}} (the request Get-Container -Id makes), body parsed");
            result.Contenders.AddRange(new[] { ours, cli, floor });

            Console.Error.WriteLine($"queries: creating and starting {o.Containers} containers ({o.Image} sleep 600, --init) ...");
            var ids = await CreateTargetsAsync(ctx, ct).ConfigureAwait(false);
            var lookups = Enumerable.Range(0, o.Queries).Select(i => ids[i % ids.Count]).ToArray();

            // Warm-up: the first call of each is reported apart; then a few rounds that are not measured.
            var warm = lookups.Take(Math.Min(50, lookups.Length)).ToArray();
            var ps = ctx.PowerShell!;
            ctx.FirstCosts.Add(("ContainerTools: first Get-Container -Id (connect, negotiate, JIT)", BenchContext.Time(() => RunOurs(ps, ids.Take(1).ToArray(), ct))));
            RunOurs(ps, warm, ct);
            RunOurs(ps, warm, ct);
            ctx.FirstCosts.Add(("docker CLI: first docker inspect", await BenchContext.TimeAsync(() => ctx.Cli.RunAsync(new[] { "inspect", ids[0] }, ct)).ConfigureAwait(false)));
            await RunCliAsync(ctx, lookups.Take(3).ToArray(), ct).ConfigureAwait(false);
            await RunFloorAsync(ctx, warm, ct).ConfigureAwait(false);
            await RunFloorAsync(ctx, warm, ct).ConfigureAwait(false);

            // The look-ups run in slices of SliceSize, the contenders taking turns slice by slice (in a rotating order), so
            // that a busy minute on a shared engine or machine falls on all three alike; each total adds up its slices.
            for (var iteration = 0; iteration < o.Iterations; iteration++)
            {
                Console.Error.WriteLine($"queries: iteration {iteration + 1} of {o.Iterations}");
                var totals = new TimeSpan[3];
                for (int start = 0, slice = 0; start < lookups.Length; start += SliceSize, slice++)
                {
                    var part = lookups.Skip(start).Take(SliceSize).ToArray();
                    for (var turn = 0; turn < 3; turn++)
                    {
                        var which = (turn + slice + iteration) % 3;
                        totals[which] += which switch
                        {
                            0 => BenchContext.Time(() => RunOurs(ps, part, ct)),
                            1 => await BenchContext.TimeAsync(() => RunCliAsync(ctx, part, ct)).ConfigureAwait(false),
                            _ => await BenchContext.TimeAsync(() => RunFloorAsync(ctx, part, ct)).ConfigureAwait(false),
                        };
                    }
                }

                ours.Totals.Add(totals[0]);
                cli.Totals.Add(totals[1]);
                floor.Totals.Add(totals[2]);
            }

            return result;
        }

        private static void RunOurs(PowerShellSession ps, string[] lookups, CancellationToken ct)
        {
            var output = ps.Invoke(OurScript, new Dictionary<string, object> { ["ids"] = lookups }, ct);
            var found = output.Count == 1 ? Convert.ToInt32(output[0].BaseObject, System.Globalization.CultureInfo.InvariantCulture) : -1;
            if (found != lookups.Length)
            {
                throw new InvalidOperationException($"Get-Container found {found} of {lookups.Length} containers.");
            }
        }

        private static async Task RunCliAsync(BenchContext ctx, string[] lookups, CancellationToken ct)
        {
            foreach (var id in lookups)
            {
                var json = await ctx.Cli.RunAsync(new[] { "inspect", id }, ct).ConfigureAwait(false);
                if (json.IndexOf(id, StringComparison.Ordinal) < 0)
                {
                    throw new InvalidOperationException($"docker inspect {id} did not describe it.");
                }
            }
        }

        private static async Task RunFloorAsync(BenchContext ctx, string[] lookups, CancellationToken ct)
        {
            foreach (var id in lookups)
            {
                if (await ctx.Raw.ListByIdAsync(id, ct).ConfigureAwait(false) != 1)
                {
                    throw new InvalidOperationException($"The engine did not list {id}.");
                }
            }
        }

        private static async Task<List<string>> CreateTargetsAsync(BenchContext ctx, CancellationToken ct)
        {
            var labels = ctx.Labels("queries");
            var ids = new string[ctx.Options.Containers];
            using var gate = new SemaphoreSlim(2);
            await Task.WhenAll(Enumerable.Range(0, ids.Length).Select(async i =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    var id = await ctx.Raw.CreateAsync(ctx.Name("q" + i), ctx.Options.Image, new[] { "sleep", "600" }, labels, init: true, ct).ConfigureAwait(false);
                    await ctx.Raw.StartAsync(id, ct).ConfigureAwait(false);
                    ids[i] = id;
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
            return ids.ToList();
        }
    }
}
