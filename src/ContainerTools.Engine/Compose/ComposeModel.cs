using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ContainerTools.Engine.Networks;

namespace ContainerTools.Engine.Compose
{
    /// <summary>A compose project after loading, interpolation, merging and validation [docker compose config].</summary>
    public sealed class ComposeProject
    {
        internal ComposeProject(string name, string workingDirectory, IReadOnlyList<string> configFiles, IReadOnlyList<ComposeService> services,
            IReadOnlyList<ComposeNetwork> networks, IReadOnlyList<ComposeVolume> volumes, IReadOnlyList<string> activeProfiles,
            IReadOnlyList<string> disabledServices, IReadOnlyList<string> warnings)
        {
            Name = name;
            WorkingDirectory = workingDirectory;
            ConfigFiles = configFiles;
            Services = services;
            Networks = networks;
            Volumes = volumes;
            ActiveProfiles = activeProfiles;
            DisabledServices = disabledServices;
            Warnings = warnings;
        }

        /// <summary>The project name (normalised: lowercase letters, digits, '_' and '-').</summary>
        public string Name { get; }

        /// <summary>The project folder: where relative paths in the files are resolved (the first file's folder).</summary>
        public string WorkingDirectory { get; }

        /// <summary>The compose files, full paths, in merge order.</summary>
        public IReadOnlyList<string> ConfigFiles { get; }

        /// <summary>The enabled services (by name); services whose profiles are not active are in DisabledServices.</summary>
        public IReadOnlyList<ComposeService> Services { get; }

        public IReadOnlyList<ComposeNetwork> Networks { get; }

        public IReadOnlyList<ComposeVolume> Volumes { get; }

        public IReadOnlyList<string> ActiveProfiles { get; }

        /// <summary>Services left out because none of their profiles is active.</summary>
        public IReadOnlyList<string> DisabledServices { get; }

        /// <summary>What compose would warn about (variables that are not set, obsolete keys).</summary>
        public IReadOnlyList<string> Warnings { get; }

        public ComposeService? GetService(string name) => Services.FirstOrDefault(s => s.Name == name);

        public override string ToString() => Name;
    }

    /// <summary>One service of a compose project, resolved.</summary>
    public sealed class ComposeService
    {
        internal ComposeService(string name)
        {
            Name = name;
        }

        public string Name { get; }

        public string? Image { get; internal set; }

        public ComposeBuild? Build { get; internal set; }

        /// <summary>Replaces the image's CMD; a string in the file is split as a shell would (quotes, backslashes).</summary>
        public IReadOnlyList<string>? Command { get; internal set; }

        /// <summary>Replaces the image's ENTRYPOINT; an empty list clears it.</summary>
        public IReadOnlyList<string>? Entrypoint { get; internal set; }

        /// <summary>env_file values first, then environment; a null value is taken from the engine side (not set here).</summary>
        public IReadOnlyDictionary<string, string?> Environment { get; internal set; } = Empty<string?>();

        /// <summary>The env_file paths (absolute) whose values are in Environment.</summary>
        public IReadOnlyList<string> EnvironmentFiles { get; internal set; } = Array.Empty<string>();

        public IReadOnlyList<ComposePort> Ports { get; internal set; } = Array.Empty<ComposePort>();

        /// <summary>Ports exposed to linked services only: "80", "8000-8010", "53/udp".</summary>
        public IReadOnlyList<string> Expose { get; internal set; } = Array.Empty<string>();

        public IReadOnlyList<ComposeServiceVolume> Volumes { get; internal set; } = Array.Empty<ComposeServiceVolume>();

        /// <summary>The networks the service joins (by their key in the file); "default" when the file names none.</summary>
        public IReadOnlyList<ComposeServiceNetwork> Networks { get; internal set; } = Array.Empty<ComposeServiceNetwork>();

        /// <summary>Set instead of Networks by network_mode (host, none, service:NAME, container:NAME).</summary>
        public string? NetworkMode { get; internal set; }

        public IReadOnlyList<ComposeDependency> DependsOn { get; internal set; } = Array.Empty<ComposeDependency>();

        /// <summary>no, always, on-failure[:N], unless-stopped.</summary>
        public string? Restart { get; internal set; }

        public ComposeHealthcheck? Healthcheck { get; internal set; }

        public IReadOnlyDictionary<string, string> Labels { get; internal set; } = Empty<string>();

        public string? User { get; internal set; }

        public string? WorkingDirectory { get; internal set; }

        public string? Hostname { get; internal set; }

        public string? ContainerName { get; internal set; }

        public IReadOnlyList<string> CapAdd { get; internal set; } = Array.Empty<string>();

