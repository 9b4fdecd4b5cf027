using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;

namespace ContainerTools.Engine.Swarm
{
    /// <summary>How a published port is reached: through the swarm's routing mesh on every node, or on the task's node only.</summary>
    public enum ServicePortMode
    {
        Ingress,
        Host,
    }

    /// <summary>One published port of a service (docker service create --publish).</summary>
    public sealed class ServicePort
    {
        public ServicePort(int target, int? published = null, string protocol = "tcp", ServicePortMode mode = ServicePortMode.Ingress)
        {
            Target = target;
            Published = published;
            Protocol = string.IsNullOrEmpty(protocol) ? "tcp" : protocol.ToLowerInvariant();
            Mode = mode;
        }

        /// <summary>The port inside the tasks' containers.</summary>
        public int Target { get; }

        /// <summary>The port on the nodes; null: the swarm picks one (30000-32767).</summary>
        public int? Published { get; }

        public string Protocol { get; }

        public ServicePortMode Mode { get; }

        /// <summary>-Publish values with docker's short syntax: '8080:80', '8080:80/udp', '80' (no host address: a swarm publishes on every node).</summary>
        public static IReadOnlyList<ServicePort> Parse(string value, ServicePortMode mode = ServicePortMode.Ingress)
        {
            var mappings = PortSpec.Parse(value);
            if (mappings.Any(m => m.HostIP != null))
            {
                throw new InvalidSpecException("InvalidPublish",
                    $"The -Publish value '{value}' names a host address; a service publishes on every node of the swarm. Use 'published:target[/protocol]', e.g. '8080:80'.", value);
            }

            return mappings.Select(m => new ServicePort(m.ContainerPort, m.HostPort, m.Protocol, mode)).ToList();
        }

        public override string ToString() =>
            (Published == null ? "*" : Published.Value.ToString(CultureInfo.InvariantCulture)) + "->" + Target.ToString(CultureInfo.InvariantCulture) + "/" + Protocol +
            (Mode == ServicePortMode.Host ? " (host)" : string.Empty);
    }

    /// <summary>A mount in a service's tasks: a named volume, a bind of a path on the node, or a tmpfs.</summary>
    public sealed class ServiceMount
    {
        public ServiceMount(MountKind type, string? source, string target, bool readOnly = false, IDictionary<string, string>? volumeLabels = null)
        {
            Type = type;
            Source = source;
            Target = target;
            ReadOnly = readOnly;
            VolumeLabels = new SortedDictionary<string, string>(volumeLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        }

        /// <summary>Labels a volume mount gives the volume when a node creates it (docker stack labels its volumes so).</summary>
        public IReadOnlyDictionary<string, string> VolumeLabels { get; }

        public MountKind Type { get; }

        /// <summary>Volume name or node path; null for tmpfs or an anonymous volume.</summary>
        public string? Source { get; }

        public string Target { get; }

        public bool ReadOnly { get; }

        public override string ToString() => (Source ?? string.Empty) + ":" + Target + (ReadOnly ? ":ro" : string.Empty);
    }

    /// <summary>A network a service's tasks attach to, with their aliases there.</summary>
    public sealed class ServiceNetwork
    {
        public ServiceNetwork(string target, IEnumerable<string>? aliases = null)
        {
            Target = target;
            Aliases = (aliases ?? Array.Empty<string>()).ToList();
        }

        /// <summary>The network's name or id (the engine stores the id).</summary>
        public string Target { get; }

        public IReadOnlyList<string> Aliases { get; }

        public override string ToString() => Target;
    }

    /// <summary>How a rolling update proceeds (docker service create --update-*).</summary>
    public sealed class ServiceUpdateConfig
    {
        /// <summary>How many tasks are replaced at once; 0: all at once.</summary>
        public long Parallelism { get; set; } = 1;

        /// <summary>The pause between batches.</summary>
        public TimeSpan? Delay { get; set; }

        /// <summary>pause (docker's default), continue or rollback.</summary>
        public string? FailureAction { get; set; }

        /// <summary>stop-first (docker's default) or start-first.</summary>
        public string? Order { get; set; }

        /// <summary>How long a new task is watched for failure after it starts.</summary>
        public TimeSpan? Monitor { get; set; }

