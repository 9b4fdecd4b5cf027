using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Docker.DotNet;

namespace ContainerTools.Engine.Containers
{
    /// <summary>What part of a container's log to read (docker logs options).</summary>
    public sealed class ContainerLogQuery
    {
        /// <summary>Keep reading new lines until the container stops (or the caller cancels).</summary>
        public bool Follow { get; set; }

        /// <summary>Only the last N lines (of each stream's merged log); null: all.</summary>
        public int? Tail { get; set; }

        /// <summary>Only lines written at or after this time.</summary>
        public DateTimeOffset? Since { get; set; }

        /// <summary>Only lines written before this time; with Follow, reading ends there.</summary>
        public DateTimeOffset? Until { get; set; }

        /// <summary>Stdout, Stderr or All (the default).</summary>
        public ContainerLogStream Streams { get; set; } = ContainerLogStream.All;
    }

    public sealed partial class ContainerOperations
    {
        /// <summary>
        /// Reads a container's log (docker logs -t) as records, streamed: onRecords gets the lines of each read from
        /// the engine as one batch (in the engine's order; a new list each time, the callee may keep it), on the
        /// reading thread. With Follow it returns when the container stops, the Until time is reached, or the token
        /// is cancelled (then the request is aborted and its connection closed). The engine's own error frames
        /// become a ContainerLogReadFailed error after the lines before them were handed on.
        /// </summary>
        public async Task ReadLogAsync(string reference, ContainerLogQuery query, Action<IReadOnlyList<ContainerLogRecord>> onRecords,
            CancellationToken cancellationToken = default)
        {
            if (query.Tail < 0)
            {
                throw new InvalidSpecException("InvalidLogTail", $"-Tail must be 0 or more, not {query.Tail}.", query.Tail);
            }

            if ((query.Streams & ContainerLogStream.All) == 0)
            {
                throw new InvalidSpecException("InvalidLogStream", "Choose Stdout, Stderr or All for the log streams.", query.Streams);
            }

            var (id, name, tty) = await InspectForLogAsync(reference, cancellationToken).ConfigureAwait(false);
            var path = new System.Text.StringBuilder($"/containers/{id}/logs?timestamps=1");
            path.Append("&follow=").Append(query.Follow ? '1' : '0');
            path.Append("&stdout=").Append((query.Streams & ContainerLogStream.Stdout) != 0 ? '1' : '0');
            path.Append("&stderr=").Append((query.Streams & ContainerLogStream.Stderr) != 0 ? '1' : '0');
            path.Append("&tail=").Append(query.Tail == null ? "all" : query.Tail.Value.ToString(CultureInfo.InvariantCulture));
            if (query.Since != null)
            {
                path.Append("&since=").Append(TimeArgument.ToQueryValue(query.Since.Value));
            }

            if (query.Until != null)
            {
                path.Append("&until=").Append(TimeArgument.ToQueryValue(query.Until.Value));
            }

            await EngineCall.RunAsync(_engine, Kind, name, async c =>
            {
                using var response = await StreamingGet.SendAsync(c, c.ApiPath(path.ToString()), cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw LogError(response.StatusCode, await response.ReadTextAsync().ConfigureAwait(false), name);
                }

                var batch = new List<ContainerLogRecord>();
                string? engineError = null;
                var demultiplexer = new StreamDemultiplexer(response.Body, multiplexed: !tty, timestamps: true,
                    (s, time, text) =>
                    {
                        if (s == OutputStream.System)
                        {
                            engineError = engineError == null ? text : engineError + " " + text;
                            return;
                        }

                        batch.Add(new ContainerLogRecord(_engine, name, id, s == OutputStream.Stderr ? ContainerLogStream.Stderr : ContainerLogStream.Stdout, time, text));
                    },
                    () =>
                    {
                        if (batch.Count > 0)
                        {
                            var full = batch;
                            batch = new List<ContainerLogRecord>(full.Count);
                            onRecords(full);
                        }
                    });

                // Ending the response (its connection) is what ends a read the transport does not cancel by the token alone.
                using (cancellationToken.Register(response.Dispose))
                {
                    if (response.Synchronous)
                    {
                        await Task.Factory.StartNew(() => demultiplexer.Run(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                            .ConfigureAwait(false);
                    }
                    else
                    {
                        await demultiplexer.RunAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                if (engineError != null)
                {
                    throw new ContainerEngineException("ContainerLogReadFailed", EngineErrorKind.OperationFailed,
                        $"The engine stopped reading the log of container '{name}': {engineError.Trim()}", name);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        // GET /containers/{ref}/json: the id and name to label records with, and whether the output is a raw TTY stream.
        private Task<(string Id, string Name, bool Tty)> InspectForLogAsync(string reference, CancellationToken cancellationToken)
        {
            var r = (reference ?? string.Empty).Trim().TrimStart('/');
            if (r.Length == 0)
            {
                throw new InvalidSpecException("InvalidContainerReference", "The container name or id is empty.", reference);
            }

            return EngineCall.RunAsync(_engine, Kind, r, async c =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, c.ApiPath($"/containers/{Uri.EscapeDataString(r)}/json"));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    throw NotFound(r);
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new DockerApiException(response.StatusCode, body);
                }

                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                var id = String(root, "Id") ?? r;
                var name = (String(root, "Name") ?? id).TrimStart('/');
                var tty = root.TryGetProperty("Config", out var config) && config.ValueKind == JsonValueKind.Object &&
                          config.TryGetProperty("Tty", out var t) && t.ValueKind == JsonValueKind.True;
                return (id, name, tty);
            }, cancellationToken);
        }

        private static ContainerEngineException LogError(HttpStatusCode status, string body, string name)
        {
            var message = EngineCall.ApiMessage(body);
            if (message.IndexOf("does not support reading", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ContainerEngineException("ContainerLogNotReadable", EngineErrorKind.NotSupported,
                    $"The log of container '{name}' cannot be read: {message}. Only containers whose logging driver keeps the log on the engine " +
                    "(json-file, local, journald, or any driver with dual logging) have a log to read.", name);
            }

            return EngineCall.Translate(status, message, Kind, name, null);
        }
    }
}
