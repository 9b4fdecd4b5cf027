using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Containers
{
    /// <summary>docker top, docker diff, docker export.</summary>
    public sealed partial class ContainerOperations
    {
        /// <summary>The processes running in a container (docker top); psArguments are ps options (default -ef).</summary>
        public async Task<IReadOnlyList<ContainerProcess>> GetProcessesAsync(string reference, string? psArguments = null, CancellationToken cancellationToken = default)
        {
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            var query = string.IsNullOrWhiteSpace(psArguments) ? string.Empty : "?ps_args=" + Uri.EscapeDataString(psArguments!.Trim());
            using var doc = await GetJsonAsync($"/containers/{container.Id}/top{query}", container.Name, cancellationToken).ConfigureAwait(false);
            var titles = new List<string>();
            if (doc.RootElement.TryGetProperty("Titles", out var titleArray) && titleArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var t in titleArray.EnumerateArray())
                {
                    titles.Add(t.GetString() ?? string.Empty);
                }
            }

            var processes = new List<ContainerProcess>();
            if (doc.RootElement.TryGetProperty("Processes", out var rows) && rows.ValueKind == JsonValueKind.Array)
            {
                foreach (var row in rows.EnumerateArray())
                {
                    var columns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    var i = 0;
                    foreach (var cell in row.EnumerateArray())
                    {
                        var title = i < titles.Count ? titles[i] : "Column" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        if (!columns.ContainsKey(title))
                        {
                            columns[title] = cell.ValueKind == JsonValueKind.String ? cell.GetString() ?? string.Empty : cell.GetRawText();
                        }

                        i++;
                    }

                    processes.Add(new ContainerProcess(_engine, container.Id, container.Name, columns));
                }
            }

            return processes;
        }

        /// <summary>The column titles ps gave, in order, for a process list (docker top's header).</summary>
        public static IReadOnlyList<string> ColumnTitles(IReadOnlyList<ContainerProcess> processes) =>
            processes.Count == 0 ? Array.Empty<string>() : new List<string>(processes[0].Columns.Keys);

        /// <summary>What changed in a container's file system against its image (docker diff), in the engine's order.</summary>
        public async Task<IReadOnlyList<ContainerChange>> GetChangesAsync(string reference, CancellationToken cancellationToken = default)
        {
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            using var doc = await GetJsonAsync($"/containers/{container.Id}/changes", container.Name, cancellationToken).ConfigureAwait(false);
            var changes = new List<ContainerChange>();
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in doc.RootElement.EnumerateArray())
                {
                    var kind = item.TryGetProperty("Kind", out var k) && k.ValueKind == JsonValueKind.Number ? (ContainerChangeKind)k.GetInt32() : ContainerChangeKind.Changed;
                    changes.Add(new ContainerChange(_engine, container.Id, container.Name, String(item, "Path") ?? string.Empty, kind));
                }
            }

            return changes;
        }

        /// <summary>
        /// Writes a container's file system as a tar archive (docker export), completely or not at all: a temporary file in
        /// the same folder is moved into place at the end and removed after a failure or a cancel. Without overwrite an
        /// existing file is an error, before the engine is asked anything.
        /// </summary>
        public async Task ExportAsync(string reference, string path, bool overwrite = false, IProgress<long>? bytesWritten = null, CancellationToken cancellationToken = default)
        {
            AtomicFile.CheckTarget(path, overwrite, "-Path");
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            await EngineCall.RunAsync(_engine, Kind, container.Name,
                c => AtomicFile.DownloadAsync(c, $"/containers/{container.Id}/export", path, overwrite, bytesWritten, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // GET of a JSON answer, errors translated as every other call.
        private Task<JsonDocument> GetJsonAsync(string pathAndQuery, string target, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, target, async c =>
            {
                var (status, body) = await EngineJson.SendAsync(c, HttpMethod.Get, pathAndQuery, null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, body, Kind, target);
                return JsonDocument.Parse(body);
            }, cancellationToken);
    }
}
