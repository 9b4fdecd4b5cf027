using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Docker.DotNet;
using Docker.DotNet.Models;
using Container = ContainerTools.Engine.Model.Container;
using RestartPolicy = ContainerTools.Engine.Model.RestartPolicy;

namespace ContainerTools.Engine.Containers
{
    /// <summary>The container lifecycle on one engine. Every method is async, cancellable and idempotent where docker's verb allows.</summary>
    public sealed partial class ContainerOperations
    {
        private const string Kind = "Container";
        private static readonly Regex FullId = new Regex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);
        private static readonly Regex HexPrefix = new Regex("^[0-9a-f]{1,63}$", RegexOptions.CultureInvariant);
        private readonly ContainerEngineConnection _engine;

        internal ContainerOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>Lists containers in every state (docker ps -a) that match the query, newest first as the engine orders them.</summary>
        public async Task<IReadOnlyList<Container>> ListAsync(ContainerQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new ContainerQuery();
            var filters = new EngineFilters();
            foreach (var id in query.Ids)
            {
                filters.Add("id", id.Trim());
            }

            foreach (var state in query.States)
            {
                filters.Add("status", state.ToString().ToLowerInvariant());
            }

            foreach (var label in query.Labels)
            {
                filters.Add("label", label);
            }

            // One exact name (no wildcards) is filtered by the engine; patterns are matched here.
            var patterns = query.Names.Select(n => Wildcard.ToRegex(n)).ToList();
            if (query.Names.Count == 1 && !Wildcard.HasWildcards(query.Names[0]))
            {
                filters.Add("name", "^/" + Regex.Escape(Wildcard.Unescape(query.Names[0])) + "$");
            }

            var items = await QueryAsync(filters, null, cancellationToken).ConfigureAwait(false);
            return items
                .Where(c => patterns.Count == 0 || patterns.Any(p => p.IsMatch(c.Name)))
                .ToList();
        }

        /// <summary>
        /// Finds one container by full id, exact name or unique id prefix, in docker's order; throws
        /// ResourceNotFoundException when none, and an ambiguity error when a prefix matches several.
        /// </summary>
        public async Task<Container> GetAsync(string reference, CancellationToken cancellationToken = default)
        {
            var found = await TryGetAsync(reference, cancellationToken).ConfigureAwait(false);
            return found ?? throw NotFound(reference);
        }