        public IReadOnlyList<string> CapDrop { get; internal set; } = Array.Empty<string>();

        public bool? Init { get; internal set; }

        public bool ReadOnly { get; internal set; }

        public bool Privileged { get; internal set; }

        public bool Tty { get; internal set; }

        public bool StdinOpen { get; internal set; }

        public string? StopSignal { get; internal set; }

        public TimeSpan? StopGracePeriod { get; internal set; }

        public IReadOnlyList<string> Dns { get; internal set; } = Array.Empty<string>();

        /// <summary>"host:ip" entries for /etc/hosts.</summary>
        public IReadOnlyList<string> ExtraHosts { get; internal set; } = Array.Empty<string>();

        /// <summary>tmpfs mounts from the service's tmpfs key: "/run" or "/run:size=64m".</summary>
        public IReadOnlyList<string> Tmpfs { get; internal set; } = Array.Empty<string>();

        public string? Platform { get; internal set; }

        /// <summary>always, never, missing, build (compose's pull_policy).</summary>
        public string? PullPolicy { get; internal set; }

        public ComposeDeploy? Deploy { get; internal set; }

        public IReadOnlyList<string> Profiles { get; internal set; } = Array.Empty<string>();

        /// <summary>How many containers the service runs: deploy.replicas, else scale, else 1.</summary>
        public int Replicas { get; internal set; } = 1;

        /// <summary>
        /// A deterministic hash (SHA-256, hex) of the resolved configuration, for the com.docker.compose.config-hash
        /// label: the same configuration always gives the same hash. It is our own (canonical JSON with sorted
        /// keys), not byte-identical to Docker Compose's. As in Compose, Replicas, Profiles, Build and PullPolicy are
        /// left out: scaling does not recreate containers, and a rebuilt image is noticed by its image id.
        /// </summary>
        public string ComputeConfigHash() => ComposeConfigHash.Compute(this);

        public override string ToString() => Name;

        internal static IReadOnlyDictionary<string, T> Empty<T>() => new Dictionary<string, T>();
    }

    /// <summary>build: how to build the service's image [docker build].</summary>
    public sealed class ComposeBuild
    {
        internal ComposeBuild(string context, string? dockerfile, IReadOnlyDictionary<string, string?> arguments, string? target, IReadOnlyDictionary<string, string> labels, string? network)
        {
            Context = context;
            Dockerfile = dockerfile;
            Arguments = arguments;
            Target = target;
            Labels = labels;
            Network = network;
        }

        /// <summary>The build context: an absolute folder (relative ones are resolved against the project folder), or a URL.</summary>
        public string Context { get; }

        /// <summary>The Dockerfile, relative to the context (null: the context's Dockerfile).</summary>
        public string? Dockerfile { get; }

        /// <summary>Build arguments; a null value is taken from the environment at build time and left out when unset.</summary>
        public IReadOnlyDictionary<string, string?> Arguments { get; }

        public string? Target { get; }

        public IReadOnlyDictionary<string, string> Labels { get; }

        public string? Network { get; }

        public override string ToString() => Context;
    }

    /// <summary>One published (or only declared) container port.</summary>
    public sealed class ComposePort
    {
        internal ComposePort(int target, string? published, string? hostIP, string protocol, string? mode)
        {
            Target = target;
            Published = published;
            HostIP = hostIP;
            Protocol = protocol;
            Mode = mode;
        }

        /// <summary>The container port.</summary>
        public int Target { get; }

        /// <summary>The host port or host port range ("8080", "8000-8010"); null: the engine picks one.</summary>
        public string? Published { get; }

        /// <summary>The host address to bind (null: all, or the engine's default).</summary>
        public string? HostIP { get; }

        /// <summary>tcp, udp or sctp.</summary>
        public string Protocol { get; }

        /// <summary>host or ingress (swarm); null when not given.</summary>
        public string? Mode { get; }

        /// <summary>As docker ps shows it: 127.0.0.1:8080->80/tcp, or 80/tcp when not published.</summary>
        public override string ToString()
        {
            var container = Target.ToString(CultureInfo.InvariantCulture) + "/" + Protocol;
            if (Published == null)
            {
                return container;
            }

            var ip = HostIP == null ? string.Empty : (HostIP.IndexOf(':') >= 0 ? "[" + HostIP + "]:" : HostIP + ":");
            return ip + Published + "->" + container;
        }
    }

    public enum ComposeMountType
    {
        Volume,
        Bind,
        Tmpfs,
        Npipe,
    }

