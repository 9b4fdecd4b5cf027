using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Networks;
using ContainerTools.Engine.Volumes;

namespace ContainerTools.Engine.Compose
{
    /// <summary>What one step of a convergence does.</summary>
    public enum ProjectStepKind
    {
        /// <summary>The resource exists and matches: nothing to do.</summary>
        Leave,

        /// <summary>Create it (a network, a volume, or a container, which is then started).</summary>
        Create,

        /// <summary>The container's configuration changed (config hash) or -ForceRecreate: remove it and create it anew.</summary>
        Recreate,

        /// <summary>The container matches but is not running: start it.</summary>
        Start,

        /// <summary>An extra replica (scaled down) or an orphan (-RemoveOrphans): remove it.</summary>
        Remove,
    }

    /// <summary>One step of a plan: a network, a volume or a container, and what to do with it.</summary>
    public sealed class ProjectStep
    {
        internal ProjectStep(ProjectStepKind kind, string resourceKind, string name, string? service, int number, string reason)
        {
            Kind = kind;
            ResourceKind = resourceKind;
            Name = name;
            Service = service;
            Number = number;
            Reason = reason;
        }

        public ProjectStepKind Kind { get; }

        /// <summary>Network, Volume or Container.</summary>
        public string ResourceKind { get; }

        /// <summary>The engine name of the resource.</summary>
        public string Name { get; }

        /// <summary>The service a container belongs to (null for networks and volumes).</summary>
        public string? Service { get; }

        /// <summary>The container number (com.docker.compose.container-number); 0 for networks and volumes.</summary>
        public int Number { get; }

        public string Reason { get; }

        /// <summary>Whether the step changes anything on the engine.</summary>
        public bool IsChange => Kind != ProjectStepKind.Leave;

        internal Container? Existing { get; set; }

        public override string ToString() => $"{Kind} {ResourceKind.ToLowerInvariant()} {Name} ({Reason})";
    }

    /// <summary>What Start-ContainerProject asks of a convergence [docker compose up -d].</summary>
    public sealed class ProjectConvergeOptions
    {
        /// <summary>Only these services (and what they depend on); empty: all.</summary>
        public IList<string> Services { get; } = new List<string>();

        public bool ForceRecreate { get; set; }

        /// <summary>Build every service that has build: (docker compose up --build); without it only images that are missing are built.</summary>
        public bool Build { get; set; }

        /// <summary>Remove containers of the project whose service is no longer in the files.</summary>
        public bool RemoveOrphans { get; set; }

        /// <summary>How long to wait for a dependency to become healthy or to complete.</summary>
        public TimeSpan DependencyTimeout { get; set; } = TimeSpan.FromMinutes(2);
    }

    /// <summary>The plan: the steps in the order they run (networks, volumes, then services in dependency order).</summary>
    public sealed class ProjectPlan
    {
        internal ProjectPlan(ComposeProject project, IReadOnlyList<ComposeService> services, IReadOnlyList<ProjectStep> steps)
        {
            Project = project;
            Services = services;
            Steps = steps;
        }

        public ComposeProject Project { get; }

        /// <summary>The services to converge, dependencies first.</summary>
        public IReadOnlyList<ComposeService> Services { get; }

        public IReadOnlyList<ProjectStep> Steps { get; }

        public TimeSpan DependencyTimeout { get; internal set; }
    }

    /// <summary>
    /// Converges a compose project onto one engine: the desired state (the resolved model) is compared with what runs
    /// (containers found by the project labels, their config hash label against ComposeService.ComputeConfigHash()),
    /// and each resource is created, recreated, started or left alone. Compose (Start-ContainerProject) and DSC share it.
    /// Every step is idempotent, so a convergence that failed part way is repaired by the next one.
    /// </summary>
    public sealed partial class ProjectConverger
    {
        public const string ServiceLabel = "com.docker.compose.service";
        public const string ContainerNumberLabel = "com.docker.compose.container-number";
        public const string ConfigHashLabel = "com.docker.compose.config-hash";
        public const string OneOffLabel = "com.docker.compose.oneoff";
        public const string NetworkLabel = "com.docker.compose.network";
        public const string VolumeLabel = "com.docker.compose.volume";

        /// <summary>The id of the image a container was created from (compose v2 records it to notice a changed image).</summary>
        public const string ImageLabel = "com.docker.compose.image";

        private readonly ContainerEngineConnection _engine;

