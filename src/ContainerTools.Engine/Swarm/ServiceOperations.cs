using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Swarm
{
    /// <summary>Which tasks to list, by what the swarm wants of them (docker service ps --filter desired-state=…).</summary>
    public enum ServiceTaskState
    {
        /// <summary>Every task the swarm still remembers, current and past (docker service ps's default).</summary>
        All,
        Running,
        Shutdown,
    }

    /// <summary>Where a service stands while it converges (for progress).</summary>
    public sealed class ServiceConvergence
    {
        internal ServiceConvergence(string service, long running, long desired, string updateState)
        {
            Service = service;
            Running = running;
            Desired = desired;
            UpdateState = updateState;
        }

        public string Service { get; }

        /// <summary>Tasks of the current spec that run.</summary>
        public long Running { get; }

        public long Desired { get; }

        public string UpdateState { get; }
    }

    /// <summary>Swarm services on a manager (docker service create / ls / inspect / update / rm / ps).</summary>
    public sealed class ServiceOperations
    {
        private const string Kind = "Service";
        private readonly ContainerEngineConnection _engine;

        internal ServiceOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>How often WaitForConvergenceAsync looks.</summary>
        internal static TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>Creates a service (docker service create). A service of that name is a ServiceExists error naming Set-ContainerService.</summary>
        public async Task<ContainerService> CreateAsync(ServiceSpecification specification, CancellationToken cancellationToken = default)
        {
            specification.Validate();
            if (await TryGetAsync(specification.Name, cancellationToken).ConfigureAwait(false) != null)
            {
                throw Exists(specification.Name);
            }

            var id = await EngineCall.RunAsync(_engine, Kind, specification.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/services/create", ServiceSpecJson.ToEngine(specification), cancellationToken).ConfigureAwait(false);
                await CheckManagerAsync(status, text, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.Conflict)
                {
                    throw Exists(specification.Name);
                }

                EngineCall.Check(status, text, Kind, specification.Name);
                using var doc = JsonDocument.Parse(text);
                return EngineJson.String(doc.RootElement, "ID") ?? specification.Name;
            }, cancellationToken).ConfigureAwait(false);
            return await GetAsync(id, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Services in name order (docker service ls), with running and desired task counts; names may be wildcards, labels 'key' or 'key=value'.</summary>
        public async Task<IReadOnlyList<ContainerService>> ListAsync(IEnumerable<string>? names = null, IEnumerable<string>? labels = null,
            CancellationToken cancellationToken = default)
        {
            var filters = new EngineFilters();
            foreach (var label in labels ?? Array.Empty<string>())
            {
                filters.Add("label", label);
            }

            var patterns = (names ?? Array.Empty<string>()).Select(Wildcard.ToRegex).ToList();
            var services = await QueryAsync(EngineJson.FilterQuery(filters, '&'), cancellationToken).ConfigureAwait(false);
            return services.Where(s => patterns.Count == 0 || patterns.Any(p => p.IsMatch(s.Name))).ToList();
        }

        /// <summary>One service by name, id or id prefix; ServiceNotFound when there is none.</summary>
        public async Task<ContainerService> GetAsync(string reference, CancellationToken cancellationToken = default) =>
            await TryGetAsync(reference, cancellationToken).ConfigureAwait(false) ?? throw NotFound(reference);

        /// <summary>One service by name, id or id prefix; null when there is none.</summary>
        public async Task<ContainerService?> TryGetAsync(string reference, CancellationToken cancellationToken = default)
        {
            var raw = await InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            if (raw == null)
            {
                return null;
            }

            // The counts of running and desired tasks come only with the list (status=true).
            var filters = new EngineFilters();
            filters.Add("id", raw.Id);
            var listed = await QueryAsync(EngineJson.FilterQuery(filters, '&'), cancellationToken).ConfigureAwait(false);
            return listed.FirstOrDefault(s => s.Id == raw.Id);
        }

        /// <summary>
        /// Changes a service to the whole desired specification (docker service update). Only the settings that differ are
        /// sent; when none differ (and not force) nothing is sent and the tasks keep running: returns false. force redeploys
        /// every task even when nothing changed (docker service update --force).
        /// </summary>
        public Task<(ContainerService Service, bool Updated)> UpdateAsync(ServiceSpecification desired, bool force = false, CancellationToken cancellationToken = default)
        {
            desired.Validate();
            return UpdateAsync(desired.Name, _ => desired, force, cancellationToken);
        }

        /// <summary>
        /// Changes a service: edit gets a copy of its current specification and returns the desired one. The edit is applied to
        /// the service as the engine has it now: on a version conflict (someone else updated it meanwhile) it is read and
        /// edited again, once.
        /// </summary>
        public async Task<(ContainerService Service, bool Updated)> UpdateAsync(string reference, Func<ServiceSpecification, ServiceSpecification> edit, bool force = false,
            CancellationToken cancellationToken = default)
        {
            for (var attempt = 1; ; attempt++)
            {
                var raw = await InspectAsync(reference, cancellationToken).ConfigureAwait(false) ?? throw NotFound(reference);
                using var doc = JsonDocument.Parse(raw.Json);
                var specElement = EngineJson.Element(doc.RootElement, "Spec");
                var current = ServiceSpecJson.FromEngine(specElement);
                var desired = edit(current.Clone());
                desired.Validate();
                if (!string.Equals(desired.Name, current.Name, StringComparison.Ordinal))
                {
                    throw new InvalidSpecException("ServiceRenameNotSupported", $"A service cannot be renamed ('{current.Name}' to '{desired.Name}'): create a new one instead.", reference);
                }

                var tree = (SortedDictionary<string, object?>)ServiceSpecJson.Tree(specElement)!;
                var changed = ServiceSpecJson.Apply(tree, current, desired);
                if (force)
                {
                    var template = tree.TryGetValue("TaskTemplate", out var t) && t is SortedDictionary<string, object?> tt ? tt : new SortedDictionary<string, object?>(StringComparer.Ordinal);
                    tree["TaskTemplate"] = template;
                    template["ForceUpdate"] = EngineJson.Long(EngineJson.Element(specElement, "TaskTemplate"), "ForceUpdate", 0) + 1;
                    changed = true;
                }

                if (!changed)
                {
                    return (await GetAsync(raw.Id, cancellationToken).ConfigureAwait(false), false);
                }

                var conflict = await EngineCall.RunAsync(_engine, Kind, current.Name, async c =>
                {
                    var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, $"/services/{raw.Id}/update?version={raw.Version}", tree, cancellationToken)
                        .ConfigureAwait(false);
                    await CheckManagerAsync(status, text, cancellationToken).ConfigureAwait(false);
                    if (!EngineCall.IsSuccess(status) && EngineCall.ApiMessage(text).IndexOf("out of sequence", StringComparison.OrdinalIgnoreCase) >= 0 && attempt == 1)
                    {
                        return true;
                    }

                    if (status == HttpStatusCode.NotFound)
                    {
                        throw NotFound(reference);
                    }

                    EngineCall.Check(status, text, Kind, current.Name);
                    return false;
                }, cancellationToken).ConfigureAwait(false);
                if (!conflict)
                {
                    return (await GetAsync(raw.Id, cancellationToken).ConfigureAwait(false), true);
                }
            }
        }

        /// <summary>Removes a service and so its tasks (docker service rm); false when there was none.</summary>
        public async Task<bool> RemoveAsync(string reference, CancellationToken cancellationToken = default)
        {
            var raw = await InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            if (raw == null)
            {
                return false;
            }

            return await EngineCall.RunAsync(_engine, Kind, reference, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Delete, "/services/" + raw.Id, null, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return false;
                }

                await CheckManagerAsync(status, text, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, reference);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The tasks of a service (or of every service when null), as docker service ps lists them: by service, then slot,
        /// the newest task of a slot first.
        /// </summary>
        public async Task<IReadOnlyList<ContainerServiceTask>> ListTasksAsync(string? service = null, ServiceTaskState desiredState = ServiceTaskState.All,
            CancellationToken cancellationToken = default)
        {
            var filters = new EngineFilters();
            string? serviceId = null;
            if (service != null)
            {
                var raw = await InspectAsync(service, cancellationToken).ConfigureAwait(false) ?? throw NotFound(service);
                serviceId = raw.Id;
                filters.Add("service", serviceId);
            }

            if (desiredState != ServiceTaskState.All)
            {
                filters.Add("desired-state", desiredState.ToString().ToLowerInvariant());
            }

            return await EngineCall.RunAsync(_engine, "ServiceTask", service, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/tasks" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                await CheckManagerAsync(status, text, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, service);
                var (nodeStatus, nodeText) = await EngineJson.SendAsync(c, HttpMethod.Get, "/nodes", null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(nodeStatus, nodeText, "SwarmNode", null);
                var (servicesStatus, servicesText) = await EngineJson.SendAsync(c, HttpMethod.Get, "/services", null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(servicesStatus, servicesText, Kind, null);
                using var nodesDoc = JsonDocument.Parse(nodeText);
                using var servicesDoc = JsonDocument.Parse(servicesText);
                using var doc = JsonDocument.Parse(text);
                var hostnames = nodesDoc.RootElement.EnumerateArray().ToDictionary(n => EngineJson.String(n, "ID") ?? string.Empty,
                    n => EngineJson.String(EngineJson.Element(n, "Description"), "Hostname") ?? string.Empty);
                var serviceNames = servicesDoc.RootElement.EnumerateArray().ToDictionary(s => EngineJson.String(s, "ID") ?? string.Empty,
                    s => EngineJson.String(EngineJson.Element(s, "Spec"), "Name") ?? string.Empty);
                return (IReadOnlyList<ContainerServiceTask>)doc.RootElement.EnumerateArray().Select(t => ToTask(t, hostnames, serviceNames))
                    .OrderBy(t => t.ServiceName, StringComparer.Ordinal).ThenBy(t => t.Slot).ThenBy(t => t.Slot == 0 ? t.NodeId : string.Empty, StringComparer.Ordinal)
                    .ThenByDescending(t => t.Timestamp ?? DateTimeOffset.MinValue).ToList();
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Waits until the service has converged: as many tasks of its current spec running as desired, and no update in
        /// progress. A task the swarm cannot place, failing tasks or a paused or rolled-back update end the wait with a
        /// ServiceConvergeFailed error naming the task's error; the service is left as it is. After timeout: ServiceConvergeTimeout.
        /// </summary>
        public async Task<ContainerService> WaitForConvergenceAsync(string reference, TimeSpan timeout, IProgress<ServiceConvergence>? progress = null,
            CancellationToken cancellationToken = default)
        {
            var started = DateTimeOffset.UtcNow;
            var deadline = started + timeout;
            var pendingSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            while (true)
            {
                var raw = await InspectAsync(reference, cancellationToken).ConfigureAwait(false) ?? throw NotFound(reference);
                var service = await GetAsync(raw.Id, cancellationToken).ConfigureAwait(false);
                var tasks = await ListTasksAsync(raw.Id, ServiceTaskState.All, cancellationToken).ConfigureAwait(false);
                string currentTemplate;
                using (var doc = JsonDocument.Parse(raw.Json))
                {
                    currentTemplate = TemplateText(EngineJson.Element(EngineJson.Element(doc.RootElement, "Spec"), "TaskTemplate"));
                }

                var wanted = tasks.Where(t => string.Equals(t.DesiredState, "Running", StringComparison.OrdinalIgnoreCase)).ToList();
                var templates = await TaskTemplatesAsync(raw.Id, cancellationToken).ConfigureAwait(false);
                var upToDate = wanted.Where(t => t.CurrentState == "Running" && templates.TryGetValue(t.Id, out var text) && text == currentTemplate).ToList();
                progress?.Report(new ServiceConvergence(service.Name, upToDate.Count, service.Replicas, service.UpdateState));

                var updateState = service.UpdateState;
                if (updateState == "paused" || updateState == "rollback_paused" || updateState == "rollback_completed")
                {
                    throw ConvergeFailed(service.Name, $"its update {(updateState == "paused" ? "paused" : "was rolled back")}: {service.UpdateMessage}");
                }

                var updating = updateState == "updating" || updateState == "rollback_started";
                // RunningTasks also counts tasks still stopping (scaled down, replaced): they must be gone too.
                if (!updating && upToDate.Count == service.Replicas && wanted.Count == service.Replicas && service.RunningTasks == service.Replicas)
                {
                    return service;
                }

                var now = DateTimeOffset.UtcNow;
                foreach (var stuck in wanted.Where(t => t.Error.Length > 0 && (t.CurrentState == "Pending" || t.CurrentState == "Rejected")))
                {
                    if (!pendingSince.TryGetValue(stuck.Id, out var since))
                    {
                        pendingSince[stuck.Id] = now;
                    }
                    else if (now - since >= TimeSpan.FromSeconds(2))
                    {
                        throw ConvergeFailed(service.Name, $"task {stuck.Name} is {stuck.CurrentState.ToLowerInvariant()}: {stuck.Error}");
                    }
                }

                var failed = tasks.Where(t => (t.CurrentState == "Failed" || t.CurrentState == "Rejected") && t.Timestamp >= started.AddSeconds(-1)).ToList();
                if (failed.Count >= Math.Max(3, service.Replicas))
                {
                    var last = failed.OrderByDescending(t => t.Timestamp).First();
                    throw ConvergeFailed(service.Name, $"{failed.Count} tasks failed, the last ({last.Name}): {(last.Error.Length > 0 ? last.Error : last.CurrentState)}");
                }

                if (now >= deadline)
                {
                    throw new ContainerEngineException("ServiceConvergeTimeout", EngineErrorKind.Timeout,
                        $"Service '{service.Name}' did not converge within {timeout.TotalSeconds:0} s: {upToDate.Count} of {service.Replicas} tasks run its current spec. " +
                        "Get-ContainerServiceTask shows where its tasks are; the service is left as it is.", service.Name);
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<Dictionary<string, string>> TaskTemplatesAsync(string serviceId, CancellationToken cancellationToken)
        {
            var filters = new EngineFilters();
            filters.Add("service", serviceId);
            filters.Add("desired-state", "running");
            return await EngineCall.RunAsync(_engine, Kind, serviceId, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/tasks" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, serviceId);
                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.EnumerateArray().ToDictionary(t => EngineJson.String(t, "ID") ?? string.Empty, t => TemplateText(EngineJson.Element(t, "Spec")));
            }, cancellationToken).ConfigureAwait(false);
        }

        // What makes a task current: its container spec and the force-update counter it was made with.
        private static string TemplateText(JsonElement template) =>
            ServiceSpecJson.Text(ServiceSpecJson.Tree(EngineJson.Element(template, "ContainerSpec"))) + "|" + EngineJson.Long(template, "ForceUpdate", 0);

        private sealed class RawService
        {
            public RawService(string id, long version, string json)
            {
                Id = id;
                Version = version;
                Json = json;
            }

            public string Id { get; }

            public long Version { get; }

            public string Json { get; }
        }

        private async Task<RawService?> InspectAsync(string reference, CancellationToken cancellationToken) =>
            await EngineCall.RunAsync<RawService?>(_engine, Kind, reference, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/services/" + Uri.EscapeDataString(reference), null, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return null;
                }

                await CheckManagerAsync(status, text, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, reference);
                using var doc = JsonDocument.Parse(text);
                return new RawService(EngineJson.String(doc.RootElement, "ID") ?? reference, EngineJson.Long(EngineJson.Element(doc.RootElement, "Version"), "Index", 0), text);
            }, cancellationToken).ConfigureAwait(false);

        private async Task<IReadOnlyList<ContainerService>> QueryAsync(string filterQuery, CancellationToken cancellationToken) =>
            await EngineCall.RunAsync(_engine, Kind, null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/services?status=true" + filterQuery, null, cancellationToken).ConfigureAwait(false);
                await CheckManagerAsync(status, text, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                return (IReadOnlyList<ContainerService>)doc.RootElement.EnumerateArray().Select(ToService).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            }, cancellationToken).ConfigureAwait(false);

        private ContainerService ToService(JsonElement s)
        {
            var spec = ServiceSpecJson.FromEngine(EngineJson.Element(s, "Spec"));
            var status = EngineJson.Element(s, "ServiceStatus");
            var update = EngineJson.Element(s, "UpdateStatus");
            var ports = EngineJson.Array(EngineJson.Element(s, "Endpoint"), "Ports").Select(ServiceSpecJson.ToPort).ToList();
            return new ContainerService(_engine, EngineJson.String(s, "ID") ?? string.Empty, EngineJson.Long(EngineJson.Element(s, "Version"), "Index", 0), spec,
                EngineJson.Long(status, "DesiredTasks", 0), EngineJson.Long(status, "RunningTasks", 0), ports.Count > 0 ? ports : spec.Ports.ToList(),
                EngineJson.String(update, "State") ?? string.Empty, EngineJson.String(update, "Message") ?? string.Empty,
                EngineJson.Time(s, "CreatedAt"), EngineJson.Time(s, "UpdatedAt"));
        }

        private ContainerServiceTask ToTask(JsonElement t, IReadOnlyDictionary<string, string> hostnames, IReadOnlyDictionary<string, string> serviceNames)
        {
            var status = EngineJson.Element(t, "Status");
            var serviceId = EngineJson.String(t, "ServiceID") ?? string.Empty;
            var nodeId = EngineJson.String(t, "NodeID") ?? string.Empty;
            var image = EngineJson.String(EngineJson.Element(EngineJson.Element(t, "Spec"), "ContainerSpec"), "Image") ?? string.Empty;
            var at = image.IndexOf("@sha256:", StringComparison.Ordinal);
            return new ContainerServiceTask(_engine, EngineJson.String(t, "ID") ?? string.Empty, serviceId, serviceNames.TryGetValue(serviceId, out var name) ? name : serviceId,
                EngineJson.Long(t, "Slot", 0), nodeId, hostnames.TryGetValue(nodeId, out var host) ? host : string.Empty, at > 0 ? image.Substring(0, at) : image,
                Title(EngineJson.String(t, "DesiredState")), Title(EngineJson.String(status, "State")), EngineJson.Time(status, "Timestamp"),
                EngineJson.String(status, "Err") ?? string.Empty, EngineJson.String(EngineJson.Element(status, "ContainerStatus"), "ContainerID") ?? string.Empty);
        }

        /// <summary>
        /// The engine answers 503 when it manages no swarm: then the same SwarmNotActive or NotSwarmManager error as the
        /// swarm cmdlets give. (Asked only then: /info waits while the engine stops containers, so it is not asked up front.)
        /// </summary>
        private async Task CheckManagerAsync(HttpStatusCode status, string text, CancellationToken cancellationToken)
        {
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                await _engine.Swarm.RequireManagerAsync(cancellationToken).ConfigureAwait(false);
                _engine.Swarm.CheckManager(status, text);
            }
        }

        private ContainerEngineException Exists(string name) =>
            new ContainerEngineException("ServiceExists", EngineErrorKind.AlreadyExists,
                $"A service named '{name}' exists already on the swarm of {_engine.Name}. Change it with Set-ContainerService, or remove it first with Remove-ContainerService.", name);

        private ResourceNotFoundException NotFound(string reference) =>
            new ResourceNotFoundException(Kind, reference, $"No service named or with id '{reference}' exists on the swarm of {_engine.Name}. Get-ContainerService lists them.");

        private static ContainerEngineException ConvergeFailed(string service, string reason) =>
            new ContainerEngineException("ServiceConvergeFailed", EngineErrorKind.OperationFailed,
                $"Service '{service}' did not converge: {reason.TrimEnd('.')}. The service is left as it is: fix it with Set-ContainerService, or remove it with Remove-ContainerService.", service);

        private static string Title(string? value) => string.IsNullOrEmpty(value) ? string.Empty : char.ToUpperInvariant(value![0]) + value.Substring(1);
    }
}
