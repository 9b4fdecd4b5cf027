using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Docker.DotNet;

namespace ContainerTools.Engine.Containers
{
    /// <summary>docker stats: resource-usage samples, one or a live feed.</summary>
    public sealed partial class ContainerOperations
    {
        /// <summary>
        /// One sample (docker stats --no-stream): the engine takes two readings about a second apart, so the CPU
        /// percentage covers that second. A container that is not running gives a sample of zeros.
        /// </summary>
        public Task<ContainerStatistics> GetStatisticsAsync(string reference, CancellationToken cancellationToken = default) =>
            EngineCall.RunAsync(_engine, Kind, reference, async c =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, c.ApiPath($"/containers/{Uri.EscapeDataString(reference)}/stats?stream=false"));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                }

                var windows = IsWindowsEngine(response);
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                return ParseStatistics(doc.RootElement, windows, reference);
            }, cancellationToken);

        /// <summary>
        /// A live feed (docker stats): a sample about every second, given to onSample as it arrives, until the container
        /// stops or the token is cancelled (the connection is closed at once). A container that is not running gives one
        /// sample of zeros.
        /// </summary>
        public Task StreamStatisticsAsync(string reference, Action<ContainerStatistics> onSample, CancellationToken cancellationToken = default) =>
            EngineCall.RunAsync(_engine, Kind, reference, async c =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, c.ApiPath($"/containers/{Uri.EscapeDataString(reference)}/stats?stream=true"));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                }

                var windows = IsWindowsEngine(response);
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                using var reader = new StreamReader(stream, new UTF8Encoding(false));
                using (cancellationToken.Register(() => stream.Dispose()))
                {
                    var first = true;
                    while (true)
                    {
                        string? line;
                        try
                        {
                            line = await reader.ReadLineAsync().ConfigureAwait(false);
                        }
                        catch (Exception) when (cancellationToken.IsCancellationRequested)
                        {
                            throw new OperationCanceledException(cancellationToken);
                        }

                        if (line == null)
                        {
                            return;
                        }

                        if (line.Trim().Length == 0)
                        {
                            continue;
                        }

                        using var doc = JsonDocument.Parse(line);
                        var sample = ParseStatistics(doc.RootElement, windows, reference);
                        // A stopped container's feed repeats zero samples forever: one says it is not running, then the feed ends.
                        var running = sample.Read.Year > 1;
                        if (running || first)
                        {
                            onSample(sample);
                        }

                        if (!running)
                        {
                            return;
                        }

                        first = false;
                    }
                }
            }, cancellationToken);

        private static bool IsWindowsEngine(HttpResponseMessage response) =>
            response.Headers.TryGetValues("Ostype", out var values) && string.Join(",", values).IndexOf("windows", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>One stats JSON object to a sample, with docker stats' arithmetic (cli/command/container/stats_helpers.go).</summary>
        internal ContainerStatistics ParseStatistics(JsonElement root, bool windows, string reference)
        {
            var id = EngineJson.String(root, "id") ?? reference;
            var name = (EngineJson.String(root, "name") ?? reference).TrimStart('/');
            var read = (EngineJson.Time(root, "read") ?? default);
            var cpu = Obj(root, "cpu_stats");
            var precpu = Obj(root, "precpu_stats");
            var memory = Obj(root, "memory_stats");
            var memoryStats = memory.HasValue ? Obj(memory.Value, "stats") : null;
            double cpuPercent;
            long memoryUsage, memoryLimit = 0, blockRead = 0, blockWritten = 0;
            double memoryPercent = 0;
            var totalUsage = Num(Obj(cpu, "cpu_usage"), "total_usage");
            var previousTotal = Num(Obj(precpu, "cpu_usage"), "total_usage");
            if (windows)
            {
                // 100 ns intervals the container could have used on all its processors between the two readings.
                var possible = (read - (EngineJson.Time(root, "preread") ?? default)).Ticks * Num(root, "num_procs");
                cpuPercent = possible > 0 ? (double)(totalUsage - previousTotal) / possible * 100.0 : 0;
                memoryUsage = Num(memory, "privateworkingset");
                var storage = Obj(root, "storage_stats");
                blockRead = Num(storage, "read_size_bytes");
                blockWritten = Num(storage, "write_size_bytes");
            }
            else
            {
                var cpuDelta = (double)totalUsage - previousTotal;
                var systemDelta = (double)Num(cpu, "system_cpu_usage") - Num(precpu, "system_cpu_usage");
                double onlineCpus = Num(cpu, "online_cpus");
                if (onlineCpus == 0 && cpu.HasValue && Obj(cpu, "cpu_usage") is JsonElement usage &&
                    usage.TryGetProperty("percpu_usage", out var perCpu) && perCpu.ValueKind == JsonValueKind.Array)
                {
                    onlineCpus = perCpu.GetArrayLength();
                }

                cpuPercent = systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * onlineCpus * 100.0 : 0;

                // Page cache the kernel can drop is not counted: cgroup v1 total_inactive_file, cgroup v2 inactive_file.
                var usageBytes = Num(memory, "usage");
                memoryUsage = usageBytes;
                if (memoryStats.HasValue && memoryStats.Value.TryGetProperty("total_inactive_file", out var v1) && v1.TryGetInt64(out var inactiveV1) && inactiveV1 < usageBytes)
                {
                    memoryUsage = usageBytes - inactiveV1;
                }
                else if (Num(memoryStats, "inactive_file") is var inactiveV2 && inactiveV2 < usageBytes)
                {
                    memoryUsage = usageBytes - inactiveV2;
                }

                memoryLimit = Num(memory, "limit");
                memoryPercent = memoryLimit != 0 ? (double)memoryUsage / memoryLimit * 100.0 : 0;
                if (Obj(root, "blkio_stats") is JsonElement blkio && blkio.TryGetProperty("io_service_bytes_recursive", out var entries) &&
                    entries.ValueKind == JsonValueKind.Array)
                {
                    foreach (var entry in entries.EnumerateArray())
                    {
                        var op = EngineJson.String(entry, "op") ?? string.Empty;
                        if (op.Length == 0)
                        {
                            continue;
                        }

                        if (op[0] == 'r' || op[0] == 'R')
                        {
                            blockRead += Num(entry, "value");
                        }
                        else if (op[0] == 'w' || op[0] == 'W')
                        {
                            blockWritten += Num(entry, "value");
                        }
                    }
                }
            }

            long received = 0, sent = 0;
            if (Obj(root, "networks") is JsonElement networks)
            {
                foreach (var network in networks.EnumerateObject())
                {
                    received += Num(network.Value, "rx_bytes");
                    sent += Num(network.Value, "tx_bytes");
                }
            }

            return new ContainerStatistics(_engine, id, name, read, cpuPercent, memoryUsage, memoryLimit, memoryPercent, received, sent,
                blockRead, blockWritten, Num(Obj(root, "pids_stats"), "current"));
        }

        private static JsonElement? Obj(JsonElement? parent, string property) =>
            parent.HasValue && parent.Value.ValueKind == JsonValueKind.Object && parent.Value.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
                ? value
                : (JsonElement?)null;

        private static long Num(JsonElement? parent, string property)
        {
            if (!parent.HasValue || parent.Value.ValueKind != JsonValueKind.Object || !parent.Value.TryGetProperty(property, out var value) ||
                value.ValueKind != JsonValueKind.Number)
            {
                return 0;
            }

            // Unlimited memory reads as a uint64 near 2^63 or above on some kernels: clamp rather than fail.
            return value.TryGetInt64(out var n) ? n : value.TryGetUInt64(out var u) ? (long)Math.Min(u, long.MaxValue) : (long)value.GetDouble();
        }
    }
}