        /// <summary>As GetAsync, but null when no container matches.</summary>
        public async Task<Container?> TryGetAsync(string reference, CancellationToken cancellationToken = default)
        {
            var r = (reference ?? string.Empty).Trim().TrimStart('/');
            if (r.Length == 0)
            {
                throw new InvalidSpecException("InvalidContainerReference", "The container name or id is empty.", reference);
            }

            if (FullId.IsMatch(r))
            {
                return (await ListByFilterAsync("id", r, cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.Id == r);
            }

            var byName = (await ListByFilterAsync("name", "^/" + Regex.Escape(r) + "$", cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(c => c.Name == r);
            if (byName != null || !HexPrefix.IsMatch(r))
            {
                return byName;
            }

            var byPrefix = (await ListByFilterAsync("id", r, cancellationToken).ConfigureAwait(false))
                .Where(c => c.Id.StartsWith(r, StringComparison.Ordinal)).ToList();
            if (byPrefix.Count > 1)
            {
                throw new ContainerEngineException("AmbiguousContainerId", EngineErrorKind.InvalidArgument,
                    $"The id prefix '{r}' matches {byPrefix.Count} containers ({string.Join(", ", byPrefix.Select(c => c.Name))}). Give more characters of the id, or the name.",
                    r);
            }

            return byPrefix.FirstOrDefault();
        }

        /// <summary>Creates a container (docker create). Every value is validated before the engine is asked anything.</summary>
        public async Task<Container> CreateAsync(ContainerCreateSpec spec, CancellationToken cancellationToken = default)
        {
            var id = await CreateCoreAsync(spec, cancellationToken).ConfigureAwait(false);
            try
            {
                return await GetAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await RemoveQuietlyAsync(id).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Creates and starts (docker run -d). If the start fails, the new container is removed again.</summary>
        public async Task<Container> CreateAndStartAsync(ContainerCreateSpec spec, CancellationToken cancellationToken = default)
        {
            // Only the started container is returned, so it is read once, after the start (not also after the create).
            var id = await CreateCoreAsync(spec, cancellationToken).ConfigureAwait(false);
            try
            {
                await StartAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                await RemoveQuietlyAsync(id).ConfigureAwait(false);
                throw;
            }

            return await GetAsync(id, cancellationToken).ConfigureAwait(false);
        }

        // docker create: validates the spec, creates, returns the new id.
        private async Task<string> CreateCoreAsync(ContainerCreateSpec spec, CancellationToken cancellationToken)
        {
            var parameters = ContainerSpecBuilder.Build(spec);
            var created = await EngineCall.RunAsync(_engine, Kind, spec.Name ?? spec.Image,
                c => c.Docker.Containers.CreateContainerAsync(parameters, cancellationToken), cancellationToken).ConfigureAwait(false);
            return created.ID;
        }

        /// <summary>Starts a container; true if it was started, false if it was already running.</summary>
        public Task<bool> StartAsync(string reference, CancellationToken cancellationToken = default) =>
            EngineCall.RunAsync(_engine, Kind, reference,
                c => c.Docker.Containers.StartContainerAsync(reference, new ContainerStartParameters(), cancellationToken), cancellationToken);

        /// <summary>Stops a container (SIGTERM, then SIGKILL after timeoutSeconds); false if it was not running.</summary>
        public async Task<bool> StopAsync(string reference, int? timeoutSeconds = null, CancellationToken cancellationToken = default)
        {
            // Sent as a raw request: the library leaves t out when it is 0, which means "kill at once" to docker.
            var status = await RawPostAsync(reference, "stop", timeoutSeconds, cancellationToken).ConfigureAwait(false);
            return status != HttpStatusCode.NotModified;
        }

        /// <summary>Sends a signal (docker kill); false when the container was not running.</summary>
        public async Task<bool> KillAsync(string reference, string signal, CancellationToken cancellationToken = default)
        {
            try
            {
                await EngineCall.RunAsync(_engine, Kind, reference,
                    c => c.Docker.Containers.KillContainerAsync(reference, new ContainerKillParameters { Signal = signal }, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ContainerEngineException e) when (e.Message.IndexOf("is not running", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return false;
            }
        }

        public Task RestartAsync(string reference, int? timeoutSeconds = null, CancellationToken cancellationToken = default) =>
            RawPostAsync(reference, "restart", timeoutSeconds, cancellationToken);

        // POST /containers/{id}/{verb}[?t=N]; API errors become our exceptions as with every other call.
        private Task<HttpStatusCode> RawPostAsync(string reference, string verb, int? timeoutSeconds, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, reference, async c =>
            {
                var query = timeoutSeconds == null ? string.Empty : "?t=" + Math.Max(0, timeoutSeconds.Value).ToString(CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, c.ApiPath($"/containers/{Uri.EscapeDataString(reference)}/{verb}{query}"));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified)
                {
                    throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                }

                return response.StatusCode;
            }, cancellationToken);

        /// <summary>Pauses; false if it was already paused.</summary>
        public async Task<bool> PauseAsync(string reference, CancellationToken cancellationToken = default)
        {
            try
            {
                await EngineCall.RunAsync(_engine, Kind, reference, c => c.Docker.Containers.PauseContainerAsync(reference, cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
                return true;
            }
            catch (ContainerEngineException e) when (e.Message.IndexOf("already paused", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return false;
            }
        }

        /// <summary>Resumes; false if it was not paused.</summary>
        public async Task<bool> UnpauseAsync(string reference, CancellationToken cancellationToken = default)
        {
            try
            {
                await EngineCall.RunAsync(_engine, Kind, reference, c => c.Docker.Containers.UnpauseContainerAsync(reference, cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
                return true;
            }
            catch (ContainerEngineException e) when (e.Message.IndexOf("not paused", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return false;
            }
        }

        /// <summary>Removes a container; with force a running one is killed first and a missing one is no error (returns false).</summary>
        public async Task<bool> RemoveAsync(string reference, bool force = false, bool removeVolumes = false, CancellationToken cancellationToken = default)
        {
            try
            {
                await EngineCall.RunAsync(_engine, Kind, reference,
                    c => c.Docker.Containers.RemoveContainerAsync(reference, new ContainerRemoveParameters { Force = force, RemoveVolumes = removeVolumes }, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ResourceNotFoundException) when (force)
            {
                return false;
            }
            catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict && e.Message.IndexOf("already in progress", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // Someone else (AutoRemove, another runbook) is removing it: the end state is the one asked for.
                return false;
            }
        }

        public Task RenameAsync(string reference, string newName, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(newName))
            {
                throw new InvalidSpecException("InvalidContainerName", "The new name is empty.", newName);
            }

            return EngineCall.RunAsync(_engine, Kind, reference,
                c => c.Docker.Containers.RenameContainerAsync(reference, new ContainerRenameParameters { NewName = newName.Trim() }, cancellationToken),
                cancellationToken);
        }

        /// <summary>Changes resources and restart policy of an existing container (docker update).</summary>
        public Task UpdateAsync(string reference, string? memory, double? cpus, RestartPolicy? restartPolicy, int? maximumRetryCount,
            CancellationToken cancellationToken = default)
        {
            var update = new ContainerUpdateParameters();
            if (memory != null)
            {
                var bytes = ValueParsers.ParseBytes(memory, "Memory");
                update.Memory = bytes;
                // docker update --memory also raises the swap limit when it would fall below the memory limit.
                update.MemorySwap = -1;
            }

            if (cpus != null)
            {
                update.NanoCPUs = ValueParsers.ToNanoCpus(cpus.Value);
            }

            if (restartPolicy != null || maximumRetryCount != null)
            {
                update.RestartPolicy = ContainerSpecBuilder.ToRestartPolicy(restartPolicy ?? RestartPolicy.OnFailure, maximumRetryCount);
            }

            return EngineCall.RunAsync(_engine, Kind, reference,
                c => c.Docker.Containers.UpdateContainerAsync(reference, update, cancellationToken), cancellationToken);
        }

        /// <summary>Waits until the condition holds and returns the exit code; throws a Timeout error after timeout.</summary>
        public async Task<ContainerExit> WaitAsync(string reference, WaitCondition condition = WaitCondition.NotRunning, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default)
        {
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            var conditionText = condition switch
            {
                WaitCondition.NextExit => "next-exit",
                WaitCondition.Removed => "removed",
                _ => "not-running",
            };
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout != null)
            {
                limit.CancelAfter(timeout.Value);
            }

            try
            {
                var body = await EngineCall.RunAsync(_engine, Kind, reference, async c =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, c.ApiPath($"/containers/{container.Id}/wait?condition={conditionText}"));
                    using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, limit.Token).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new DockerApiException(response.StatusCode, text);
                    }

                    return text;
                }, limit.Token).ConfigureAwait(false);

                using var doc = JsonDocument.Parse(body);
                var exitCode = doc.RootElement.TryGetProperty("StatusCode", out var sc) ? sc.GetInt64() : -1;
                string? error = null;
                if (doc.RootElement.TryGetProperty("Error", out var err) && err.ValueKind == JsonValueKind.Object &&
                    err.TryGetProperty("Message", out var msg))
                {
                    error = msg.GetString();
                }

                var latest = condition == WaitCondition.Removed ? container : (await TryGetAsync(container.Id, cancellationToken).ConfigureAwait(false)) ?? container;
                return new ContainerExit(latest, exitCode, string.IsNullOrEmpty(error) ? null : error);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout != null)
            {
                throw new ContainerEngineException("WaitTimeout", EngineErrorKind.Timeout,
                    $"Container '{container.Name}' did not reach '{condition}' within {timeout.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds.",
                    container.Name);
            }
        }

        /// <summary>
        /// Runs a container to completion (docker run --rm, without a console): creates, starts, collects
        /// stdout and stderr lines as they come (onLine sees each), waits, and removes it unless keepContainer.
        /// If anything fails or the caller cancels, the container is removed all the same.
        /// </summary>
        public async Task<ContainerRunResult> RunAsync(ContainerCreateSpec spec, bool keepContainer = false,
            Action<OutputStream, string>? onLine = null, CancellationToken cancellationToken = default)
        {
            spec.AutoRemove = false; // we remove it ourselves, after reading its output
            var stopwatch = Stopwatch.StartNew();
            var container = await CreateAsync(spec, cancellationToken).ConfigureAwait(false);
            var streamed = new Dictionary<OutputStream, int>();
            var removed = false;
            try
            {
                await StartAsync(container.Id, cancellationToken).ConfigureAwait(false);
                await ReadOutputAsync(container.Id, spec.Tty, follow: true, (stream, line) =>
                {
                    streamed[stream] = streamed.TryGetValue(stream, out var n) ? n + 1 : 1;
                    onLine?.Invoke(stream, line);
                }, cancellationToken).ConfigureAwait(false);
                var exit = await WaitAsync(container.Id, WaitCondition.NotRunning, null, cancellationToken).ConfigureAwait(false);

                // A following reader can end before the engine has written the last lines; once the container has
                // exited its log is complete, so read it whole and hand on what the live reader did not see.
                var output = new List<string>();
                var errors = new List<string>();
                var seen = new Dictionary<OutputStream, int>();
                await ReadOutputAsync(container.Id, spec.Tty, follow: false, (stream, line) =>
                {
                    (stream == OutputStream.Stdout ? output : errors).Add(line);
                    seen[stream] = seen.TryGetValue(stream, out var n) ? n + 1 : 1;
                    if (seen[stream] > (streamed.TryGetValue(stream, out var live) ? live : 0))
                    {
                        onLine?.Invoke(stream, line);
                    }
                }, cancellationToken).ConfigureAwait(false);
                if (!keepContainer)
                {
                    removed = await RemoveAsync(container.Id, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return new ContainerRunResult(container.Id, container.Name, spec.Image, exit.ExitCode, output, errors, stopwatch.Elapsed, removed, _engine);
            }
            catch (Exception)
            {
                if (!keepContainer)
                {
                    await RemoveQuietlyAsync(container.Id).ConfigureAwait(false);
                }

                throw;
            }
        }

        /// <summary>Reads a container's stdout/stderr lines from its start; with follow, until it stops.</summary>
        internal Task ReadOutputAsync(string id, bool tty, bool follow, Action<OutputStream, string> onLine, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, id, async c =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, c.ApiPath($"/containers/{id}/logs?follow={(follow ? 1 : 0)}&stdout=1&stderr=1"));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                }

                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                using (cancellationToken.Register(() => stream.Dispose()))
                {
                    await new StreamDemultiplexer(stream, multiplexed: !tty, onLine).RunAsync(cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken);

        // Clean-up after a failure or a cancel: its own short time box, never the caller's (already cancelled) token.
        internal async Task RemoveQuietlyAsync(string id)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await RemoveAsync(id, force: true, removeVolumes: false, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The original failure is what the user needs to see.
            }
        }

        private Task<List<Container>> ListByFilterAsync(string key, string value, CancellationToken cancellationToken)
        {
            return QueryAsync(EngineFilters.Of(key, value), value, cancellationToken);
        }

        /// <summary>
        /// GET /containers/json?all=1&amp;filters=... (docker ps -a with filters), read straight into our model. Every look-up
        /// (Get-Container, the container New-Container and -PassThru return) is this one request, so it is made on the raw
        /// client: through Docker.DotNet (query string built by reflection, a full DTO tree deserialized, then mapped) it
        /// took 0.1-0.2 ms more client time per call, against 0.3-0.4 ms for the engine to answer. Errors are the library's
        /// DockerApiException, translated by EngineCall as before.
        /// </summary>
        private Task<List<Container>> QueryAsync(EngineFilters filters, string? target, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, target, async c =>
            {
                var query = filters.Values.Count == 0 ? string.Empty : "&filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(filters.Values));
                using var request = new HttpRequestMessage(HttpMethod.Get, c.ApiPath("/containers/json?all=1" + query));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                }

                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                using var doc = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                var containers = new List<Container>(doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.GetArrayLength() : 0);
                if (doc.RootElement.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in doc.RootElement.EnumerateArray())
                    {
                        containers.Add(ToContainer(item));
                    }
                }

                return containers;
            }, cancellationToken);

        private ResourceNotFoundException NotFound(string reference) =>
            new ResourceNotFoundException(Kind, reference,
                $"No container with the name or id '{reference}' exists on {_engine.Name}. Get-Container lists the containers there.");

        // One entry of GET /containers/json, mapped as docker ps shows it (the same mapping the Docker.DotNet model had).
        private Container ToContainer(JsonElement item)
        {
            var id = String(item, "Id") ?? string.Empty;
            string? firstName = null;
            if (item.TryGetProperty("Names", out var names) && names.ValueKind == JsonValueKind.Array && names.GetArrayLength() > 0)
            {
                firstName = names[0].ValueKind == JsonValueKind.String ? names[0].GetString() : null;
            }

            var name = firstName?.TrimStart('/') ?? id.Substring(0, 12);
            var ports = new List<(int Private, string? Type, string? IP, int? Public)>();
            if (item.TryGetProperty("Ports", out var portArray) && portArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in portArray.EnumerateArray())
                {
                    var privatePort = p.TryGetProperty("PrivatePort", out var priv) && priv.ValueKind == JsonValueKind.Number ? priv.GetUInt16() : 0;
                    int? publicPort = p.TryGetProperty("PublicPort", out var pub) && pub.ValueKind == JsonValueKind.Number ? pub.GetUInt16() : (int?)null;
                    ports.Add((privatePort, String(p, "Type"), String(p, "IP"), publicPort));
                }
            }

            var containerPorts = ports
                .OrderBy(p => p.Private).ThenBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.IP, StringComparer.Ordinal)
                .Select(p => new ContainerPort(p.Private, p.Type ?? "tcp", p.IP, p.Public))
                .ToList();
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.TryGetProperty("Labels", out var labelObject) && labelObject.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in labelObject.EnumerateObject())
                {
                    labels[label.Name] = label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : label.Value.GetRawText();
                }
            }

            var networks = new List<string>();
            if (item.TryGetProperty("NetworkSettings", out var settings) && settings.ValueKind == JsonValueKind.Object &&
                settings.TryGetProperty("Networks", out var networkObject) && networkObject.ValueKind == JsonValueKind.Object)
            {
                foreach (var network in networkObject.EnumerateObject())
                {
                    networks.Add(network.Name);
                }

                networks.Sort(StringComparer.Ordinal);
            }

            var created = item.TryGetProperty("Created", out var createdValue) && createdValue.ValueKind == JsonValueKind.Number
                ? DateTimeOffset.FromUnixTimeSeconds(createdValue.GetInt64())
                : new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            return new Container(_engine, id, name, String(item, "Image") ?? string.Empty, String(item, "ImageID") ?? string.Empty,
                String(item, "Command") ?? string.Empty, created, Container.ParseState(String(item, "State")), String(item, "Status") ?? string.Empty,
                containerPorts, labels, networks);
        }

        private static string? String(JsonElement item, string property) =>
            item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
