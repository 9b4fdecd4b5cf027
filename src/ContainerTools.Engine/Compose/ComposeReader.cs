using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using ContainerTools.Engine.Containers;

namespace ContainerTools.Engine.Compose
{
    /// <summary>Turns a merged, normalised node tree into the typed model, checking every key and type as it goes.</summary>
    internal sealed class ComposeReader
    {
        private static readonly HashSet<string> ServiceKeys = new HashSet<string>(StringComparer.Ordinal)
        {
            "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "networks",
            "network_mode", "depends_on", "restart", "healthcheck", "labels", "user", "working_dir", "hostname", "container_name",
            "cap_add", "cap_drop", "init", "read_only", "privileged", "tty", "stdin_open", "stop_signal", "stop_grace_period",
            "dns", "extra_hosts", "tmpfs", "platform", "pull_policy", "deploy", "profiles", "scale",
        };

        /// <summary>Keys the compose specification has and this version does not model yet: refused, never silently dropped.</summary>
        private static readonly HashSet<string> UnsupportedServiceKeys = new HashSet<string>(StringComparer.Ordinal)
        {
            "annotations", "attach", "blkio_config", "cpu_count", "cpu_percent", "cpu_shares", "cpu_period", "cpu_quota", "cpu_rt_runtime",
            "cpu_rt_period", "cpus", "cpuset", "cgroup", "cgroup_parent", "configs", "credential_spec", "develop", "device_cgroup_rules",
            "devices", "dns_opt", "dns_search", "domainname", "driver_opts", "external_links", "extends", "gpus", "group_add", "ipc",
            "isolation", "label_file", "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit",
            "models", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "post_start", "pre_stop", "provider", "runtime", "secrets",
            "security_opt", "shm_size", "storage_opt", "sysctls", "ulimits", "use_api_socket", "userns_mode", "uts", "volumes_from",
        };

        private static readonly Regex DurationPart = new Regex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant);
        private static readonly Regex ServiceName = new Regex("^[a-zA-Z0-9._-]+$", RegexOptions.CultureInvariant);

        private readonly string _projectName;
        private readonly string _workingDirectory;
        private readonly Func<string, string?> _lookup;

        public ComposeReader(string projectName, string workingDirectory, Func<string, string?> lookup)
        {
            _projectName = projectName;
            _workingDirectory = workingDirectory;
            _lookup = lookup;
        }