        public ServiceUpdateConfig Clone() => (ServiceUpdateConfig)MemberwiseClone();

        public override string ToString() =>
            $"Parallelism {Parallelism}" + (Delay == null ? string.Empty : $", Delay {Delay}") + (FailureAction == null ? string.Empty : $", {FailureAction}") +
            (Order == null ? string.Empty : $", {Order}");
    }

    /// <summary>When the swarm restarts a service's tasks (docker service create --restart-*).</summary>
    public sealed class ServiceRestartPolicy
    {
        /// <summary>none, on-failure or any (docker's default).</summary>
        public string Condition { get; set; } = "any";

        public TimeSpan? Delay { get; set; }

        public long? MaxAttempts { get; set; }

        public TimeSpan? Window { get; set; }

        public ServiceRestartPolicy Clone() => (ServiceRestartPolicy)MemberwiseClone();
    }

    /// <summary>A service's health check (docker service create --health-*).</summary>
    public sealed class ServiceHealthcheck
    {
        /// <summary>["CMD", "prog", "arg"], ["CMD-SHELL", "command"] or ["NONE"].</summary>
        public IList<string> Test { get; set; } = new List<string>();

        public TimeSpan? Interval { get; set; }

        public TimeSpan? Timeout { get; set; }

        public long? Retries { get; set; }

        public TimeSpan? StartPeriod { get; set; }

        public ServiceHealthcheck Clone()
        {
            var copy = (ServiceHealthcheck)MemberwiseClone();
            copy.Test = Test.ToList();
            return copy;
        }
    }

    /// <summary>
    /// What a swarm service should be: the input of ServiceOperations.CreateAsync and UpdateAsync (docker service create /
    /// update). Only what is set here is sent; on update, whatever the engine stores beyond these settings is kept.
    /// ServiceOperations.GetSpecificationAsync reads a service back into one, and Differences compares two.
    /// </summary>
    public sealed class ServiceSpecification
    {
        public string Name { get; set; } = string.Empty;

        public string Image { get; set; } = string.Empty;

        /// <summary>Replicated mode: how many tasks (1 when null). Ignored for Global.</summary>
        public long? Replicas { get; set; }

        /// <summary>Global mode: one task on every node that satisfies the constraints.</summary>
        public bool Global { get; set; }

        /// <summary>Replaces the image's entrypoint (docker service create's COMMAND goes to Command too).</summary>
        public IList<string> Command { get; set; } = new List<string>();

        /// <summary>Arguments to the command (or the image's entrypoint).</summary>
        public IList<string> Args { get; set; } = new List<string>();

