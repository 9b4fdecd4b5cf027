using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>
    /// A classic (non-BuildKit) build of a large generated context: New-ContainerImage in the hosted runspace vs
    /// DOCKER_BUILDKIT=0 docker build, same folder, same Dockerfile, same .dockerignore. What differs between the two is
    /// how the context is walked, filtered, tarred and streamed to the engine; the engine's own work is the same. Also
    /// samples this process's resident memory while ours builds (the whole context must stream, never be held).
    /// </summary>
    internal static class BuildBenchmark
    {
        private const string OurScript = "$null = New-ContainerImage -Path $context -Dockerfile $dockerfile -Tag $tag -NoCache";

        /// <summary>Peak resident memory growth allowed while ours builds.</summary>
        private const double MemoryTargetMb = 150;

        public static async Task<BenchResult> RunAsync(BenchContext ctx, CancellationToken ct)
        {
            var o = ctx.Options;
            Console.Error.WriteLine($"build: generating a context of {o.BuildFiles} files ...");
            var root = Path.Combine(Path.GetTempPath(), ctx.Name("build"));
            lock (ctx.TempDirectories)
            {
                ctx.TempDirectories.Add(root);
            }

            var generate = Stopwatch.StartNew();
            var layout = ContextGenerator.Generate(Path.Combine(root, "context"), o.BuildFiles, o.Image, ctx.RunId, o.BuildStep, ct);
            generate.Stop();
            var warm = ContextGenerator.GenerateTiny(Path.Combine(root, "warm"), o.Image, ctx.RunId);
            ctx.FirstCosts.Add(($"build: generate the context ({layout.Files} files, {Mb(layout.Bytes)})", generate.Elapsed));

            var step = o.BuildStep == "copy" ? "COPY . /ctx/" : "RUN true";
            var result = new BenchResult(
                $"build: classic build of a generated context, {layout.Files} files / {Mb(layout.Bytes)} in nested folders, .dockerignore leaves out " +
                $"{layout.ExcludedFiles} files / {Mb(layout.ExcludedBytes)}; Dockerfile FROM {o.Image}, LABEL, {step}; --no-cache",
                1, "build", minimumSpeedupVsCli: 1.0, maximumRatioVsFloor: double.PositiveInfinity);
            var ours = new Contender(Role.Ours, "ContainerTools", "New-ContainerImage -Path <ctx> -Dockerfile <ctx>/Dockerfile -Tag ... -NoCache in the hosted PowerShell 7.6 runspace");
            var cli = new Contender(Role.Cli, "docker CLI", "DOCKER_BUILDKIT=0 docker build --no-cache --force-rm -f <ctx>/Dockerfile -t ... <ctx>, one process");
            result.Contenders.AddRange(new[] { ours, cli });

            // Warm-up: a tiny build each (JIT, first connection, the engine's busybox lookup), not measured.
            Console.Error.WriteLine("build: warm-up, a tiny build each");
            ctx.FirstCosts.Add(("build: ContainerTools, first (tiny) New-ContainerImage", BenchContext.Time(() =>
                RunOurs(ctx, warm.Directory, warm.Dockerfile, ctx.Name("warm-ours"), ct))));
            ctx.FirstCosts.Add(("build: docker CLI, first (tiny) docker build", await BenchContext.TimeAsync(() =>
                RunCliAsync(ctx, warm.Directory, warm.Dockerfile, ctx.Name("warm-cli"), ct)).ConfigureAwait(false)));
            await RemoveImageAsync(ctx, ctx.Name("warm-ours"), ct).ConfigureAwait(false);
            await RemoveImageAsync(ctx, ctx.Name("warm-cli"), ct).ConfigureAwait(false);

            var peaks = new List<MemoryPeak>();
            var allocated = new List<long>();
            long oursSize = 0, cliSize = 0;
            string? sent = null;
            for (var iteration = 0; iteration < o.Iterations; iteration++)
            {
                Console.Error.WriteLine($"build: iteration {iteration + 1} of {o.Iterations}");
                var oursTag = ctx.Name($"ours-i{iteration}");
                var cliTag = ctx.Name($"cli-i{iteration}");
                var order = new Func<Task>[]
                {
                    async () =>
                    {
                        GC.Collect();
                        GC.WaitForPendingFinalizers();
                        GC.Collect();
                        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                        using (var sampler = MemorySampler.Start())
                        {
                            ours.Totals.Add(BenchContext.Time(() => RunOurs(ctx, layout.Directory, layout.Dockerfile, oursTag, ct)));
                            peaks.Add(sampler.Stop());
                        }

                        allocated.Add(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
                        oursSize = (await ctx.Raw.InspectImageAsync(oursTag, ct).ConfigureAwait(false)).Size;
                        await RemoveImageAsync(ctx, oursTag, ct).ConfigureAwait(false);
                    },
                    async () =>
                    {
                        string output = string.Empty;
                        cli.Totals.Add(await BenchContext.TimeAsync(async () => output = await RunCliAsync(ctx, layout.Directory, layout.Dockerfile, cliTag, ct).ConfigureAwait(false))
                            .ConfigureAwait(false));
                        var m = Regex.Match(output, @"Sending build context to Docker daemon\s+(\S+)");
                        sent = m.Success ? m.Groups[1].Value : sent;
                        cliSize = (await ctx.Raw.InspectImageAsync(cliTag, ct).ConfigureAwait(false)).Size;
                        await RemoveImageAsync(ctx, cliTag, ct).ConfigureAwait(false);
                    },
                };
                for (var k = 0; k < order.Length; k++)
                {
                    await order[(k + iteration) % order.Length]().ConfigureAwait(false);
                }

                // Both must have sent and copied the same context (else one measured less work).
                if (Math.Abs(oursSize - cliSize) > Math.Max(cliSize / 100, 1024 * 1024))
                {
                    throw new InvalidOperationException($"The images differ in size: ours {oursSize} bytes, the CLI's {cliSize} bytes; the contenders did not send the same context.");
                }
            }

            // What the client side alone costs: our archive of the same context written to Stream.Null (no engine).
            var archiveOnly = BenchContext.Time(() => ctx.PowerShell!.Invoke(
                "[ContainerTools.Engine.Build.BuildContext]::Create($context, $dockerfile).WriteToAsync([System.IO.Stream]::Null).GetAwaiter().GetResult()",
                new Dictionary<string, object> { ["context"] = layout.Directory, ["dockerfile"] = layout.Dockerfile }, ct));
            var peak = peaks.OrderBy(p => p.DeltaBytes).ElementAt(peaks.Count / 2);
            var worst = peaks.OrderBy(p => p.DeltaBytes).Last();
            var memoryMet = worst.DeltaBytes < MemoryTargetMb * 1024 * 1024;
            result.ExtraTargets.Add(($"peak memory growth of this process while ours builds < {MemoryTargetMb:0} MB (worst iteration {Mb(worst.DeltaBytes)})", memoryMet));
            result.Notes.Add($"context sent (the CLI's 'Sending build context'): {sent ?? "?"}; image size after the build, ours {Mb(oursSize)}, the CLI's {Mb(cliSize)} (checked equal every iteration)");
            result.Notes.Add($"peak memory while ours builds: resident set +{Mb(peak.DeltaBytes)} over the {Mb(peak.BaselineBytes)} before it (peak {Mb(peak.PeakBytes)}), median of iterations; " +
                             $"worst +{Mb(worst.DeltaBytes)}; target < {MemoryTargetMb:0} MB growth: {(memoryMet ? "met" : "NOT met")}");
            result.Notes.Add($"  (how: the kernel's high-water mark VmHWM of this process, reset just before the build by writing 5 to /proc/self/clear_refs{(peak.HighWaterMarkReset ? string.Empty : " - the reset failed here, so only the samples count")}, " +
                             "and VmRSS sampled every 10 ms; the larger of the two, minus VmRSS just before. It is the whole process - runspace, module, .NET - so only the growth is ours to answer for)");
            result.Notes.Add($"ours, the archive alone (BuildContext.WriteToAsync of the same context to Stream.Null, no engine): {BenchResult.Duration(archiveOnly.TotalSeconds)}; " +
                             "the rest of a build's time is the engine receiving, unpacking and building");
            result.Notes.Add($"managed allocations during one of our builds: {string.Join(", ", allocated.Select(Mb))}");
            return result;
        }

        private static void RunOurs(BenchContext ctx, string directory, string dockerfile, string tag, CancellationToken ct)
        {
            ctx.BuildInFlight = true;
            ctx.PowerShell!.Invoke(OurScript, new Dictionary<string, object>
            {
                ["context"] = directory,
                ["dockerfile"] = dockerfile,
                ["tag"] = tag,
            }, ct);
            ctx.BuildInFlight = false;
        }

        private static async Task<string> RunCliAsync(BenchContext ctx, string directory, string dockerfile, string tag, CancellationToken ct)
        {
            ctx.BuildInFlight = true;
            var output = await ctx.Cli.RunAsync(new[] { "build", "--no-cache", "--force-rm", "-f", dockerfile, "-t", tag, directory },
                new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" }, ct).ConfigureAwait(false);
            ctx.BuildInFlight = false;
            return output;
        }

        private static async Task RemoveImageAsync(BenchContext ctx, string tag, CancellationToken ct)
        {
            try
            {
                await ctx.Raw.RemoveImageAsync(tag, ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (e.Message.Contains(" 404 ", StringComparison.Ordinal))
            {
            }
        }

        internal static string Mb(long bytes) => (bytes / 1048576.0).ToString(bytes >= 100 * 1048576L ? "0" : "0.0", CultureInfo.InvariantCulture) + " MB";
    }

    internal sealed record GeneratedContext(string Directory, string Dockerfile, int Files, long Bytes, int ExcludedFiles, long ExcludedBytes);

    /// <summary>
    /// Writes a deterministic context fast: every file is a slice of one pseudo-random (incompressible) pattern, so the
    /// content is the same on every run and nothing is computed per byte. Many small files in three levels of folders,
    /// some large ones; a third of both (by count and by size) is left out by the .dockerignore.
    /// </summary>
    internal static class ContextGenerator
    {
        private const int LargeSize = 8 * 1024 * 1024;

        public static GeneratedContext Generate(string directory, int files, string image, string runId, string step, CancellationToken ct)
        {
            Directory.CreateDirectory(directory);
            var pattern = Pattern(LargeSize);
            var large = Math.Max(3, files * 48 / 20000 / 3 * 3);
            var small = files - large - 2; // the Dockerfile and the .dockerignore are the other two
            long bytes = 0, excludedBytes = 0;
            var excludedFiles = 0;
            for (var i = 0; i < small; i++)
            {
                if (i % 1000 == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var ext = (i % 3) switch { 0 => "tmp", 1 => "txt", _ => "dat" };
                var folder = Path.Combine(directory, "src", "m" + (i / 1000).ToString("00", CultureInfo.InvariantCulture), "p" + (i / 100 % 10).ToString(CultureInfo.InvariantCulture));
                if (i % 100 == 0)
                {
                    Directory.CreateDirectory(folder);
                }

                var size = 64 + (int)((uint)(i * 2654435761u) % 9984u);
                var offset = (int)((long)i * 4099 % (LargeSize - size));
                Write(Path.Combine(folder, "f" + i.ToString("00000", CultureInfo.InvariantCulture) + "." + ext), pattern.AsSpan(offset, size));
                bytes += size;
                if (i % 3 == 0)
                {
                    excludedFiles++;
                    excludedBytes += size;
                }
            }

            for (var j = 0; j < large; j++)
            {
                ct.ThrowIfCancellationRequested();
                var cached = j % 3 == 0;
                var folder = Path.Combine(directory, "assets", cached ? "cache" : "g" + (j / 8).ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, "blob" + j.ToString("00", CultureInfo.InvariantCulture) + ".bin");
                var split = (j * 65537) % LargeSize;
                using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0))
                {
                    stream.Write(pattern.AsSpan(split));
                    stream.Write(pattern.AsSpan(0, split));
                }

                bytes += LargeSize;
                if (cached)
                {
                    excludedFiles++;
                    excludedBytes += LargeSize;
                }
            }

            File.WriteAllText(Path.Combine(directory, ".dockerignore"), "# generated by ContainerTools.Bench\n**/*.tmp\nassets/cache\n");
            var dockerfile = Path.Combine(directory, "Dockerfile");
            File.WriteAllText(dockerfile, Dockerfile(image, runId) + (step == "copy" ? "COPY . /ctx/\n" : "RUN true\n"));
            return new GeneratedContext(directory, dockerfile, small + large + 2, bytes, excludedFiles, excludedBytes);
        }

        public static GeneratedContext GenerateTiny(string directory, string image, string runId)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "hello.txt"), "hello\n");
            var dockerfile = Path.Combine(directory, "Dockerfile");
            File.WriteAllText(dockerfile, Dockerfile(image, runId) + "COPY hello.txt /ctx/\n");
            return new GeneratedContext(directory, dockerfile, 2, 6, 0, 0);
        }

        // The first step labels the image, so every image the build makes (intermediate ones too) carries this run's
        // label, and so does every container made from them: the clean-up finds them all by it.
        private static string Dockerfile(string image, string runId) =>
            $"FROM {image}\nLABEL {BenchContext.RunLabel}={runId} io.containertools.bench=build\n";

        private static byte[] Pattern(int size)
        {
            var bytes = new byte[size];
            var longs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan());
            var x = 0x9E3779B97F4A7C15UL;
            for (var i = 0; i < longs.Length; i++)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                longs[i] = x;
            }

            return bytes;
        }

        private static void Write(string path, ReadOnlySpan<byte> content)
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
            stream.Write(content);
        }
    }

    internal readonly record struct MemoryPeak(long BaselineBytes, long PeakBytes, bool HighWaterMarkReset)
    {
        public long DeltaBytes => Math.Max(0, PeakBytes - BaselineBytes);
    }

    /// <summary>
    /// This process's peak resident set over a stretch of time: the kernel's high-water mark (VmHWM, reset first
    /// through /proc/self/clear_refs) and, as a check and a fallback, VmRSS sampled every 10 ms on its own thread.
    /// </summary>
    internal sealed class MemorySampler : IDisposable
    {
        private readonly Thread _thread;
        private readonly long _baseline;
        private readonly bool _reset;
        private volatile bool _stop;
        private long _max;

        private MemorySampler()
        {
            _reset = TryResetHighWaterMark();
            _baseline = Read("VmRSS:");
            _max = _baseline;
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    var rss = Read("VmRSS:");
                    if (rss > Interlocked.Read(ref _max))
                    {
                        Interlocked.Exchange(ref _max, rss);
                    }

                    Thread.Sleep(10);
                }
            }) { IsBackground = true, Name = "memory sampler" };
            _thread.Start();
        }

        public static MemorySampler Start() => new MemorySampler();

        public MemoryPeak Stop()
        {
            _stop = true;
            _thread.Join();
            var peak = Interlocked.Read(ref _max);
            if (_reset)
            {
                peak = Math.Max(peak, Read("VmHWM:"));
            }

            return new MemoryPeak(_baseline, peak, _reset);
        }

        public void Dispose()
        {
            _stop = true;
        }

        private static bool TryResetHighWaterMark()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>A "Vm...:  1234 kB" line of /proc/self/status, in bytes (0 when not there).</summary>
        private static long Read(string key)
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var digits = new string(line.Substring(key.Length).Where(char.IsDigit).ToArray());
                    return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }
    }
}