        public ComposeService ReadService(ComposeNode key, ComposeNode node)
        {
            var name = key.Value!;
            if (!ServiceName.IsMatch(name))
            {
                throw key.Error($"'{name}' is not a valid service name: use letters, digits, '.', '_' and '-'.");
            }

            var service = new ComposeService(name);
            if (node.IsNull)
            {
                throw node.Error($"service '{name}' has no settings: give it an image or a build.");
            }

            foreach (var entry in node.Entries)
            {
                var k = entry.Key.Value!;
                var v = entry.Value;
                if (k.StartsWith("x-", StringComparison.Ordinal))
                {
                    continue;
                }

                if (UnsupportedServiceKeys.Contains(k))
                {
                    throw entry.Key.Error($"service '{name}' uses '{k}', which ContainerTools does not support yet. Remove it, or use docker compose for this file.");
                }

                if (!ServiceKeys.Contains(k))
                {
                    throw entry.Key.Error($"service '{name}' has an unknown key '{k}'. Check its spelling against the compose specification (extension keys start with 'x-').");
                }

                var at = $"{k} of service '{name}'";
                switch (k)
                {
                    case "image": service.Image = String(v, at); break;
                    case "build": service.Build = ReadBuild(v, name); break;
                    case "command": service.Command = CommandLine(v, at); break;
                    case "entrypoint": service.Entrypoint = CommandLine(v, at); break;
                    case "environment": break; // read after env_file, below
                    case "env_file": break;
                    case "ports": service.Ports = Sequence(v, at).SelectMany(p => ReadPort(p, name)).ToList(); break;
                    case "expose": service.Expose = Sequence(v, at).Select(e => ReadExpose(e, name)).ToList(); break;
                    case "volumes": service.Volumes = Sequence(v, at).Select(e => ReadServiceVolume(e, name)).ToList(); break;
                    case "networks": service.Networks = ReadServiceNetworks(v, name); break;
                    case "network_mode": service.NetworkMode = String(v, at); break;
                    case "depends_on": service.DependsOn = ReadDependsOn(v, name); break;
                    case "restart": service.Restart = ReadRestart(v, name); break;
                    case "healthcheck": service.Healthcheck = ReadHealthcheck(v, name); break;
                    case "labels": service.Labels = StringMap(v, at); break;
                    case "user": service.User = String(v, at); break;
                    case "working_dir": service.WorkingDirectory = String(v, at); break;
                    case "hostname": service.Hostname = String(v, at); break;
                    case "container_name": service.ContainerName = String(v, at); break;
                    case "cap_add": service.CapAdd = StringList(v, at); break;
                    case "cap_drop": service.CapDrop = StringList(v, at); break;
                    case "init": service.Init = Bool(v, at); break;
                    case "read_only": service.ReadOnly = Bool(v, at); break;
                    case "privileged": service.Privileged = Bool(v, at); break;
                    case "tty": service.Tty = Bool(v, at); break;
                    case "stdin_open": service.StdinOpen = Bool(v, at); break;
                    case "stop_signal": service.StopSignal = String(v, at); break;
                    case "stop_grace_period": service.StopGracePeriod = Duration(v, at); break;
                    case "dns": service.Dns = StringList(v, at); break;
                    case "extra_hosts": service.ExtraHosts = ReadExtraHosts(v, at); break;
                    case "tmpfs": service.Tmpfs = StringList(v, at); break;
                    case "platform": service.Platform = String(v, at); break;
                    case "pull_policy": service.PullPolicy = OneOf(v, at, "always", "never", "missing", "if_not_present", "build", "daily", "weekly"); break;
                    case "deploy": service.Deploy = ReadDeploy(v, name); break;
                    case "profiles": service.Profiles = StringList(v, at); break;
                    case "scale": service.Replicas = Int(v, at, 0); break;
                }
            }

            // env_file first, environment over it (compose's order).
            var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
            var envFiles = node.Get("env_file");
            if (envFiles != null && !envFiles.IsNull)
            {
                var files = new List<string>();
                foreach (var item in Sequence(envFiles, $"env_file of service '{name}'"))
                {
                    var required = true;
                    var pathNode = item;
                    if (item.Kind == ComposeNodeKind.Mapping)
                    {
                        pathNode = item.Get("path") ?? throw item.Error($"an env_file entry of service '{name}' needs a path.");
                        var requiredNode = item.Get("required");
                        required = requiredNode == null || Bool(requiredNode, "required");
                    }

                    var path = ResolvePath(String(pathNode, $"env_file of service '{name}'")!);
                    if (!File.Exists(path))
                    {
                        if (!required)
                        {
                            continue;
                        }

                        throw pathNode.Error($"the env_file '{path}' of service '{name}' does not exist.");
                    }

                    files.Add(path);
                    foreach (var pair in ComposeDotEnv.ReadFile(path, _lookup))
                    {
                        environment[pair.Key] = pair.Value;
                    }
                }

                service.EnvironmentFiles = files;
            }

            var env = node.Get("environment");
            if (env != null && !env.IsNull)
            {
                foreach (var pair in NullableMap(env, $"environment of service '{name}'"))
                {
                    // KEY with no value: taken from the environment compose runs in (left unset when it is not there).
                    environment[pair.Key] = pair.Value ?? _lookup(pair.Key);
                }
            }

            service.Environment = environment;
            if (service.Deploy?.Replicas != null)
            {
                service.Replicas = service.Deploy.Replicas.Value;
            }

            if (service.Image == null && service.Build == null)
            {
                throw node.Error($"service '{name}' has neither an image nor a build: give it one of them.");
            }

            if (service.NetworkMode != null && node.Get("networks") != null)
            {
                throw node.Get("networks")!.Error($"service '{name}' sets both network_mode and networks; use one of them.");
            }

            if (service.Networks.Count == 0 && service.NetworkMode == null)
            {
                service.Networks = new[] { new ComposeServiceNetwork("default", Array.Empty<string>(), null, null, null) };
            }

            return service;
        }

        private ComposeBuild ReadBuild(ComposeNode node, string service)
        {
            var at = $"build of service '{service}'";
            Mapping(node, at, "context", "dockerfile", "args", "target", "labels", "network", "cache_from", "extra_hosts", "shm_size", "platforms", "pull", "no_cache", "tags", "ssh", "secrets", "additional_contexts", "isolation", "privileged", "ulimits", "dockerfile_inline", "entitlements", "provenance", "sbom");
            foreach (var unsupported in new[] { "cache_from", "extra_hosts", "shm_size", "platforms", "pull", "no_cache", "tags", "ssh", "secrets", "additional_contexts", "isolation", "privileged", "ulimits", "dockerfile_inline", "entitlements", "provenance", "sbom" })
            {
                var present = node.Entries.FirstOrDefault(e => e.Key.Value == unsupported).Key;
                if (present != null)
                {
                    throw present.Error($"{at} uses '{unsupported}', which ContainerTools does not support yet.");
                }
            }

            var contextText = String(node.Get("context"), $"build.context of service '{service}'") ?? ".";
            var context = Regex.IsMatch(contextText, "^(https?://|git@|git://|github.com/)") ? contextText : ResolvePath(contextText);
            var args = node.Get("args");
            var arguments = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (args != null && !args.IsNull)
            {
                foreach (var pair in NullableMap(args, $"build.args of service '{service}'"))
                {
                    arguments[pair.Key] = pair.Value ?? _lookup(pair.Key);
                }
            }

            var labels = node.Get("labels");
            return new ComposeBuild(context, String(node.Get("dockerfile"), at), arguments, String(node.Get("target"), at),
                labels == null ? ComposeService.Empty<string>() : StringMap(labels, at), String(node.Get("network"), at));
        }