        public IDictionary<string, string> Environment { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The service's labels.</summary>
        public IDictionary<string, string> Labels { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Labels on the tasks' containers.</summary>
        public IDictionary<string, string> ContainerLabels { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        public IList<ServicePort> Ports { get; set; } = new List<ServicePort>();

        public IList<ServiceMount> Mounts { get; set; } = new List<ServiceMount>();

        public IList<ServiceNetwork> Networks { get; set; } = new List<ServiceNetwork>();

        /// <summary>Placement constraints: 'node.role==manager', 'node.hostname!=x', 'node.labels.zone==a'.</summary>
        public IList<string> Constraints { get; set; } = new List<string>();

        /// <summary>CPUs a task may use at most (0.5 = half a CPU).</summary>
        public double? CpuLimit { get; set; }

        /// <summary>Bytes of memory a task may use at most.</summary>
        public long? MemoryLimit { get; set; }

        /// <summary>CPUs a node must have free for a task.</summary>
        public double? CpuReservation { get; set; }

        /// <summary>Bytes of memory a node must have free for a task.</summary>
        public long? MemoryReservation { get; set; }

        public ServiceRestartPolicy? RestartPolicy { get; set; }

        public ServiceUpdateConfig? UpdateConfig { get; set; }

        public ServiceHealthcheck? Healthcheck { get; set; }

        public string? User { get; set; }

        public string? WorkingDirectory { get; set; }

        public string? Hostname { get; set; }

        /// <summary>Run an init process as PID 1 in the tasks' containers; null: the engine's default.</summary>
        public bool? Init { get; set; }

        public bool ReadOnly { get; set; }

        /// <summary>How long a task gets to stop before it is killed.</summary>
        public TimeSpan? StopGracePeriod { get; set; }

        /// <summary>A deep copy, to change without touching this one.</summary>
        public ServiceSpecification Clone()
        {
            var copy = (ServiceSpecification)MemberwiseClone();
            copy.Command = Command.ToList();
            copy.Args = Args.ToList();
            copy.Environment = new SortedDictionary<string, string>(Environment, StringComparer.Ordinal);
            copy.Labels = new SortedDictionary<string, string>(Labels, StringComparer.Ordinal);
            copy.ContainerLabels = new SortedDictionary<string, string>(ContainerLabels, StringComparer.Ordinal);
            copy.Ports = Ports.ToList();
            copy.Mounts = Mounts.ToList();
            copy.Networks = Networks.ToList();
            copy.Constraints = Constraints.ToList();
            copy.RestartPolicy = RestartPolicy?.Clone();
            copy.UpdateConfig = UpdateConfig?.Clone();
            copy.Healthcheck = Healthcheck?.Clone();
            return copy;
        }

        /// <summary>Changes the update settings given (not null) and keeps the others: the service's, or docker's defaults when it has none.</summary>
        public void ChangeUpdateConfig(long? parallelism, TimeSpan? delay, string? failureAction, string? order)
        {
            if (parallelism == null && delay == null && failureAction == null && order == null)
            {
                return;
            }

            var update = UpdateConfig?.Clone() ?? new ServiceUpdateConfig();
            update.Parallelism = parallelism ?? update.Parallelism;
            update.Delay = delay ?? update.Delay;
            update.FailureAction = failureAction ?? update.FailureAction;
            update.Order = order ?? update.Order;
            UpdateConfig = update;
        }

        /// <summary>The settings (engine spec paths, e.g. TaskTemplate.ContainerSpec.Image) in which other differs from this one; empty: an update would change nothing.</summary>
        public IReadOnlyList<string> Differences(ServiceSpecification other) =>
            ServiceSpecJson.Fields.Where(f => ServiceSpecJson.Text(f.Project(this)) != ServiceSpecJson.Text(f.Project(other))).Select(f => f.Path).ToList();

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(Name))
            {
                throw new InvalidSpecException("ServiceNameMissing", "Give the service a name (-Name).");
            }

            if (string.IsNullOrWhiteSpace(Image))
            {
                throw new InvalidSpecException("ServiceImageMissing", $"Give the image of service '{Name}' (-Image).", Name);
            }

            if (!Global && Replicas < 0)
            {
                throw new InvalidSpecException("InvalidReplicas", $"Replicas of service '{Name}' must be 0 or more, not {Replicas}.", Name);
            }
        }
    }

    /// <summary>ServiceSpecification to and from the engine's ServiceSpec JSON, setting by setting.</summary>
    internal static class ServiceSpecJson
    {
        private const string Container = "TaskTemplate.ContainerSpec.";