        public ProjectConverger(ContainerEngineConnection engine)
        {
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        }

        /// <summary>Whether docker compose stop would stop this container: running, paused or restarting.</summary>
        public static bool IsStoppable(Container container) =>
            container.State == ContainerState.Running || container.State == ContainerState.Paused || container.State == ContainerState.Restarting;

        /// <summary>The containers of a project on the engine (every state), one-off containers left out.</summary>
        public async Task<IReadOnlyList<Container>> GetContainersAsync(string projectName, CancellationToken cancellationToken = default)
        {
            var query = new ContainerQuery();
            query.Labels.Add(ComposeProjectSummary.ProjectLabel + "=" + projectName);
            var containers = await _engine.Containers.ListAsync(query, cancellationToken).ConfigureAwait(false);
            return containers.Where(c => !(c.Labels.TryGetValue(OneOffLabel, out var o) && string.Equals(o, "True", StringComparison.OrdinalIgnoreCase))).ToList();
        }

        /// <summary>Compares the project with what runs and lists what converging it would do; the engine is only read.</summary>
        public async Task<ProjectPlan> PlanAsync(ComposeProject project, ProjectConvergeOptions options, CancellationToken cancellationToken = default)
        {
            var services = Order(project, options.Services);
            var steps = new List<ProjectStep>();
            var usedNetworks = new HashSet<string>(services.SelectMany(s => s.NetworkMode == null ? s.Networks.Select(n => n.Name) : Enumerable.Empty<string>()), StringComparer.Ordinal);
            foreach (var network in project.Networks.Where(n => usedNetworks.Contains(n.Key)))
            {
                var existing = await _engine.Networks.TryGetAsync(network.Name, cancellationToken).ConfigureAwait(false);
                if (existing != null && existing.Name == network.Name)
                {
                    steps.Add(new ProjectStep(ProjectStepKind.Leave, "Network", network.Name, null, 0, "exists"));
                }
                else if (network.External)
                {
                    throw new ResourceNotFoundException("Network", network.Name,
                        $"The external network '{network.Name}' (networks: {network.Key}: external: true) does not exist. Create it first: New-ContainerNetwork -Name {network.Name}.");
                }
                else
                {
                    steps.Add(new ProjectStep(ProjectStepKind.Create, "Network", network.Name, null, 0, "missing"));
                }
            }

            var usedVolumes = new HashSet<string>(services.SelectMany(s => s.Volumes.Where(v => v.Type == ComposeMountType.Volume && v.Source != null).Select(v => v.Source!)), StringComparer.Ordinal);
            foreach (var volume in project.Volumes.Where(v => usedVolumes.Contains(v.Key)))
            {
                var existing = await _engine.Volumes.TryGetAsync(volume.Name, cancellationToken).ConfigureAwait(false);
                if (existing != null)
                {
                    steps.Add(new ProjectStep(ProjectStepKind.Leave, "Volume", volume.Name, null, 0, "exists"));
                }
                else if (volume.External)
                {
                    throw new ResourceNotFoundException("Volume", volume.Name,
                        $"The external volume '{volume.Name}' (volumes: {volume.Key}: external: true) does not exist. Create it first: New-ContainerVolume -Name {volume.Name}.");
                }
                else
                {
                    steps.Add(new ProjectStep(ProjectStepKind.Create, "Volume", volume.Name, null, 0, "missing"));
                }
            }

            var running = await GetContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
            foreach (var service in services)
            {
                var hash = service.ComputeConfigHash();
                var imageId = await TryImageIdAsync(ImageName(project, service), cancellationToken).ConfigureAwait(false);
                var mine = running.Where(c => c.Labels.TryGetValue(ServiceLabel, out var s) && s == service.Name).ToList();
                var replicas = service.ContainerName != null ? 1 : service.Replicas;
                for (var number = 1; number <= replicas; number++)
                {
                    var name = ContainerName(project, service, number);
                    var existing = mine.FirstOrDefault(c => Number(c) == number) ?? mine.FirstOrDefault(c => c.Name == name);
                    if (existing != null)
                    {
                        mine.Remove(existing);
                    }

                    ProjectStep step;
                    if (existing == null)
                    {
                        step = new ProjectStep(ProjectStepKind.Create, "Container", name, service.Name, number, "missing");
                    }
                    else if (options.ForceRecreate)
                    {
                        step = new ProjectStep(ProjectStepKind.Recreate, "Container", name, service.Name, number, "-ForceRecreate");
                    }
                    else if (!existing.Labels.TryGetValue(ConfigHashLabel, out var had) || had != hash)
                    {
                        step = new ProjectStep(ProjectStepKind.Recreate, "Container", name, service.Name, number, "configuration changed");
                    }
                    else if (ImageChanged(existing, imageId))
                    {
                        step = new ProjectStep(ProjectStepKind.Recreate, "Container", name, service.Name, number, "image changed");
                    }
                    else if (existing.State != ContainerState.Running && !CompletedAsAsked(project, service, existing))
                    {
                        step = new ProjectStep(ProjectStepKind.Start, "Container", name, service.Name, number, existing.State.ToString().ToLowerInvariant());
                    }
                    else
                    {
                        step = new ProjectStep(ProjectStepKind.Leave, "Container", name, service.Name, number, "up to date");
                    }

                    step.Existing = existing;
                    steps.Add(step);
                }

                // Scaled down: the highest numbers go.
                foreach (var extra in mine.OrderByDescending(Number))
                {
                    steps.Add(new ProjectStep(ProjectStepKind.Remove, "Container", extra.Name, service.Name, Number(extra), "beyond the service's replicas") { Existing = extra });
                }
            }

            if (options.RemoveOrphans)
            {
                var known = new HashSet<string>(project.Services.Select(s => s.Name).Concat(project.DisabledServices), StringComparer.Ordinal);
                foreach (var orphan in running.Where(c => !c.Labels.TryGetValue(ServiceLabel, out var s) || !known.Contains(s)))
                {
                    orphan.Labels.TryGetValue(ServiceLabel, out var service);
                    steps.Add(new ProjectStep(ProjectStepKind.Remove, "Container", orphan.Name, service, Number(orphan), "orphan: its service is not in the files") { Existing = orphan });
                }
            }

            return new ProjectPlan(project, services, steps) { DependencyTimeout = options.DependencyTimeout };
        }