        private static readonly Regex PortShort = new Regex(
            @"^(?:(?:(?<ip>\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:]*):)?(?<published>[0-9]+(?:-[0-9]+)?)?:)?(?<target>[0-9]+(?:-[0-9]+)?)(?:/(?<protocol>[a-zA-Z]+))?$",
            RegexOptions.CultureInvariant);

        internal static IEnumerable<ComposePort> ReadPort(ComposeNode node, string service)
        {
            if (node.Kind == ComposeNodeKind.Mapping)
            {
                var at = $"a port of service '{service}'";
                Mapping(node, at, "target", "published", "host_ip", "protocol", "mode", "name", "app_protocol");
                var targetNode = node.Get("target") ?? throw node.Error($"{at} in long syntax needs a target (the container port).");
                var target = Int(targetNode, "target", 1, 65535);
                var published = node.Get("published");
                string? publishedText = null;
                if (published != null && !published.IsNull)
                {
                    publishedText = published.Value;
                    if (publishedText == null || !Regex.IsMatch(publishedText, "^[0-9]+(-[0-9]+)?$"))
                    {
                        throw published.Error($"published of {at} must be a port or a port range such as 8080 or 8000-8010, not '{published}'.");
                    }

                    CheckRange(publishedText, published, at);
                }

                var protocol = String(node.Get("protocol"), at)?.ToLowerInvariant() ?? "tcp";
                CheckProtocol(protocol, node.Get("protocol") ?? node, at);
                var mode = OneOf(node.Get("mode"), "mode of " + at, "host", "ingress");
                var hostIP = String(node.Get("host_ip"), at);
                if (hostIP != null && !System.Net.IPAddress.TryParse(hostIP, out _))
                {
                    throw node.Get("host_ip")!.Error($"host_ip of {at} must be an IP address, not '{hostIP}'.");
                }

                yield return new ComposePort(target, publishedText, hostIP, protocol, mode);
                yield break;
            }

            if (node.Kind != ComposeNodeKind.Scalar || node.Value == null)
            {
                throw node.Error($"a port of service '{service}' must be a string such as \"8080:80\" or a mapping with target/published, not {node.KindName}.");
            }

            var text = node.Value.Trim();
            var match = PortShort.Match(text);
            if (!match.Success)
            {
                throw node.Error($"invalid port '{text}' in service '{service}': use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], for example \"80\", \"8080:80\", \"127.0.0.1:8080:80/udp\" or \"8000-8010:80-90\".");
            }

            var ip = match.Groups["ip"].Success ? match.Groups["ip"].Value.Trim('[', ']') : null;
            if (ip != null && ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _))
            {
                throw node.Error($"invalid port '{text}' in service '{service}': '{ip}' is not an IP address.");
            }

            var proto = match.Groups["protocol"].Success ? match.Groups["protocol"].Value.ToLowerInvariant() : "tcp";
            CheckProtocol(proto, node, $"port '{text}' of service '{service}'");
            var (targetStart, targetEnd) = CheckRange(match.Groups["target"].Value, node, $"port '{text}' of service '{service}'");
            string? hostText = match.Groups["published"].Success ? match.Groups["published"].Value : null;
            int? hostStart = null;
            if (hostText != null)
            {
                var (hs, he) = CheckRange(hostText, node, $"port '{text}' of service '{service}'");
                if (targetEnd != targetStart && he - hs != targetEnd - targetStart)
                {
                    throw node.Error($"invalid port '{text}' in service '{service}': the host range {hostText} and the container range {match.Groups["target"].Value} have different lengths.");
                }

                hostStart = hs;
            }