    /// <summary>One entry of a service's volumes: a named or anonymous volume, a bind mount or a tmpfs.</summary>
    public sealed class ComposeServiceVolume
    {
        internal ComposeServiceVolume(ComposeMountType type, string? source, string target, bool readOnly, IReadOnlyDictionary<string, string> options)
        {
            Type = type;
            Source = source;
            Target = target;
            ReadOnly = readOnly;
            Options = options;
        }

        public ComposeMountType Type { get; }

        /// <summary>Volume key (in the project's Volumes), absolute host path for a bind; null for an anonymous volume or tmpfs.</summary>
        public string? Source { get; }

        /// <summary>The path inside the container.</summary>
        public string Target { get; }

        public bool ReadOnly { get; }

        /// <summary>Other settings: bind propagation, create_host_path, selinux (z/Z), volume nocopy, tmpfs size/mode.</summary>
        public IReadOnlyDictionary<string, string> Options { get; }

        public override string ToString() => (Source == null ? string.Empty : Source + ":") + Target + (ReadOnly ? ":ro" : string.Empty);
    }

    /// <summary>A network a service joins.</summary>
    public sealed class ComposeServiceNetwork
    {
        internal ComposeServiceNetwork(string name, IReadOnlyList<string> aliases, string? ipv4Address, string? ipv6Address, int? priority)
        {
            Name = name;
            Aliases = aliases;
            IPv4Address = ipv4Address;
            IPv6Address = ipv6Address;
            Priority = priority;
        }

        /// <summary>The network's key in the file (see ComposeProject.Networks for the engine name).</summary>
        public string Name { get; }

        public IReadOnlyList<string> Aliases { get; }

        public string? IPv4Address { get; }

        public string? IPv6Address { get; }

        public int? Priority { get; }

        public override string ToString() => Name;
    }

    public enum ComposeDependencyCondition
    {
        /// <summary>service_started: the dependency has been started.</summary>
        ServiceStarted,

        /// <summary>service_healthy: the dependency's healthcheck passes.</summary>
        ServiceHealthy,

        /// <summary>service_completed_successfully: the dependency ran to completion with exit code 0.</summary>
        ServiceCompletedSuccessfully,
    }

    /// <summary>One entry of depends_on.</summary>
    public sealed class ComposeDependency
    {
        internal ComposeDependency(string service, ComposeDependencyCondition condition, bool restart, bool required)
        {
            Service = service;
            Condition = condition;
            Restart = restart;
            Required = required;
        }

        public string Service { get; }

        public ComposeDependencyCondition Condition { get; }

        /// <summary>Restart this service when the dependency is updated.</summary>
        public bool Restart { get; }

        /// <summary>false: a missing or disabled dependency is ignored (depends_on required: false).</summary>
        public bool Required { get; }

        public override string ToString() => Condition == ComposeDependencyCondition.ServiceStarted ? Service : Service + " (" + ConditionText(Condition) + ")";

        internal static string ConditionText(ComposeDependencyCondition condition) => condition switch
        {
            ComposeDependencyCondition.ServiceHealthy => "service_healthy",
            ComposeDependencyCondition.ServiceCompletedSuccessfully => "service_completed_successfully",
            _ => "service_started",
        };
    }

    /// <summary>healthcheck: how the engine checks the service's containers.</summary>
    public sealed class ComposeHealthcheck
    {
        /// <summary>["CMD", args...], ["CMD-SHELL", command] or ["NONE"]; a string in the file becomes CMD-SHELL.</summary>
        public IReadOnlyList<string>? Test { get; internal set; }

        public TimeSpan? Interval { get; internal set; }

        public TimeSpan? Timeout { get; internal set; }

        public TimeSpan? StartPeriod { get; internal set; }

        public TimeSpan? StartInterval { get; internal set; }

        public int? Retries { get; internal set; }

        /// <summary>disable: true (or test: ["NONE"]): the image's healthcheck is turned off.</summary>
        public bool Disable { get; internal set; }

        public override string ToString() => Disable ? "disabled" : string.Join(" ", Test ?? Array.Empty<string>());
    }

    /// <summary>deploy: replicas, resources and policies.</summary>
    public sealed class ComposeDeploy
    {
        public string? Mode { get; internal set; }

        public int? Replicas { get; internal set; }

        public ComposeResources? Limits { get; internal set; }

        public ComposeResources? Reservations { get; internal set; }

        public ComposeRestartPolicy? RestartPolicy { get; internal set; }

        public IReadOnlyList<string> PlacementConstraints { get; internal set; } = Array.Empty<string>();

        public ComposeUpdateConfig? UpdateConfig { get; internal set; }

        public IReadOnlyDictionary<string, string> Labels { get; internal set; } = ComposeService.Empty<string>();
    }