        /// <summary>
        /// Every setting we model: its path in the engine's spec and its value there (null: absent). An update writes only
        /// the settings whose value differs, so the rest of what the engine stores (and its own normal forms) stays as it is.
        /// </summary>
        internal static readonly IReadOnlyList<(string Path, Func<ServiceSpecification, object?> Project)> Fields = new (string, Func<ServiceSpecification, object?>)[]
        {
            ("Name", s => s.Name),
            ("Labels", s => Map(s.Labels)),
            ("Mode", s => s.Global
                ? new Dictionary<string, object?> { ["Global"] = new Dictionary<string, object?>() }
                : new Dictionary<string, object?> { ["Replicated"] = new Dictionary<string, object?> { ["Replicas"] = s.Replicas ?? 1 } }),
            (Container + "Image", s => s.Image),
            (Container + "Labels", s => Map(s.ContainerLabels)),
            (Container + "Command", s => List(s.Command)),
            (Container + "Args", s => List(s.Args)),
            (Container + "Env", s => s.Environment.Count == 0 ? null : s.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + e.Value).ToList()),
            (Container + "Hostname", s => Text(s.Hostname)),
            (Container + "Dir", s => Text(s.WorkingDirectory)),
            (Container + "User", s => Text(s.User)),
            (Container + "Init", s => s.Init),
            (Container + "ReadOnly", s => s.ReadOnly ? true : (bool?)null),
            (Container + "StopGracePeriod", s => Nanos(s.StopGracePeriod)),
            (Container + "Healthcheck", s => s.Healthcheck == null ? null : new Dictionary<string, object?>
            {
                ["Test"] = s.Healthcheck.Test.ToList(),
                ["Interval"] = Nanos(s.Healthcheck.Interval),
                ["Timeout"] = Nanos(s.Healthcheck.Timeout),
                ["Retries"] = s.Healthcheck.Retries,
                ["StartPeriod"] = Nanos(s.Healthcheck.StartPeriod),
            }.Where(e => e.Value != null).ToDictionary(e => e.Key, e => e.Value)),
            (Container + "Mounts", s => s.Mounts.Count == 0 ? null : s.Mounts.Select(m => new Dictionary<string, object?>
            {
                ["Type"] = m.Type.ToString().ToLowerInvariant(),
                ["Source"] = m.Source,
                ["Target"] = m.Target,
                ["ReadOnly"] = m.ReadOnly ? true : (bool?)null,
                ["VolumeOptions"] = m.VolumeLabels.Count == 0 ? null : new Dictionary<string, object?> { ["Labels"] = new SortedDictionary<string, string>(m.VolumeLabels.ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal) },
            }.Where(e => e.Value != null).ToDictionary(e => e.Key, e => e.Value)).ToList()),
            ("TaskTemplate.Resources.Limits.NanoCPUs", s => s.CpuLimit == null ? null : (long?)ValueParsers.ToNanoCpus(s.CpuLimit.Value)),
            ("TaskTemplate.Resources.Limits.MemoryBytes", s => s.MemoryLimit),
            ("TaskTemplate.Resources.Reservations.NanoCPUs", s => s.CpuReservation == null ? null : (long?)ValueParsers.ToNanoCpus(s.CpuReservation.Value)),
            ("TaskTemplate.Resources.Reservations.MemoryBytes", s => s.MemoryReservation),
            ("TaskTemplate.RestartPolicy.Condition", s => s.RestartPolicy?.Condition),
            ("TaskTemplate.RestartPolicy.Delay", s => Nanos(s.RestartPolicy?.Delay)),
            ("TaskTemplate.RestartPolicy.MaxAttempts", s => s.RestartPolicy?.MaxAttempts),
            ("TaskTemplate.RestartPolicy.Window", s => Nanos(s.RestartPolicy?.Window)),
            ("TaskTemplate.Placement.Constraints", s => s.Constraints.Count == 0 ? null : s.Constraints.OrderBy(c => c, StringComparer.Ordinal).ToList()),
            ("TaskTemplate.Networks", s => s.Networks.Count == 0 ? null : s.Networks.Select(n => new Dictionary<string, object?>
            {
                ["Target"] = n.Target,
                ["Aliases"] = n.Aliases.Count == 0 ? null : n.Aliases.ToList(),
            }.Where(e => e.Value != null).ToDictionary(e => e.Key, e => e.Value)).ToList()),
            ("UpdateConfig.Parallelism", s => s.UpdateConfig?.Parallelism),
            ("UpdateConfig.Delay", s => Nanos(s.UpdateConfig?.Delay)),
            ("UpdateConfig.FailureAction", s => Text(s.UpdateConfig?.FailureAction)),
            ("UpdateConfig.Order", s => Text(s.UpdateConfig?.Order)),
            ("UpdateConfig.Monitor", s => Nanos(s.UpdateConfig?.Monitor)),
            ("EndpointSpec.Ports", s => s.Ports.Count == 0 ? null : s.Ports.Select(p => new Dictionary<string, object?>
            {
                ["Protocol"] = p.Protocol,
                ["TargetPort"] = p.Target,
                ["PublishedPort"] = p.Published,
                ["PublishMode"] = p.Mode == ServicePortMode.Host ? "host" : "ingress",
            }.Where(e => e.Value != null).ToDictionary(e => e.Key, e => e.Value)).ToList()),
        };

