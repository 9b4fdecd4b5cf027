using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ContainerTools.Engine.Compose;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Networks;

namespace ContainerTools.Engine.Swarm
{
    /// <summary>A network of a stack: created by it (overlay, labelled with the stack), or external (must exist).</summary>
    public sealed class StackNetwork
    {
        internal StackNetwork(string name, bool external, NetworkCreateSpec? createSpec)
        {
            Name = name;
            External = external;
            CreateSpec = createSpec;
        }

        /// <summary>The engine's name: STACK_KEY, the file's name:, or the external network's name.</summary>
        public string Name { get; }

        public bool External { get; }

        /// <summary>How to create it (null for an external network).</summary>
        public NetworkCreateSpec? CreateSpec { get; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// What a compose project becomes on a swarm, as docker stack deploy converts it (docker/cli cli/compose/convert): services
    /// STACK_SERVICE labelled com.docker.stack.namespace (and com.docker.stack.image), overlay networks STACK_NETWORK, volume
    /// mounts of STACK_VOLUME. Service networks are by name here; StackOperations turns them into ids.
    /// </summary>
    public sealed class StackDefinition
    {
        /// <summary>The label docker stack puts on every resource of a stack; its value is the stack's name.</summary>
        public const string NamespaceLabel = "com.docker.stack.namespace";

        /// <summary>The label with the image the file names, on each service.</summary>
        public const string ImageLabel = "com.docker.stack.image";

        private StackDefinition(string name, IReadOnlyList<ServiceSpecification> services, IReadOnlyList<StackNetwork> networks, IReadOnlyList<string> volumes,
            IReadOnlyList<string> warnings)
        {
            Name = name;
            Services = services;
            Networks = networks;
            Volumes = volumes;
            Warnings = warnings;
        }

        public string Name { get; }

        public IReadOnlyList<ServiceSpecification> Services { get; }

        /// <summary>The networks the services use.</summary>
        public IReadOnlyList<StackNetwork> Networks { get; }

        /// <summary>The stack's own named volumes (not external ones): STACK_VOLUME, created on each node by the tasks that mount them.</summary>
        public IReadOnlyList<string> Volumes { get; }

        /// <summary>What a swarm cannot do of the file, one line per service and setting (docker stack's "Ignoring unsupported options").</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Converts a loaded compose project into a stack named stackName (the project's name when null).</summary>
        public static StackDefinition FromCompose(ComposeProject project, string? stackName = null)
        {
            var stack = string.IsNullOrWhiteSpace(stackName) ? project.Name : stackName!.Trim();
            if (stack.Any(c => !(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.')))
            {
                throw new InvalidSpecException("InvalidStackName", $"'{stack}' is not a valid stack name: use letters, digits, '_', '-' and '.'.", stack);
            }

            var warnings = new List<string>();
            var networks = new SortedDictionary<string, StackNetwork>(StringComparer.Ordinal);
            var volumes = new SortedSet<string>(StringComparer.Ordinal);
            var services = new List<ServiceSpecification>();
            foreach (var service in project.Services)
            {
                services.Add(ConvertService(project, stack, service, networks, volumes, warnings));
            }

            return new StackDefinition(stack, services, networks.Values.ToList(), volumes.ToList(), warnings);
        }

        /// <summary>The engine name of a project resource: its explicit name:, else STACK_KEY (compose gave it PROJECT_KEY).</summary>
        private static string ResourceName(ComposeProject project, string stack, string key, string composeName, bool external) =>
            external || composeName != project.Name + "_" + key ? composeName : stack + "_" + key;

        private static ServiceSpecification ConvertService(ComposeProject project, string stack, ComposeService service, IDictionary<string, StackNetwork> networks,
            ISet<string> volumes, IList<string> warnings)
        {
            void Warn(string option, string reason) => warnings.Add($"Service '{service.Name}': {option} is ignored by a swarm stack: {reason}.");

            if (string.IsNullOrWhiteSpace(service.Image))
            {
                throw new InvalidSpecException("StackImageRequired",
                    $"Service '{service.Name}' has build: but no image:, and a swarm cannot build. Build and push the image (New-ContainerImage, Publish-ContainerImage), then name it with image: in the file.",
                    service.Name);
            }

            if (service.Build != null)
            {
                Warn("build", $"the image '{service.Image}' is deployed as it is on each node (build it there or push it to a registry first)");
            }

            if (service.DependsOn.Count > 0)
            {
                Warn("depends_on", "a swarm starts services in no particular order");
            }

            if (service.ContainerName != null)
            {
                Warn("container_name", "a swarm names its tasks' containers itself");
            }

            if (service.Restart != null)
            {
                Warn("restart", "use deploy.restart_policy");
            }

            if (service.NetworkMode != null)
            {
                Warn("network_mode", "the service joins the stack's networks");
            }

            if (service.Privileged)
            {
                Warn("privileged", "swarm services cannot run privileged");
            }

            foreach (var (option, set) in new[]
            {
                ("cap_add", service.CapAdd.Count > 0), ("cap_drop", service.CapDrop.Count > 0), ("tty", service.Tty), ("stdin_open", service.StdinOpen),
                ("dns", service.Dns.Count > 0), ("extra_hosts", service.ExtraHosts.Count > 0), ("stop_signal", service.StopSignal != null),
                ("platform", service.Platform != null), ("deploy.resources.limits.pids", service.Deploy?.Limits?.Pids != null),
                ("deploy.update_config.max_failure_ratio", service.Deploy?.UpdateConfig?.MaxFailureRatio != null),
            })
            {
                if (set)
                {
                    Warn(option, "ContainerTools does not apply it to services yet");
                }
            }

            var spec = new ServiceSpecification
            {
                Name = stack + "_" + service.Name,
                Image = service.Image!,
                User = service.User,
                WorkingDirectory = service.WorkingDirectory,
                Hostname = service.Hostname,
                Init = service.Init,
                ReadOnly = service.ReadOnly,
                StopGracePeriod = service.StopGracePeriod,
            };
            var deploy = service.Deploy;
            var mode = deploy?.Mode ?? "replicated";
            if (mode == "global")
            {
                spec.Global = true;
            }
            else if (mode != "replicated")
            {
                throw new InvalidSpecException("StackModeNotSupported", $"Service '{service.Name}' has deploy.mode '{mode}'; a stack deploys 'replicated' or 'global' services.", service.Name);
            }
            else
            {
                spec.Replicas = deploy?.Replicas ?? service.Replicas;
            }

            foreach (var label in deploy?.Labels ?? ComposeService.Empty<string>())
            {
                spec.Labels[label.Key] = label.Value;
            }

            spec.Labels[NamespaceLabel] = stack;
            spec.Labels[ImageLabel] = service.Image!;
            foreach (var label in service.Labels)
            {
                spec.ContainerLabels[label.Key] = label.Value;
            }

            spec.ContainerLabels[NamespaceLabel] = stack;

            // compose's entrypoint is the engine's Command, compose's command its Args.
            foreach (var part in service.Entrypoint ?? Array.Empty<string>())
            {
                spec.Command.Add(part);
            }

            foreach (var part in service.Command ?? Array.Empty<string>())
            {
                spec.Args.Add(part);
            }

            foreach (var entry in service.Environment)
            {
                // A variable without a value is taken from this side's environment, as docker stack deploy does; unset: left out.
                var value = entry.Value ?? System.Environment.GetEnvironmentVariable(entry.Key);
                if (value != null)
                {
                    spec.Environment[entry.Key] = value;
                }
            }

            foreach (var port in service.Ports)
            {
                spec.Ports.Add(ConvertPort(service, port, Warn));
            }

            foreach (var volume in service.Volumes)
            {
                spec.Mounts.Add(ConvertMount(project, stack, service, volume, volumes, Warn));
            }

            foreach (var tmpfs in service.Tmpfs)
            {
                var colon = tmpfs.IndexOf(':');
                spec.Mounts.Add(new ServiceMount(MountKind.Tmpfs, null, colon < 0 ? tmpfs : tmpfs.Substring(0, colon)));
            }

            foreach (var network in service.Networks.OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                var declared = project.Networks.FirstOrDefault(n => n.Key == network.Name);
                var name = declared == null ? stack + "_" + network.Name : ResourceName(project, stack, declared.Key, declared.Name, declared.External);
                if (!networks.ContainsKey(name))
                {
                    networks[name] = declared?.External == true ? new StackNetwork(name, true, null) : new StackNetwork(name, false, NetworkSpec(stack, name, declared));
                }

                spec.Networks.Add(new ServiceNetwork(name, new[] { service.Name }.Concat(network.Aliases.Where(a => a != service.Name))));
            }

            if (service.Healthcheck != null)
            {
                var health = service.Healthcheck;
                spec.Healthcheck = new ServiceHealthcheck
                {
                    Test = health.Disable ? new List<string> { "NONE" } : (health.Test ?? Array.Empty<string>()).ToList(),
                    Interval = health.Interval,
                    Timeout = health.Timeout,
                    Retries = health.Retries,
                    StartPeriod = health.StartPeriod,
                };
            }

            if (deploy != null)
            {
                spec.CpuLimit = deploy.Limits?.Cpus;
                spec.MemoryLimit = deploy.Limits?.Memory;
                spec.CpuReservation = deploy.Reservations?.Cpus;
                spec.MemoryReservation = deploy.Reservations?.Memory;
                spec.Constraints = deploy.PlacementConstraints.ToList();
                if (deploy.RestartPolicy != null)
                {
                    spec.RestartPolicy = new ServiceRestartPolicy
                    {
                        Condition = deploy.RestartPolicy.Condition ?? "any",
                        Delay = deploy.RestartPolicy.Delay,
                        MaxAttempts = deploy.RestartPolicy.MaxAttempts ?? 0, // the engine stores 0 (no limit) when none is given
                        Window = deploy.RestartPolicy.Window,
                    };
                }

                if (deploy.UpdateConfig != null)
                {
                    spec.UpdateConfig = new ServiceUpdateConfig
                    {
                        Parallelism = deploy.UpdateConfig.Parallelism ?? 1,
                        Delay = deploy.UpdateConfig.Delay,
                        // The engine stores its defaults for what is not given: the same here, or every publish would look like a change.
                        FailureAction = deploy.UpdateConfig.FailureAction ?? "pause",
                        Order = deploy.UpdateConfig.Order ?? "stop-first",
                        Monitor = deploy.UpdateConfig.Monitor,
                    };
                }
            }

            return spec;
        }

        private static ServicePort ConvertPort(ComposeService service, ComposePort port, Action<string, string> warn)
        {
            if (port.HostIP != null)
            {
                warn($"the host address of port {port}", "a swarm publishes on every node");
            }

            int? published = null;
            if (port.Published != null)
            {
                if (!int.TryParse(port.Published, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    throw new InvalidSpecException("StackPortNotSupported",
                        $"Service '{service.Name}' publishes port range '{port.Published}'; a stack publishes single ports: list each one.", service.Name);
                }

                published = number;
            }

            return new ServicePort(port.Target, published, port.Protocol,
                string.Equals(port.Mode, "host", StringComparison.OrdinalIgnoreCase) ? ServicePortMode.Host : ServicePortMode.Ingress);
        }

        private static ServiceMount ConvertMount(ComposeProject project, string stack, ComposeService service, ComposeServiceVolume volume, ISet<string> volumes,
            Action<string, string> warn)
        {
            switch (volume.Type)
            {
                case ComposeMountType.Bind:
                    return new ServiceMount(MountKind.Bind, volume.Source, volume.Target, volume.ReadOnly);
                case ComposeMountType.Tmpfs:
                    return new ServiceMount(MountKind.Tmpfs, null, volume.Target);
                case ComposeMountType.Npipe:
                    throw new InvalidSpecException("StackMountNotSupported", $"Service '{service.Name}' mounts a named pipe; a stack cannot.", service.Name);
            }

            if (volume.Source == null)
            {
                return new ServiceMount(MountKind.Volume, null, volume.Target, volume.ReadOnly);
            }

            var declared = project.Volumes.FirstOrDefault(v => v.Key == volume.Source);
            if (declared == null)
            {
                throw new InvalidSpecException("StackVolumeUndeclared", $"Service '{service.Name}' mounts volume '{volume.Source}', which the file does not declare under volumes:.", service.Name);
            }

            if (declared.Driver != null && declared.Driver != "local")
            {
                warn($"the driver of volume '{declared.Key}'", "ContainerTools creates stack volumes with the local driver");
            }

            var name = ResourceName(project, stack, declared.Key, declared.Name, declared.External);
            if (declared.External)
            {
                return new ServiceMount(MountKind.Volume, name, volume.Target, volume.ReadOnly);
            }

            volumes.Add(name);
            var labels = declared.Labels.ToDictionary(e => e.Key, e => e.Value);
            labels[NamespaceLabel] = stack;
            return new ServiceMount(MountKind.Volume, name, volume.Target, volume.ReadOnly, labels);
        }

        private static NetworkCreateSpec NetworkSpec(string stack, string name, ComposeNetwork? declared)
        {
            var spec = declared?.CreateSpec(name) ?? new NetworkCreateSpec { Name = name };
            spec.Driver ??= "overlay";
            spec.Labels[NamespaceLabel] = stack;
            return spec;
        }
    }
}