    /// <summary>deploy.resources.limits or .reservations.</summary>
    public sealed class ComposeResources
    {
        /// <summary>CPUs (0.5 = half a CPU).</summary>
        public double? Cpus { get; internal set; }

        /// <summary>Bytes.</summary>
        public long? Memory { get; internal set; }

        public long? Pids { get; internal set; }

        public override string ToString() =>
            string.Join(", ", new[] { Cpus == null ? null : "cpus=" + Cpus.Value.ToString(CultureInfo.InvariantCulture), Memory == null ? null : "memory=" + Memory.Value.ToString(CultureInfo.InvariantCulture), Pids == null ? null : "pids=" + Pids.Value.ToString(CultureInfo.InvariantCulture) }.Where(s => s != null));
    }

    /// <summary>deploy.restart_policy.</summary>
    public sealed class ComposeRestartPolicy
    {
        /// <summary>none, on-failure or any.</summary>
        public string? Condition { get; internal set; }

        public TimeSpan? Delay { get; internal set; }

        public int? MaxAttempts { get; internal set; }

        public TimeSpan? Window { get; internal set; }
    }

    /// <summary>deploy.update_config.</summary>
    public sealed class ComposeUpdateConfig
    {
        public int? Parallelism { get; internal set; }

        public TimeSpan? Delay { get; internal set; }

        /// <summary>continue, rollback or pause.</summary>
        public string? FailureAction { get; internal set; }

        public TimeSpan? Monitor { get; internal set; }

        public double? MaxFailureRatio { get; internal set; }

        /// <summary>stop-first or start-first.</summary>
        public string? Order { get; internal set; }
    }

    /// <summary>What a top-level network and a top-level volume both declare.</summary>
    public abstract class ComposeResource
    {
        private protected ComposeResource(string key, string name)
        {
            Key = key;
            Name = name;
        }

        /// <summary>The key in the file (what services refer to).</summary>
        public string Key { get; }

        /// <summary>The engine's name: name:, else PROJECT_KEY (external: name:, else the key).</summary>
        public string Name { get; }

        public string? Driver { get; internal set; }

        public IReadOnlyDictionary<string, string> DriverOptions { get; internal set; } = ComposeService.Empty<string>();

        /// <summary>Created outside the project: never created or removed by it.</summary>
        public bool External { get; internal set; }

        public IReadOnlyDictionary<string, string> Labels { get; internal set; } = ComposeService.Empty<string>();

        public override string ToString() => Name;
    }

    /// <summary>A top-level network of the project.</summary>
    public sealed class ComposeNetwork : ComposeResource
    {
        internal ComposeNetwork(string key, string name)
            : base(key, name)
        {
        }

        public IReadOnlyList<ComposeIpamPool> Subnets { get; internal set; } = Array.Empty<ComposeIpamPool>();

        public string? IpamDriver { get; internal set; }

        public bool Internal { get; internal set; }

        public bool Attachable { get; internal set; }

        public bool EnableIPv6 { get; internal set; }

        /// <summary>What the engine is asked to create for this network (compose and stack add their own labels and default driver).</summary>
        internal NetworkCreateSpec CreateSpec(string name)
        {
            var spec = new NetworkCreateSpec
            {
                Name = name,
                Driver = Driver,
                Internal = Internal,
                Attachable = Attachable,
                EnableIPv6 = EnableIPv6,
            };
            foreach (var pool in Subnets)
            {
                if (pool.Subnet != null)
                {
                    spec.Subnets.Add(pool.Subnet);
                }

                if (pool.Gateway != null)
                {
                    spec.Gateways.Add(pool.Gateway);
                }

                if (pool.IPRange != null)
                {
                    spec.IPRanges.Add(pool.IPRange);
                }
            }

            foreach (var option in DriverOptions)
            {
                spec.Options[option.Key] = option.Value;
            }

            foreach (var label in Labels)
            {
                spec.Labels[label.Key] = label.Value;
            }

            return spec;
        }
    }

    /// <summary>One ipam.config entry.</summary>
    public sealed class ComposeIpamPool
    {
        internal ComposeIpamPool(string? subnet, string? gateway, string? ipRange)
        {
            Subnet = subnet;
            Gateway = gateway;
            IPRange = ipRange;
        }

        public string? Subnet { get; }

        public string? Gateway { get; }

        public string? IPRange { get; }

        public override string ToString() => Subnet ?? string.Empty;
    }

    /// <summary>A top-level named volume of the project.</summary>
    public sealed class ComposeVolume : ComposeResource
    {
        internal ComposeVolume(string key, string name)
            : base(key, name)
        {
        }
    }
}