        /// <summary>The engine's spec for a new service.</summary>
        public static SortedDictionary<string, object?> ToEngine(ServiceSpecification spec)
        {
            var tree = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (path, project) in Fields)
            {
                Set(tree, path, project(spec));
            }

            return tree;
        }

        /// <summary>Writes into the engine's current spec tree the settings in which desired differs from current; false when there are none.</summary>
        public static bool Apply(SortedDictionary<string, object?> tree, ServiceSpecification current, ServiceSpecification desired)
        {
            var changed = false;
            foreach (var (path, project) in Fields)
            {
                var wanted = project(desired);
                if (Text(wanted) != Text(project(current)))
                {
                    Set(tree, path, wanted);
                    changed = true;
                }
            }

            return changed;
        }

        /// <summary>Reads the engine's ServiceSpec back into our type.</summary>
        public static ServiceSpecification FromEngine(JsonElement spec)
        {
            var task = EngineJson.Element(spec, "TaskTemplate");
            var container = EngineJson.Element(task, "ContainerSpec");
            var mode = EngineJson.Element(spec, "Mode");
            var result = new ServiceSpecification
            {
                Name = EngineJson.String(spec, "Name") ?? string.Empty,
                Image = EngineJson.String(container, "Image") ?? string.Empty,
                Global = EngineJson.Element(mode, "Global").ValueKind == JsonValueKind.Object,
                Command = Strings(container, "Command"),
                Args = Strings(container, "Args"),
                Labels = new SortedDictionary<string, string>(EngineJson.Map(spec, "Labels").ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
                ContainerLabels = new SortedDictionary<string, string>(EngineJson.Map(container, "Labels").ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
                Hostname = EngineJson.String(container, "Hostname"),
                WorkingDirectory = EngineJson.String(container, "Dir"),
                User = EngineJson.String(container, "User"),
                Init = EngineJson.Element(container, "Init").ValueKind == JsonValueKind.True ? true : EngineJson.Element(container, "Init").ValueKind == JsonValueKind.False ? false : (bool?)null,
                ReadOnly = EngineJson.Bool(container, "ReadOnly"),
                StopGracePeriod = Duration(container, "StopGracePeriod"),
                Constraints = Strings(EngineJson.Element(task, "Placement"), "Constraints"),
            };
            if (!result.Global)
            {
                result.Replicas = EngineJson.Long(EngineJson.Element(mode, "Replicated"), "Replicas", 1);
            }

            foreach (var entry in Strings(container, "Env"))
            {
                var eq = entry.IndexOf('=');
                result.Environment[eq < 0 ? entry : entry.Substring(0, eq)] = eq < 0 ? string.Empty : entry.Substring(eq + 1);
            }

            var health = EngineJson.Element(container, "Healthcheck");
            if (health.ValueKind == JsonValueKind.Object)
            {
                result.Healthcheck = new ServiceHealthcheck
                {
                    Test = Strings(health, "Test"),
                    Interval = Duration(health, "Interval"),
                    Timeout = Duration(health, "Timeout"),
                    Retries = Optional(health, "Retries"),
                    StartPeriod = Duration(health, "StartPeriod"),
                };
            }

            foreach (var m in EngineJson.Array(container, "Mounts"))
            {
                var type = (EngineJson.String(m, "Type") ?? "volume").ToLowerInvariant();
                result.Mounts.Add(new ServiceMount(type == "bind" ? MountKind.Bind : type == "tmpfs" ? MountKind.Tmpfs : MountKind.Volume,
                    EngineJson.String(m, "Source"), EngineJson.String(m, "Target") ?? string.Empty, EngineJson.Bool(m, "ReadOnly"),
                    EngineJson.Map(EngineJson.Element(m, "VolumeOptions"), "Labels").ToDictionary(e => e.Key, e => e.Value)));
            }

            var resources = EngineJson.Element(task, "Resources");
            var limits = EngineJson.Element(resources, "Limits");
            var reservations = EngineJson.Element(resources, "Reservations");
            result.CpuLimit = Cpus(limits);
            result.MemoryLimit = Positive(limits, "MemoryBytes");
            result.CpuReservation = Cpus(reservations);
            result.MemoryReservation = Positive(reservations, "MemoryBytes");

            var restart = EngineJson.Element(task, "RestartPolicy");
            if (restart.ValueKind == JsonValueKind.Object && EngineJson.String(restart, "Condition") != null)
            {
                result.RestartPolicy = new ServiceRestartPolicy
                {
                    Condition = EngineJson.String(restart, "Condition")!,
                    Delay = Duration(restart, "Delay"),
                    MaxAttempts = Optional(restart, "MaxAttempts"),
                    Window = Duration(restart, "Window"),
                };
            }

            foreach (var n in EngineJson.Array(task, "Networks"))
            {
                result.Networks.Add(new ServiceNetwork(EngineJson.String(n, "Target") ?? string.Empty, Strings(n, "Aliases")));
            }

            var update = EngineJson.Element(spec, "UpdateConfig");
            if (update.ValueKind == JsonValueKind.Object)
            {
                result.UpdateConfig = new ServiceUpdateConfig
                {
                    Parallelism = EngineJson.Long(update, "Parallelism", 0),
                    Delay = Duration(update, "Delay"),
                    FailureAction = EngineJson.String(update, "FailureAction"),
                    Order = EngineJson.String(update, "Order"),
                    Monitor = Duration(update, "Monitor"),
                };
            }

            foreach (var p in EngineJson.Array(EngineJson.Element(spec, "EndpointSpec"), "Ports"))
            {
                result.Ports.Add(ToPort(p));
            }

            return result;
        }

        internal static ServicePort ToPort(JsonElement p) =>
            new ServicePort((int)EngineJson.Long(p, "TargetPort", 0), EngineJson.Long(p, "PublishedPort", 0) is var published && published > 0 ? (int?)published : null,
                EngineJson.String(p, "Protocol") ?? "tcp",
                string.Equals(EngineJson.String(p, "PublishMode"), "host", StringComparison.OrdinalIgnoreCase) ? ServicePortMode.Host : ServicePortMode.Ingress);

        /// <summary>A JSON element as a tree we can change: sorted maps, lists, and the element itself for plain values.</summary>
        public static object? Tree(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var p in element.EnumerateObject())
                    {
                        map[p.Name] = Tree(p.Value);
                    }

                    return map;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(Tree).ToList();
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    return null;
                default:
                    return element.Clone();
            }
        }

