using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Docker.DotNet;

namespace ContainerTools.Engine.Containers
{
    /// <summary>Which engine events to read (docker events options).</summary>
    public sealed class ContainerEventQuery
    {
        /// <summary>The filter keys the engine knows for events (older engines ignore an unknown key instead of refusing it, so it is checked here).</summary>
        public static readonly IReadOnlyList<string> FilterKeys = new[]
        {
            "config", "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret", "service", "type", "volume",
        };

        /// <summary>Events at or after this time. Without it: the last hour (DefaultWindow) when not following, only new events when following.</summary>
        public DateTimeOffset? Since { get; set; }

        /// <summary>Events before this time. Without Follow, a time later than now counts as now.</summary>
        public DateTimeOffset? Until { get; set; }

        /// <summary>Keep reading new events until Until (or until the caller cancels), as docker events does.</summary>
        public bool Follow { get; set; }

        /// <summary>The engine's event filters: key (type, event, container, image, label, network, volume, daemon, plugin, scope, service, node, secret, config) to values; values of one key are alternatives, keys must all hold.</summary>
        public IDictionary<string, IList<string>> Filters { get; } = new SortedDictionary<string, IList<string>>(StringComparer.Ordinal);

        public ContainerEventQuery AddFilter(string key, string value)
        {
            var k = (key ?? string.Empty).Trim();
            if (k.Length == 0)
            {
                throw new InvalidSpecException("InvalidEventFilter", $"The event filter '{key}={value}' has no key: write it as 'key=value', e.g. 'type=container'.", key);
            }

            if (!FilterKeys.Contains(k))
            {
                throw new InvalidSpecException("InvalidEventFilter",
                    $"'{k}' is not an event filter: the keys are {string.Join(", ", FilterKeys)}.", key);
            }

            if (!Filters.TryGetValue(k, out var values))
            {
                Filters[k] = values = new List<string>();
            }

            if (!values.Contains(value))
            {
                values.Add(value);
            }

            return this;
        }

        /// <summary>Adds a filter written as docker writes it: 'key=value' (the value may itself hold '=', as in 'label=a=b').</summary>
        public ContainerEventQuery AddFilter(string keyEqualsValue)
        {
            var text = (keyEqualsValue ?? string.Empty).Trim();
            var eq = text.IndexOf('=');
            if (eq <= 0)
            {
                throw new InvalidSpecException("InvalidEventFilter",
                    $"The event filter '{keyEqualsValue}' is not 'key=value': write e.g. 'type=container', 'event=start' or 'label=app=web'.", keyEqualsValue);
            }

            return AddFilter(text.Substring(0, eq), text.Substring(eq + 1));
        }
    }

    public sealed partial class SystemOperations
    {
        /// <summary>How far back events are read without Since and without Follow.</summary>
        public static readonly TimeSpan DefaultEventWindow = TimeSpan.FromHours(1);

        /// <summary>
        /// Reads engine events (docker events) in the order the engine sends them. Without Follow it reads from Since
        /// (default: DefaultEventWindow ago) up to now and returns; with Follow it keeps reading until Until or until
        /// the token is cancelled (then the request is aborted and its connection closed). onEvent runs on the reading
        /// thread.
        /// </summary>
        public Task ReadEventsAsync(ContainerEventQuery query, Action<ContainerEngineEvent> onEvent, CancellationToken cancellationToken = default)
        {
            var now = DateTimeOffset.UtcNow;
            var since = query.Since;
            var until = query.Until;
            if (!query.Follow)
            {
                since ??= now - DefaultEventWindow;
                until = until == null || until > now ? now : until;
            }

            var path = new StringBuilder("/events");
            var separator = '?';
            void Add(string key, string value)
            {
                path.Append(separator).Append(key).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }

            if (since != null)
            {
                Add("since", TimeArgument.ToQueryValue(since.Value));
            }

            if (until != null)
            {
                Add("until", TimeArgument.ToQueryValue(until.Value));
            }

            if (query.Filters.Count > 0)
            {
                Add("filters", JsonSerializer.Serialize(query.Filters.ToDictionary(f => f.Key, f => f.Value.ToDictionary(v => v, _ => true))));
            }

            return EngineCall.RunAsync(_engine, "Event", _engine.Name, async c =>
            {
                using var response = await StreamingGet.SendAsync(c, c.ApiPath(path.ToString()), cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.ReadTextAsync().ConfigureAwait(false);
                    if (response.StatusCode == System.Net.HttpStatusCode.BadRequest)
                    {
                        throw new ContainerEngineException("InvalidEventQuery", EngineErrorKind.InvalidArgument,
                            $"The engine refused the event query: {EngineCall.ApiMessage(body)}. Filter keys are type, event, container, image, label, network, " +
                            "volume, daemon, plugin, scope, service, node, secret and config; -Since must come before -Until.", _engine.Name);
                    }

                    throw new DockerApiException(response.StatusCode, body);
                }

                void Handle(string line)
                {
                    if (line.Trim().Length > 0)
                    {
                        onEvent(ParseEvent(line));
                    }
                }

                using var reader = new StreamReader(response.Body, new UTF8Encoding(false));
                using (cancellationToken.Register(response.Dispose))
                {
                    if (response.Synchronous)
                    {
                        await Task.Factory.StartNew(() =>
                        {
                            string? line;
                            while ((line = ReadLine(() => reader.ReadLine(), cancellationToken)) != null)
                            {
                                Handle(line);
                            }
                        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                    }
                    else
                    {
                        string? line;
                        while ((line = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false)) != null)
                        {
                            Handle(line);
                        }
                    }
                }

                return true;
            }, cancellationToken);
        }

        // A read that ends because the response was ended by a cancel is a cancel; so is the end it may read as.
        private static string? ReadLine(Func<string?> read, CancellationToken cancellationToken)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var line = read();
                cancellationToken.ThrowIfCancellationRequested();
                return line;
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var line = await reader.ReadLineAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                return line;
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        internal ContainerEngineEvent ParseEvent(string json)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var type = EngineJson.String(root, "Type") ?? string.Empty;
            var action = EngineJson.String(root, "Action") ?? EngineJson.String(root, "status") ?? string.Empty;
            var actor = EngineJson.Element(root, "Actor");
            var id = EngineJson.String(actor, "ID") ?? EngineJson.String(root, "id") ?? string.Empty;
            var attributes = EngineJson.Map(actor, "Attributes");

            DateTimeOffset time;
            if (root.TryGetProperty("timeNano", out var nano) && nano.ValueKind == JsonValueKind.Number && nano.TryGetInt64(out var ns) && ns > 0)
            {
                time = DateTimeOffset.FromUnixTimeSeconds(0).AddTicks(ns / 100);
            }
            else if (root.TryGetProperty("time", out var seconds) && seconds.ValueKind == JsonValueKind.Number && seconds.TryGetInt64(out var s))
            {
                time = DateTimeOffset.FromUnixTimeSeconds(s);
            }
            else
            {
                time = default;
            }

            attributes.TryGetValue("name", out var name);
            return new ContainerEngineEvent(_engine, type, action, id, name, attributes, EngineJson.String(root, "scope") ?? "local", time);
        }
    }
}