        /// <summary>
        /// Carries out a plan: each step that changes something and that approve accepts (ShouldProcess) is done, in order;
        /// before a service's containers are created or started, its dependencies are waited for as depends_on asks.
        /// A failure names the service and leaves a state the next convergence repairs. Returns the project's containers
        /// for the planned services, as they are afterwards.
        /// </summary>
        public async Task<IReadOnlyList<Container>> ApplyAsync(ProjectPlan plan, Func<ProjectStep, bool> approve, IProgress<string>? log = null,
            IProgress<ComposeService>? serviceStarting = null, CancellationToken cancellationToken = default)
        {
            var project = plan.Project;
            foreach (var step in plan.Steps.Where(s => s.ResourceKind != "Container"))
            {
                if (!step.IsChange || !approve(step))
                {
                    continue;
                }

                if (step.ResourceKind == "Network")
                {
                    var network = project.Networks.First(n => n.Name == step.Name);
                    log?.Report($"Creating network {network.Name}.");
                    await _engine.Networks.CreateAsync(NetworkSpec(project, network), reuseExisting: true, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var volume = project.Volumes.First(v => v.Name == step.Name);
                    log?.Report($"Creating volume {volume.Name}.");
                    await _engine.Volumes.CreateAsync(VolumeSpec(project, volume), cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var service in plan.Services)
            {
                var steps = plan.Steps.Where(s => s.ResourceKind == "Container" && s.Service == service.Name).ToList();
                var approved = steps.Where(s => s.IsChange && approve(s)).ToList();
                if (approved.Count == 0)
                {
                    continue;
                }

                serviceStarting?.Report(service);
                try
                {
                    if (approved.Any(s => s.Kind == ProjectStepKind.Create || s.Kind == ProjectStepKind.Recreate || s.Kind == ProjectStepKind.Start))
                    {
                        await WaitForDependenciesAsync(project, service, plan, log, cancellationToken).ConfigureAwait(false);
                    }

                    string? imageId = null;
                    if (approved.Any(s => s.Kind == ProjectStepKind.Create || s.Kind == ProjectStepKind.Recreate))
                    {
                        imageId = await EnsureImageAsync(project, service, log, cancellationToken).ConfigureAwait(false);
                    }

                    foreach (var step in approved)
                    {
                        await ApplyContainerStepAsync(project, service, step, imageId, log, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (ContainerEngineException e) when (!(e is ProjectServiceException))
                {
                    throw new ProjectServiceException(service.Name, e);
                }
            }

            foreach (var orphan in plan.Steps.Where(s => s.Kind == ProjectStepKind.Remove && (s.Service == null || plan.Services.All(p => p.Name != s.Service))))
            {
                if (approve(orphan))
                {
                    log?.Report($"Removing orphan container {orphan.Name}.");
                    await _engine.Containers.RemoveAsync(orphan.Existing!.Id, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }

            var services = new HashSet<string>(plan.Services.Select(s => s.Name), StringComparer.Ordinal);
            var after = await GetContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
            return after.Where(c => c.Labels.TryGetValue(ServiceLabel, out var s) && services.Contains(s))
                .OrderBy(c => plan.Services.ToList().FindIndex(s => s.Name == c.Labels[ServiceLabel])).ThenBy(Number).ToList();
        }

        /// <summary>Stops the project's containers, dependents first [docker compose stop]; returns the stopped containers.</summary>
        public async Task<IReadOnlyList<Container>> StopAsync(string projectName, Func<Container, bool> approve, IProgress<string>? log = null, CancellationToken cancellationToken = default)
        {
            var containers = await GetContainersAsync(projectName, cancellationToken).ConfigureAwait(false);
            var stopped = new List<Container>();
            foreach (var container in containers.OrderByDescending(c => c.Created))
            {
                if (IsStoppable(container))
                {
                    if (!approve(container))
                    {
                        continue;
                    }

                    log?.Report($"Stopping container {container.Name}.");
                    await _engine.Containers.StopAsync(container.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                stopped.Add(container);
            }

            return stopped;
        }

        /// <summary>
        /// Removes the project [docker compose down]: its containers, then the networks it created (by label; external ones
        /// carry no project label and stay), and with removeVolumes its volumes. approve gets the kind and name of each.
        /// </summary>
        public async Task<IReadOnlyList<Container>> DownAsync(string projectName, bool removeVolumes, Func<string, string, bool> approve, IProgress<string>? log = null,
            CancellationToken cancellationToken = default)
        {
            var containers = await GetContainersAsync(projectName, cancellationToken).ConfigureAwait(false);
            var removed = new List<Container>();
            foreach (var container in containers.OrderByDescending(c => c.Created))
            {
                if (approve("container", container.Name))
                {
                    log?.Report($"Removing container {container.Name}.");
                    await _engine.Containers.RemoveAsync(container.Id, force: true, removeVolumes: removeVolumes, cancellationToken: cancellationToken).ConfigureAwait(false);
                    removed.Add(container);
                }
            }

            var networkQuery = new NetworkQuery();
            networkQuery.Labels.Add(ComposeProjectSummary.ProjectLabel + "=" + projectName);
            foreach (var network in await _engine.Networks.ListAsync(networkQuery, cancellationToken).ConfigureAwait(false))
            {
                if (approve("network", network.Name))
                {
                    log?.Report($"Removing network {network.Name}.");
                    await _engine.Networks.RemoveAsync(network.Id, cancellationToken).ConfigureAwait(false);
                }
            }

            if (removeVolumes)
            {
                var volumeQuery = new VolumeQuery();
                volumeQuery.Labels.Add(ComposeProjectSummary.ProjectLabel + "=" + projectName);
                foreach (var volume in await _engine.Volumes.ListAsync(volumeQuery, cancellationToken).ConfigureAwait(false))
                {
                    if (approve("volume", volume.Name))
                    {
                        log?.Report($"Removing volume {volume.Name}.");
                        await _engine.Volumes.RemoveAsync(volume.Name, force: true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            return removed;
        }

        /// <summary>Compose's container name: container_name, else PROJECT-SERVICE-N.</summary>
        public static string ContainerName(ComposeProject project, ComposeService service, int number) =>
            service.ContainerName ?? project.Name + "-" + service.Name + "-" + number.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// The container a service runs as the engine should create it: the model mapped onto ContainerCreateSpec, with compose's labels.
        /// imageId (sha256:…) goes to the com.docker.compose.image label, as compose records it, so that a rebuilt or newly pulled image recreates the container.
        /// </summary>
        public static ContainerCreateSpec ToCreateSpec(ComposeProject project, ComposeService service, int number, string? imageId = null)
        {
            var spec = new ContainerCreateSpec
            {
                Image = ImageName(project, service),
                Name = ContainerName(project, service, number),
                Command = service.Command?.ToList(),
                Entrypoint = service.Entrypoint?.ToList(),
                User = service.User,
                WorkingDirectory = service.WorkingDirectory,
                Hostname = service.Hostname,
                Init = service.Init == true,
                ReadOnly = service.ReadOnly,
                Privileged = service.Privileged,
                Tty = service.Tty,
                Interactive = service.StdinOpen,
                BaseDirectory = project.WorkingDirectory,
            };
            foreach (var pair in service.Environment)
            {
                spec.Environment[pair.Key] = pair.Value;
            }

            foreach (var port in service.Ports)
            {
                var host = port.HostIP == null ? string.Empty : (port.HostIP.IndexOf(':') >= 0 ? "[" + port.HostIP + "]" : port.HostIP) + ":";
                var target = port.Target.ToString(CultureInfo.InvariantCulture) + "/" + port.Protocol;
                spec.Publish.Add(port.Published == null && port.HostIP == null ? target : host + (port.Published ?? string.Empty) + ":" + target);
            }

            foreach (var mount in service.Volumes)
            {
                var ro = mount.ReadOnly ? ":ro" : string.Empty;
                switch (mount.Type)
                {
                    case ComposeMountType.Volume when mount.Source == null:
                        spec.Volumes.Add(mount.Target);
                        break;
                    case ComposeMountType.Volume:
                        var volume = project.Volumes.FirstOrDefault(v => v.Key == mount.Source);
                        spec.Volumes.Add((volume?.Name ?? mount.Source) + ":" + mount.Target + ro);
                        break;
                    case ComposeMountType.Bind:
                        spec.Volumes.Add(mount.Source + ":" + mount.Target + ro);
                        break;
                    case ComposeMountType.Tmpfs:
                        spec.Tmpfs.Add(mount.Options.TryGetValue("size", out var size) ? mount.Target + ":size=" + size : mount.Target);
                        break;
                    default:
                        throw new InvalidSpecException("ComposeMountNotSupported", $"Service '{service.Name}': {mount.Type} mounts are not supported on this engine.", service.Name);
                }
            }

            foreach (var tmpfs in service.Tmpfs)
            {
                spec.Tmpfs.Add(tmpfs);
            }

            foreach (var server in service.Dns)
            {
                spec.Dns.Add(server);
            }

            // compose accepts host=ip and host:ip; the engine wants host:ip.
            foreach (var entry in service.ExtraHosts)
            {
                var equals = entry.IndexOf('=');
                spec.ExtraHosts.Add(equals > 0 ? entry.Substring(0, equals) + ":" + entry.Substring(equals + 1) : entry);
            }

            spec.StopSignal = service.StopSignal;
            spec.StopTimeout = service.StopGracePeriod;
            spec.Platform = service.Platform;

            if (service.NetworkMode != null)
            {
                spec.Network = service.NetworkMode.StartsWith("service:", StringComparison.Ordinal)
                    ? "container:" + ContainerName(project, project.GetService(service.NetworkMode.Substring(8)) ?? throw new InvalidSpecException("ComposeServiceNotFound",
                        $"Service '{service.Name}' has network_mode: {service.NetworkMode}, and there is no such service.", service.Name), 1)
                    : service.NetworkMode;
            }
            else if (PrimaryNetwork(service) is ComposeServiceNetwork primary)
            {
                spec.Network = NetworkName(project, primary.Name);
                foreach (var alias in Aliases(service, primary))
                {
                    spec.NetworkAliases.Add(alias);
                }
            }

            spec.RestartPolicy = service.Restart switch
            {
                null => null,
                "no" => RestartPolicy.No,
                "always" => RestartPolicy.Always,
                "unless-stopped" => RestartPolicy.UnlessStopped,
                _ when service.Restart.StartsWith("on-failure", StringComparison.Ordinal) => RestartPolicy.OnFailure,
                _ => throw new InvalidSpecException("InvalidRestartPolicy", $"Service '{service.Name}': restart: {service.Restart} is not no, always, on-failure[:N] or unless-stopped.", service.Name),
            };
            if (service.Restart != null && service.Restart.StartsWith("on-failure:", StringComparison.Ordinal))
            {
                spec.MaximumRetryCount = int.Parse(service.Restart.Substring(11), CultureInfo.InvariantCulture);
            }

            if (service.Healthcheck is ComposeHealthcheck health)
            {
                spec.HealthTest = health.Disable ? new List<string> { "NONE" } : health.Test?.ToList();
                if (!health.Disable)
                {
                    spec.HealthInterval = health.Interval;
                    spec.HealthTimeout = health.Timeout;
                    spec.HealthStartPeriod = health.StartPeriod;
                    spec.HealthRetries = health.Retries;
                }
            }

            if (service.Deploy?.Limits is ComposeResources limits)
            {
                spec.Memory = limits.Memory?.ToString(CultureInfo.InvariantCulture);
                spec.Cpus = limits.Cpus;
            }

            foreach (var cap in service.CapAdd)
            {
                spec.CapAdd.Add(cap);
            }

            foreach (var cap in service.CapDrop)
            {
                spec.CapDrop.Add(cap);
            }

            foreach (var label in service.Labels)
            {
                spec.Labels[label.Key] = label.Value;
            }

            spec.Labels[ComposeProjectSummary.ProjectLabel] = project.Name;
            spec.Labels[ServiceLabel] = service.Name;
            spec.Labels[ContainerNumberLabel] = number.ToString(CultureInfo.InvariantCulture);
            spec.Labels[ConfigHashLabel] = service.ComputeConfigHash();
            spec.Labels[OneOffLabel] = "False";
            spec.Labels[ComposeProjectSummary.WorkingDirectoryLabel] = project.WorkingDirectory;
            spec.Labels[ComposeProjectSummary.ConfigFilesLabel] = string.Join(",", project.ConfigFiles);
            spec.Labels[ImageLabel] = imageId ?? spec.Image;
            return spec;
        }

        private async Task ApplyContainerStepAsync(ComposeProject project, ComposeService service, ProjectStep step, string? imageId, IProgress<string>? log, CancellationToken cancellationToken)
        {
            switch (step.Kind)
            {
                case ProjectStepKind.Start:
                    log?.Report($"Starting container {step.Name}.");
                    await _engine.Containers.StartAsync(step.Existing!.Id, cancellationToken).ConfigureAwait(false);
                    return;
                case ProjectStepKind.Remove:
                    log?.Report($"Removing container {step.Name} ({step.Reason}).");
                    await _engine.Containers.RemoveAsync(step.Existing!.Id, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return;
                case ProjectStepKind.Recreate:
                    // Removed first: the name and published ports are free for the new one. If the create then fails, the
                    // container is missing, and the next convergence creates it.
                    log?.Report($"Removing container {step.Name} to recreate it ({step.Reason}).");
                    await _engine.Containers.StopAsync(step.Existing!.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await _engine.Containers.RemoveAsync(step.Existing.Id, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
            }

            // Create (or the second half of Recreate): create, join the other networks, start; a failure removes what was created.
            var spec = ToCreateSpec(project, service, step.Number, imageId);
            var stale = await _engine.Containers.TryGetAsync(spec.Name!, cancellationToken).ConfigureAwait(false);
            if (stale != null && stale.Name == spec.Name)
            {
                throw new ContainerEngineException("ContainerNameInUse", EngineErrorKind.Conflict,
                    $"A container named '{spec.Name}' exists and does not belong to service '{service.Name}' of project '{project.Name}'. Remove or rename it (Remove-Container {spec.Name}).",
                    spec.Name);
            }

            log?.Report($"Creating container {spec.Name} from {spec.Image}.");
            var created = await _engine.Containers.CreateAsync(spec, cancellationToken).ConfigureAwait(false);
            try
            {
                var primary = service.NetworkMode == null ? PrimaryNetwork(service) : null;
                foreach (var network in service.NetworkMode == null ? service.Networks : (IReadOnlyList<ComposeServiceNetwork>)Array.Empty<ComposeServiceNetwork>())
                {
                    if (network == primary)
                    {
                        continue;
                    }

                    log?.Report($"Connecting {spec.Name} to network {NetworkName(project, network.Name)}.");
                    await _engine.Networks.ConnectAsync(NetworkName(project, network.Name), created.Id, Aliases(service, network), network.IPv4Address, cancellationToken: cancellationToken)
                        .ConfigureAwait(false);
                }

                log?.Report($"Starting container {spec.Name}.");
                await _engine.Containers.StartAsync(created.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                await _engine.Containers.RemoveQuietlyAsync(created.Id).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Makes sure the service's image is on the engine (pulled as pull_policy says; a build: service must have been built) and returns its id.</summary>
        private async Task<string?> EnsureImageAsync(ComposeProject project, ComposeService service, IProgress<string>? log, CancellationToken cancellationToken)
        {
            var image = ImageName(project, service);
            if (service.PullPolicy != "always" || service.Build != null)
            {
                var id = await TryImageIdAsync(image, cancellationToken).ConfigureAwait(false);
                if (id != null)
                {
                    return id;
                }
            }

            if (service.Build != null)
            {
                throw new ResourceNotFoundException("Image", image,
                    $"The image '{image}' of service '{service.Name}' is not on the engine and was not built (the build was declined). Build it with Start-ContainerProject -Build, or New-ContainerImage -Tag {image}.");
            }

            if (service.PullPolicy == "never")
            {
                throw new ResourceNotFoundException("Image", image,
                    $"The image '{image}' of service '{service.Name}' is not on the engine, and pull_policy is never. Install it with Install-ContainerImage {image}.");
            }

            log?.Report($"Pulling image {image} for service {service.Name}.");
            var pulled = await _engine.Images.PullAsync(image, platform: service.Platform, cancellationToken: cancellationToken).ConfigureAwait(false);
            return pulled.FirstOrDefault()?.Id;
        }

        private async Task WaitForDependenciesAsync(ComposeProject project, ComposeService service, ProjectPlan plan, IProgress<string>? log, CancellationToken cancellationToken)
        {
            foreach (var dependency in service.DependsOn.Where(d => d.Condition != ComposeDependencyCondition.ServiceStarted))
            {
                if (project.GetService(dependency.Service) == null)
                {
                    continue; // a disabled or optional dependency
                }

                var condition = ComposeDependency.ConditionText(dependency.Condition);
                log?.Report($"Waiting for {dependency.Service} to be {condition} before {service.Name}.");
                var deadline = DateTimeOffset.UtcNow + plan.DependencyTimeout;
                while (true)
                {
                    var containers = (await GetContainersAsync(project.Name, cancellationToken).ConfigureAwait(false))
                        .Where(c => c.Labels.TryGetValue(ServiceLabel, out var s) && s == dependency.Service).ToList();
                    var states = new List<(string Status, string? Health, long ExitCode)>();
                    foreach (var container in containers)
                    {
                        states.Add(await InspectStateAsync(container.Id, cancellationToken).ConfigureAwait(false));
                    }

                    if (dependency.Condition == ComposeDependencyCondition.ServiceHealthy)
                    {
                        if (states.Count > 0 && states.Any(s => s.Health == null))
                        {
                            throw new ContainerEngineException("DependencyHasNoHealthcheck", EngineErrorKind.InvalidArgument,
                                $"Service '{service.Name}' waits for '{dependency.Service}' to be service_healthy, but '{dependency.Service}' has no healthcheck. Add one to it, or use condition: service_started.",
                                service.Name);
                        }

                        if (states.Count > 0 && states.All(s => s.Health == "healthy"))
                        {
                            break;
                        }

                        if (states.Any(s => s.Status == "exited" || s.Status == "dead"))
                        {
                            throw new ContainerEngineException("DependencyFailed", EngineErrorKind.OperationFailed,
                                $"Service '{service.Name}' waits for '{dependency.Service}' to be healthy, but its container exited. See Get-ContainerLog {project.Name}-{dependency.Service}-1.", service.Name);
                        }
                    }
                    else
                    {
                        if (states.Count > 0 && states.All(s => s.Status == "exited" && s.ExitCode == 0))
                        {
                            break;
                        }

                        var failed = states.FirstOrDefault(s => s.Status == "exited" && s.ExitCode != 0);
                        if (failed.Status != null)
                        {
                            throw new ContainerEngineException("DependencyFailed", EngineErrorKind.OperationFailed,
                                $"Service '{service.Name}' waits for '{dependency.Service}' to complete successfully, but it exited with code {failed.ExitCode}.", service.Name);
                        }
                    }

                    if (DateTimeOffset.UtcNow > deadline)
                    {
                        throw new ContainerEngineException("DependencyTimeout", EngineErrorKind.Timeout,
                            $"Service '{service.Name}' waited {plan.DependencyTimeout.TotalSeconds:0} s for '{dependency.Service}' to be {condition}, in vain. Check it with Get-ContainerLog, or allow longer with -DependencyTimeout.",
                            service.Name);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<(string Status, string? Health, long ExitCode)> InspectStateAsync(string id, CancellationToken cancellationToken)
        {
            var inspect = await EngineCall.RunAsync(_engine, "Container", id, c => c.Docker.Containers.InspectContainerAsync(id, cancellationToken), cancellationToken).ConfigureAwait(false);
            return (inspect.State?.Status ?? string.Empty, inspect.State?.Health?.Status, inspect.State?.ExitCode ?? 0);
        }

        // A one-shot dependency that completed as asked is not restarted on every convergence.
        private static bool CompletedAsAsked(ComposeProject project, ComposeService service, Container existing) =>
            existing.State == ContainerState.Exited && project.Services.Any(s => s.DependsOn.Any(d => d.Service == service.Name && d.Condition == ComposeDependencyCondition.ServiceCompletedSuccessfully))
            && existing.Status.IndexOf("(0)", StringComparison.Ordinal) >= 0;

        private static int Number(Container container) =>
            container.Labels.TryGetValue(ContainerNumberLabel, out var n) && int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;

        private static ComposeServiceNetwork? PrimaryNetwork(ComposeService service) =>
            service.Networks.OrderByDescending(n => n.Priority ?? 0).ThenBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault();

        private static IReadOnlyList<string> Aliases(ComposeService service, ComposeServiceNetwork network) =>
            new[] { service.Name }.Concat(network.Aliases).Distinct(StringComparer.Ordinal).ToList();

        private static string NetworkName(ComposeProject project, string key) =>
            project.Networks.FirstOrDefault(n => n.Key == key)?.Name ?? project.Name + "_" + key;

        private static NetworkCreateSpec NetworkSpec(ComposeProject project, ComposeNetwork network)
        {
            var spec = network.CreateSpec(network.Name);
            spec.Labels[ComposeProjectSummary.ProjectLabel] = project.Name;
            spec.Labels[NetworkLabel] = network.Key;
            return spec;
        }

        private static VolumeCreateSpec VolumeSpec(ComposeProject project, ComposeVolume volume)
        {
            var spec = new VolumeCreateSpec { Name = volume.Name, Driver = volume.Driver };
            foreach (var option in volume.DriverOptions)
            {
                spec.Options[option.Key] = option.Value;
            }

            foreach (var label in volume.Labels)
            {
                spec.Labels[label.Key] = label.Value;
            }

            spec.Labels[ComposeProjectSummary.ProjectLabel] = project.Name;
            spec.Labels[VolumeLabel] = volume.Key;
            return spec;
        }

        /// <summary>The services to converge in dependency order: the asked ones and what they depend on (all when none are asked).</summary>
        private static IReadOnlyList<ComposeService> Order(ComposeProject project, IList<string> asked)
        {
            var wanted = new List<ComposeService>();
            foreach (var name in asked)
            {
                wanted.Add(project.GetService(name) ?? throw new ResourceNotFoundException("Service", name,
                    $"The project '{project.Name}' has no service '{name}'. Its services: {string.Join(", ", project.Services.Select(s => s.Name))}."));
            }

            if (wanted.Count == 0)
            {
                wanted.AddRange(project.Services.OrderBy(s => s.Name, StringComparer.Ordinal));
            }

            var ordered = new List<ComposeService>();
            var visiting = new HashSet<string>(StringComparer.Ordinal);
            void Visit(ComposeService service)
            {
                if (ordered.Contains(service))
                {
                    return;
                }

                if (!visiting.Add(service.Name))
                {
                    throw new InvalidSpecException("ComposeDependencyCycle", $"The services depend on each other in a cycle through '{service.Name}'. Remove one of the depends_on entries.", service.Name);
                }

                foreach (var dependency in service.DependsOn.OrderBy(d => d.Service, StringComparer.Ordinal))
                {
                    if (project.GetService(dependency.Service) is ComposeService d)
                    {
                        Visit(d);
                    }
                }

                ordered.Add(service);
            }

            foreach (var service in wanted)
            {
                Visit(service);
            }

            return ordered;
        }
    }

    /// <summary>A convergence step failed: names the service, keeps the engine's error id and message.</summary>
    public sealed class ProjectServiceException : ContainerEngineException
    {
        public ProjectServiceException(string service, ContainerEngineException inner)
            : base(inner.ErrorId, inner.Kind, $"Service '{service}': {inner.Message} Run Start-ContainerProject again after fixing it: it carries on from here.", service, inner)
        {
            Service = service;
        }

        public string Service { get; }
    }
}