        /// <summary>Canonical JSON text, for comparing values.</summary>
        public static string Text(object? value) => JsonSerializer.Serialize(value);

        private static void Set(SortedDictionary<string, object?> tree, string path, object? value)
        {
            var parts = path.Split('.');
            var node = tree;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child) || !(child is SortedDictionary<string, object?> next))
                {
                    if (value == null)
                    {
                        return; // nothing to remove below a missing parent
                    }

                    next = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                    node[parts[i]] = next;
                }

                node = next;
            }

            if (value == null)
            {
                node.Remove(parts[parts.Length - 1]);
            }
            else
            {
                node[parts[parts.Length - 1]] = value;
            }
        }

        private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

        private static object? Map(IDictionary<string, string> map) => map.Count == 0 ? null : new SortedDictionary<string, string>(map, StringComparer.Ordinal);

        private static object? List(IList<string> list) => list.Count == 0 ? null : list.ToList();

        private static long? Nanos(TimeSpan? time) => time == null ? (long?)null : time.Value.Ticks * 100;

        private static TimeSpan? Duration(JsonElement item, string property)
        {
            var n = Optional(item, property);
            return n == null ? (TimeSpan?)null : TimeSpan.FromTicks(n.Value / 100);
        }

        private static long? Optional(JsonElement item, string property) =>
            EngineJson.Element(item, property).ValueKind == JsonValueKind.Number ? EngineJson.Long(item, property, 0) : (long?)null;

        private static long? Positive(JsonElement item, string property) => Optional(item, property) is long n && n > 0 ? n : (long?)null;

        private static double? Cpus(JsonElement item)
        {
            var n = Optional(item, "NanoCPUs");
            return n == null || n == 0 ? (double?)null : n.Value / 1e9;
        }

        private static IList<string> Strings(JsonElement item, string property) =>
            EngineJson.Array(item, property).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
    }
}