            for (var p = targetStart; p <= targetEnd; p++)
            {
                // One container port with a host range: the engine picks a free host port from the range.
                var published = hostText == null ? null : targetStart == targetEnd ? hostText : (hostStart + (p - targetStart))!.Value.ToString(CultureInfo.InvariantCulture);
                yield return new ComposePort(p, published, string.IsNullOrEmpty(ip) ? null : ip, proto, null);
            }
        }

        private static (int Start, int End) CheckRange(string text, ComposeNode node, string at)
        {
            var dash = text.IndexOf('-');
            var start = dash < 0 ? text : text.Substring(0, dash);
            var end = dash < 0 ? text : text.Substring(dash + 1);
            if (!int.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1 || s > 65535 ||
                !int.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var e) || e < 1 || e > 65535)
            {
                throw node.Error($"invalid {at}: '{text}' is not a port from 1 to 65535 (or a range of them).");
            }

            if (e < s)
            {
                throw node.Error($"invalid {at}: the range {text} ends before it starts.");
            }

            return (s, e);
        }

        private static void CheckProtocol(string protocol, ComposeNode node, string at)
        {
            if (protocol != "tcp" && protocol != "udp" && protocol != "sctp")
            {
                throw node.Error($"invalid {at}: '{protocol}' is not a protocol (tcp, udp or sctp).");
            }
        }

        private static string ReadExpose(ComposeNode node, string service)
        {
            var text = node.Value;
            if (node.Kind != ComposeNodeKind.Scalar || text == null || !Regex.IsMatch(text, "^[0-9]+(-[0-9]+)?(/(tcp|udp|sctp))?$"))
            {
                throw node.Error($"invalid expose entry '{node}' in service '{service}': use a port, a range, optionally with /tcp, /udp or /sctp (\"80\", \"8000-8010\", \"53/udp\").");
            }

            return text;
        }

        internal ComposeServiceVolume ReadServiceVolume(ComposeNode node, string service)
        {
            var at = $"a volume of service '{service}'";
            if (node.Kind == ComposeNodeKind.Mapping)
            {
                Mapping(node, at, "type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency", "image");
                var type = OneOf(node.Get("type"), "type of " + at, "volume", "bind", "tmpfs", "npipe") ?? throw node.Error($"{at} in long syntax needs a type (volume, bind or tmpfs).");
                var target = String(node.Get("target") ?? throw node.Error($"{at} in long syntax needs a target (the path in the container)."), at)!;
                var source = String(node.Get("source"), at);
                var options = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var sub in new[] { "bind", "volume", "tmpfs" })
                {
                    var group = node.Get(sub);
                    if (group == null || group.IsNull)
                    {
                        continue;
                    }

                    foreach (var pair in StringMap(group, $"{sub} of {at}"))
                    {
                        options[sub + "." + pair.Key] = pair.Value;
                    }
                }

                var readOnly = node.Get("read_only") is { } ro && Bool(ro, "read_only");
                var kind = ParseMountType(type);
                if (kind == ComposeMountType.Bind)
                {
                    if (source == null)
                    {
                        throw node.Error($"{at} is a bind mount without a source (the host path).");
                    }

                    source = ResolvePath(source);
                }

                return new ComposeServiceVolume(kind, kind == ComposeMountType.Tmpfs ? null : source, target, readOnly, options);
            }

            if (node.Kind != ComposeNodeKind.Scalar || node.Value == null)
            {
                throw node.Error($"{at} must be a string such as \"data:/var/lib/data\" or a mapping with type/source/target, not {node.KindName}.");
            }

            var text = node.Value;
            var parts = text.Split(':');
            string? src = null;
            string tgt;
            var mode = string.Empty;
            switch (parts.Length)
            {
                case 1:
                    tgt = parts[0];
                    break;
                case 2:
                    src = parts[0];
                    tgt = parts[1];
                    break;
                case 3:
                    src = parts[0];
                    tgt = parts[1];
                    mode = parts[2];
                    break;
                default:
                    throw node.Error($"invalid volume '{text}' in service '{service}': use [SOURCE:]TARGET[:MODE], for example \"data:/data\", \"./site:/usr/share/site:ro\" or \"/cache\".");
            }

            if (tgt.Length == 0 || !tgt.StartsWith("/", StringComparison.Ordinal) || (src != null && src.Length == 0))
            {
                throw node.Error($"invalid volume '{text}' in service '{service}': the container path must be absolute ([SOURCE:]TARGET[:MODE]).");
            }

            var volumeOptions = new Dictionary<string, string>(StringComparer.Ordinal);
            var isReadOnly = false;
            foreach (var option in mode.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
            {
                switch (option)
                {
                    case "ro": isReadOnly = true; break;
                    case "rw": isReadOnly = false; break;
                    case "z": case "Z": volumeOptions["bind.selinux"] = option; break;
                    case "nocopy": volumeOptions["volume.nocopy"] = "true"; break;
                    case "shared": case "rshared": case "slave": case "rslave": case "private": case "rprivate": volumeOptions["bind.propagation"] = option; break;
                    case "cached": case "delegated": case "consistent": break;
                    default:
                        throw node.Error($"invalid volume '{text}' in service '{service}': '{option}' is not a volume mode (ro, rw, z, Z, nocopy, or a propagation such as rshared).");
                }
            }

            if (src == null)
            {
                return new ComposeServiceVolume(ComposeMountType.Volume, null, tgt, isReadOnly, volumeOptions);
            }

            var isPath = src.StartsWith(".", StringComparison.Ordinal) || src.StartsWith("/", StringComparison.Ordinal) || src.StartsWith("~", StringComparison.Ordinal);
            return isPath
                ? new ComposeServiceVolume(ComposeMountType.Bind, ResolvePath(src), tgt, isReadOnly, volumeOptions)
                : new ComposeServiceVolume(ComposeMountType.Volume, src, tgt, isReadOnly, volumeOptions);
        }

        private static ComposeMountType ParseMountType(string type) => type switch
        {
            "bind" => ComposeMountType.Bind,
            "tmpfs" => ComposeMountType.Tmpfs,
            "npipe" => ComposeMountType.Npipe,
            _ => ComposeMountType.Volume,
        };

        private static IReadOnlyList<ComposeServiceNetwork> ReadServiceNetworks(ComposeNode node, string service)
        {
            var result = new List<ComposeServiceNetwork>();
            foreach (var entry in Mapping(node, $"networks of service '{service}'"))
            {
                var at = $"network '{entry.Key.Value}' of service '{service}'";
                var v = entry.Value;
                if (v.IsNull)
                {
                    result.Add(new ComposeServiceNetwork(entry.Key.Value!, Array.Empty<string>(), null, null, null));
                    continue;
                }

                Mapping(v, at, "aliases", "ipv4_address", "ipv6_address", "priority", "link_local_ips", "mac_address", "driver_opts", "gw_priority", "interface_name");
                var aliases = v.Get("aliases");
                var priority = v.Get("priority");
                result.Add(new ComposeServiceNetwork(entry.Key.Value!, aliases == null ? Array.Empty<string>() : StringList(aliases, "aliases of " + at),
                    String(v.Get("ipv4_address"), at), String(v.Get("ipv6_address"), at), priority == null ? null : Int(priority, "priority of " + at, int.MinValue)));
            }

            return result;
        }

        private static IReadOnlyList<ComposeDependency> ReadDependsOn(ComposeNode node, string service)
        {
            var result = new List<ComposeDependency>();
            foreach (var entry in Mapping(node, $"depends_on of service '{service}'"))
            {
                var at = $"depends_on '{entry.Key.Value}' of service '{service}'";
                var v = entry.Value;
                var condition = ComposeDependencyCondition.ServiceStarted;
                var restart = false;
                var required = true;
                if (!v.IsNull)
                {
                    Mapping(v, at, "condition", "restart", "required");
                    condition = OneOf(v.Get("condition"), "condition of " + at, "service_started", "service_healthy", "service_completed_successfully") switch
                    {
                        "service_healthy" => ComposeDependencyCondition.ServiceHealthy,
                        "service_completed_successfully" => ComposeDependencyCondition.ServiceCompletedSuccessfully,
                        _ => ComposeDependencyCondition.ServiceStarted,
                    };
                    restart = v.Get("restart") is { } r && Bool(r, "restart of " + at);
                    required = !(v.Get("required") is { } q) || Bool(q, "required of " + at);
                }

                result.Add(new ComposeDependency(entry.Key.Value!, condition, restart, required));
            }

            return result;
        }

        private static string? ReadRestart(ComposeNode node, string service)
        {
            var value = String(node, $"restart of service '{service}'");
            if (value != null && !Regex.IsMatch(value, "^(no|always|unless-stopped|on-failure(:[0-9]+)?)$"))
            {
                throw node.Error($"restart of service '{service}' must be no, always, on-failure[:MAX_RETRIES] or unless-stopped, not '{value}'.");
            }

            return value;
        }

        private static ComposeHealthcheck ReadHealthcheck(ComposeNode node, string service)
        {
            var at = $"healthcheck of service '{service}'";
            Mapping(node, at, "test", "interval", "timeout", "start_period", "start_interval", "retries", "disable");
            var health = new ComposeHealthcheck();
            var test = node.Get("test");
            if (test != null && !test.IsNull)
            {
                if (test.Kind == ComposeNodeKind.Scalar)
                {
                    health.Test = new[] { "CMD-SHELL", test.Value! };
                }
                else
                {
                    var list = StringList(test, "test of " + at);
                    if (list.Count == 0 || (list[0] != "CMD" && list[0] != "CMD-SHELL" && list[0] != "NONE"))
                    {
                        throw test.Error($"test of {at} as a list must start with \"CMD\", \"CMD-SHELL\" or \"NONE\".");
                    }

                    health.Test = list;
                    health.Disable = list[0] == "NONE";
                }
            }

            health.Interval = Duration(node.Get("interval"), "interval of " + at);
            health.Timeout = Duration(node.Get("timeout"), "timeout of " + at);
            health.StartPeriod = Duration(node.Get("start_period"), "start_period of " + at);
            health.StartInterval = Duration(node.Get("start_interval"), "start_interval of " + at);
            health.Retries = node.Get("retries") is { } retries ? Int(retries, "retries of " + at, 0) : (int?)null;
            if (node.Get("disable") is { } disable && Bool(disable, "disable of " + at))
            {
                health.Disable = true;
            }

            return health;
        }

        private static IReadOnlyList<string> ReadExtraHosts(ComposeNode node, string at)
        {
            if (node.Kind == ComposeNodeKind.Mapping)
            {
                return StringMap(node, at).Select(p => p.Key + ":" + p.Value).ToList();
            }

            return StringList(node, at).Select(h => h.IndexOf('=') > 0 && h.IndexOf(':') < 0 ? h.Replace('=', ':') : h).ToList();
        }

        private static ComposeDeploy ReadDeploy(ComposeNode node, string service)
        {
            var at = $"deploy of service '{service}'";
            Mapping(node, at, "mode", "replicas", "resources", "restart_policy", "placement", "update_config", "rollback_config", "labels", "endpoint_mode");
            var deploy = new ComposeDeploy
            {
                Mode = OneOf(node.Get("mode"), "mode of " + at, "replicated", "global", "replicated-job", "global-job"),
                Replicas = node.Get("replicas") is { } r ? Int(r, "replicas of " + at, 0) : (int?)null,
                Labels = node.Get("labels") is { } l ? StringMap(l, "labels of " + at) : ComposeService.Empty<string>(),
            };

            if (node.Get("resources") is { } resources && !resources.IsNull)
            {
                Mapping(resources, "resources of " + at, "limits", "reservations");
                deploy.Limits = ReadResources(resources.Get("limits"), "resources.limits of " + at);
                deploy.Reservations = ReadResources(resources.Get("reservations"), "resources.reservations of " + at);
            }

            if (node.Get("restart_policy") is { } policy && !policy.IsNull)
            {
                var pat = "restart_policy of " + at;
                Mapping(policy, pat, "condition", "delay", "max_attempts", "window");
                deploy.RestartPolicy = new ComposeRestartPolicy
                {
                    Condition = OneOf(policy.Get("condition"), "condition of " + pat, "none", "on-failure", "any"),
                    Delay = Duration(policy.Get("delay"), "delay of " + pat),
                    MaxAttempts = policy.Get("max_attempts") is { } m ? Int(m, "max_attempts of " + pat, 0) : (int?)null,
                    Window = Duration(policy.Get("window"), "window of " + pat),
                };
            }

            if (node.Get("placement") is { } placement && !placement.IsNull)
            {
                Mapping(placement, "placement of " + at, "constraints", "preferences", "max_replicas_per_node");
                deploy.PlacementConstraints = placement.Get("constraints") is { } c ? StringList(c, "placement.constraints of " + at) : Array.Empty<string>();
            }

            if (node.Get("update_config") is { } update && !update.IsNull)
            {
                var uat = "update_config of " + at;
                Mapping(update, uat, "parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order");
                deploy.UpdateConfig = new ComposeUpdateConfig
                {
                    Parallelism = update.Get("parallelism") is { } p ? Int(p, "parallelism of " + uat, 0) : (int?)null,
                    Delay = Duration(update.Get("delay"), "delay of " + uat),
                    FailureAction = OneOf(update.Get("failure_action"), "failure_action of " + uat, "continue", "rollback", "pause"),
                    Monitor = Duration(update.Get("monitor"), "monitor of " + uat),
                    MaxFailureRatio = update.Get("max_failure_ratio") is { } f ? Double(f, "max_failure_ratio of " + uat) : (double?)null,
                    Order = OneOf(update.Get("order"), "order of " + uat, "stop-first", "start-first"),
                };
            }

            return deploy;
        }

        private static ComposeResources? ReadResources(ComposeNode? node, string at)
        {
            if (node == null || node.IsNull)
            {
                return null;
            }

            Mapping(node, at, "cpus", "memory", "pids", "devices", "generic_resources");
            return new ComposeResources
            {
                Cpus = node.Get("cpus") is { } c ? Double(c, "cpus of " + at) : (double?)null,
                Memory = node.Get("memory") is { } m ? Bytes(m, "memory of " + at) : (long?)null,
                Pids = node.Get("pids") is { } p ? Int(p, "pids of " + at, 0) : (long?)null,
            };
        }

        public ComposeNetwork ReadNetwork(string key, ComposeNode? node)
        {
            var at = $"network '{key}'";
            var network = ReadResource(key, node, at, (k, name) => new ComposeNetwork(k, name),
                "driver", "driver_opts", "ipam", "internal", "external", "name", "labels", "attachable", "enable_ipv6", "enable_ipv4");
            if (node == null || node.IsNull)
            {
                return network;
            }

            network.Internal = node.Get("internal") is { } i && Bool(i, "internal of " + at);
            network.Attachable = node.Get("attachable") is { } a && Bool(a, "attachable of " + at);
            network.EnableIPv6 = node.Get("enable_ipv6") is { } v6 && Bool(v6, "enable_ipv6 of " + at);
            if (node.Get("ipam") is { } ipam && !ipam.IsNull)
            {
                Mapping(ipam, "ipam of " + at, "driver", "config", "options");
                network.IpamDriver = String(ipam.Get("driver"), at);
                if (ipam.Get("config") is { } config && !config.IsNull)
                {
                    network.Subnets = Sequence(config, "ipam.config of " + at).Select(pool =>
                    {
                        Mapping(pool, "ipam.config of " + at, "subnet", "gateway", "ip_range", "aux_addresses");
                        return new ComposeIpamPool(String(pool.Get("subnet"), at), String(pool.Get("gateway"), at), String(pool.Get("ip_range"), at));
                    }).ToList();
                }
            }

            return network;
        }

        public ComposeVolume ReadVolume(string key, ComposeNode? node) =>
            ReadResource(key, node, $"volume '{key}'", (k, name) => new ComposeVolume(k, name), "driver", "driver_opts", "external", "name", "labels");

        /// <summary>What networks and volumes share: name (else PROJECT_KEY; external: else the key), external, driver, driver_opts, labels.</summary>
        private T ReadResource<T>(string key, ComposeNode? node, string at, Func<string, string, T> create, params string[] allowed)
            where T : ComposeResource
        {
            if (node == null || node.IsNull)
            {
                return create(key, _projectName + "_" + key);
            }

            Mapping(node, at, allowed);
            var external = node.Get("external") is { } e && ExternalFlag(e, at);
            var resource = create(key, String(node.Get("name"), at) ?? (external ? key : _projectName + "_" + key));
            resource.Driver = String(node.Get("driver"), at);
            resource.DriverOptions = node.Get("driver_opts") is { } o ? StringMap(o, "driver_opts of " + at) : ComposeService.Empty<string>();
            resource.External = external;
            resource.Labels = node.Get("labels") is { } l ? StringMap(l, "labels of " + at) : ComposeService.Empty<string>();
            return resource;
        }

        /// <summary>external: true, or the obsolete external: {name: x} form.</summary>
        private static bool ExternalFlag(ComposeNode node, string at) =>
            node.Kind == ComposeNodeKind.Mapping ? true : Bool(node, "external of " + at);

        private string ResolvePath(string path)
        {
            if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            {
                var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
                path = home + path.Substring(1);
            }

            return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(_workingDirectory, path));
        }

        // ---- typed readers: each names the key and the expected type in its error ----

        internal static List<KeyValuePair<ComposeNode, ComposeNode>> Mapping(ComposeNode node, string at, params string[] allowed)
        {
            if (node.Kind != ComposeNodeKind.Mapping)
            {
                throw node.Error($"{at} must be a mapping, not {node.KindName}.");
            }

            if (allowed.Length > 0)
            {
                foreach (var entry in node.Entries)
                {
                    var k = entry.Key.Value!;
                    if (Array.IndexOf(allowed, k) < 0 && !k.StartsWith("x-", StringComparison.Ordinal))
                    {
                        throw entry.Key.Error($"{at} has an unknown key '{k}' (allowed: {string.Join(", ", allowed)}).");
                    }
                }
            }

            return node.Entries;
        }

        private static List<ComposeNode> Sequence(ComposeNode node, string at)
        {
            if (node.IsNull)
            {
                return new List<ComposeNode>();
            }

            if (node.Kind != ComposeNodeKind.Sequence)
            {
                throw node.Error($"{at} must be a list, not {node.KindName}.");
            }

            return node.Items;
        }

        internal static string? String(ComposeNode? node, string at)
        {
            if (node == null || node.IsNull)
            {
                return null;
            }

            if (node.Kind != ComposeNodeKind.Scalar)
            {
                throw node.Error($"{at} must be a string, not {node.KindName}.");
            }

            return node.Value;
        }

        private static IReadOnlyList<string> StringList(ComposeNode node, string at)
        {
            if (node.Kind == ComposeNodeKind.Scalar && node.Value != null)
            {
                return new[] { node.Value };
            }

            return Sequence(node, at).Select(item => String(item, "an entry of " + at) ?? throw item.Error($"an entry of {at} is null.")).ToList();
        }

        private static IReadOnlyDictionary<string, string> StringMap(ComposeNode node, string at)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in NullableMap(node, at))
            {
                result[pair.Key] = pair.Value ?? string.Empty;
            }

            return result;
        }

        private static IEnumerable<KeyValuePair<string, string?>> NullableMap(ComposeNode node, string at)
        {
            if (node.IsNull)
            {
                yield break;
            }

            foreach (var entry in Mapping(node, at))
            {
                var v = entry.Value;
                if (v.Kind != ComposeNodeKind.Scalar)
                {
                    throw v.Error($"'{entry.Key.Value}' in {at} must be a string, number or boolean, not {v.KindName}.");
                }

                yield return new KeyValuePair<string, string?>(entry.Key.Value!, v.Value);
            }
        }

        private static IReadOnlyList<string> CommandLine(ComposeNode node, string at)
        {
            if (node.IsNull)
            {
                return null!;
            }

            if (node.Kind == ComposeNodeKind.Scalar)
            {
                try
                {
                    return SplitShellWords(node.Value!);
                }
                catch (FormatException e)
                {
                    throw node.Error($"{at}: {e.Message}");
                }
            }

            return StringList(node, at);
        }

        /// <summary>Splits a command string as a POSIX shell would (single quotes, double quotes, backslashes), without expanding anything.</summary>
        internal static IReadOnlyList<string> SplitShellWords(string text)
        {
            var words = new List<string>();
            var current = new StringBuilder();
            var inWord = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\'' )
                {
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("a single quote is not closed.");
                    }

                    current.Append(text, i + 1, end - i - 1);
                    i = end;
                    inWord = true;
                }
                else if (c == '"')
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && "\"\\$`".IndexOf(text[i + 1]) >= 0)
                        {
                            i++;
                        }

                        current.Append(text[i]);
                        i++;
                    }

                    if (i >= text.Length)
                    {
                        throw new FormatException("a double quote is not closed.");
                    }

                    inWord = true;
                }
                else if (c == '\\' && i + 1 < text.Length)
                {
                    current.Append(text[++i]);
                    inWord = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }
                }
                else
                {
                    current.Append(c);
                    inWord = true;
                }
            }

            if (inWord)
            {
                words.Add(current.ToString());
            }

            return words;
        }

        private static bool Bool(ComposeNode node, string at)
        {
            // Like compose, a quoted "true" (e.g. from "${FLAG}") counts: values are cast after interpolation.
            switch (node.Kind == ComposeNodeKind.Scalar ? node.Value?.ToLowerInvariant() : null)
            {
                case "true": case "yes": case "y": case "on": return true;
                case "false": case "no": case "n": case "off": return false;
                default: throw node.Error($"{at} must be true or false, not {(node.Kind == ComposeNodeKind.Scalar ? "'" + node + "'" : node.KindName)}.");
            }
        }

        private static int Int(ComposeNode node, string at, int minimum, int maximum = int.MaxValue)
        {
            if (node.Kind != ComposeNodeKind.Scalar || !int.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
            {
                var range = maximum == int.MaxValue ? (minimum == int.MinValue ? "a whole number" : $"a whole number from {minimum}") : $"a whole number from {minimum} to {maximum}";
                throw node.Error($"{at} must be {range}, not {(node.Kind == ComposeNodeKind.Scalar ? "'" + node + "'" : node.KindName)}.");
            }

            return value;
        }

        private static double Double(ComposeNode node, string at)
        {
            if (node.Kind != ComposeNodeKind.Scalar || !double.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                throw node.Error($"{at} must be a number such as 0.5, not {(node.Kind == ComposeNodeKind.Scalar ? "'" + node + "'" : node.KindName)}.");
            }

            return value;
        }

        private static long Bytes(ComposeNode node, string at)
        {
            if (node.Kind != ComposeNodeKind.Scalar || !ValueParsers.TryParseBytes(node.Value, out var bytes))
            {
                throw node.Error($"{at} must be a size in bytes or with a unit (512m, 1.5g, 1gb), not {(node.Kind == ComposeNodeKind.Scalar ? "'" + node + "'" : node.KindName)}.");
            }

            return bytes;
        }

        /// <summary>A duration as compose writes them (Go's syntax: 1m30s, 10s, 500ms, 1h, 1.5s) or a number of seconds.</summary>
        internal static TimeSpan? Duration(ComposeNode? node, string at)
        {
            if (node == null || node.IsNull)
            {
                return null;
            }

            var text = node.Kind == ComposeNodeKind.Scalar ? node.Value!.Trim() : null;
            if (text != null && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && node.Plain)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (text != null && text.Length > 0 && DurationPart.Replace(text, string.Empty).Length == 0)
            {
                var total = 0.0;
                foreach (Match m in DurationPart.Matches(text))
                {
                    var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    total += m.Groups[2].Value switch
                    {
                        "h" => n * 3600e3,
                        "m" => n * 60e3,
                        "s" => n * 1e3,
                        "ms" => n,
                        "ns" => n / 1e6,
                        _ => n / 1e3,
                    };
                }

                return TimeSpan.FromTicks((long)Math.Round(total * TimeSpan.TicksPerMillisecond));
            }

            throw node.Error($"{at} must be a duration such as 30s, 1m30s, 500ms or 1h, not {(text != null ? "'" + text + "'" : node.KindName)}.");
        }

        private static string? OneOf(ComposeNode? node, string at, params string[] allowed)
        {
            var value = String(node, at);
            if (value != null && Array.IndexOf(allowed, value) < 0)
            {
                throw node!.Error($"{at} must be one of {string.Join(", ", allowed)}, not '{value}'.");
            }

            return value;
        }
    }
}
