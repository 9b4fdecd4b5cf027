using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Compose
{
    /// <summary>What to load: the files and the knobs docker compose takes on its command line.</summary>
    public sealed class ComposeLoadOptions
    {
        /// <summary>The compose files, merged in this order; relative paths are relative to CurrentDirectory.</summary>
        public IList<string> Paths { get; } = new List<string>();

        /// <summary>-p / -ProjectName: wins over COMPOSE_PROJECT_NAME, the file's name: and the folder name.</summary>
        public string? ProjectName { get; set; }

        /// <summary>--env-file / -EnvironmentFile: used instead of the .env next to the first file.</summary>
        public IList<string> EnvironmentFiles { get; } = new List<string>();

        /// <summary>--profile / -Profile: added to COMPOSE_PROFILES.</summary>
        public IList<string> Profiles { get; } = new List<string>();

        /// <summary>The process environment; it wins over .env values. Null: the current process's.</summary>
        public IDictionary<string, string>? Environment { get; set; }

        /// <summary>What relative -Path and -EnvironmentFile values are relative to. Null: the process's current directory.</summary>
        public string? CurrentDirectory { get; set; }
    }

    /// <summary>
    /// Loads compose files the way docker compose does [docker compose config]: the project's environment (process
    /// environment over .env), interpolation per file, the files merged in order, profiles applied, the project
    /// named, and everything validated. An invalid file throws ComposeFileException with file, line and column.
    /// </summary>
    public static class ComposeLoader
    {
        private static readonly HashSet<string> TopLevelKeys = new HashSet<string>(StringComparer.Ordinal) { "version", "name", "services", "networks", "volumes", "include", "secrets", "configs", "models" };

        public static ComposeProject Load(ComposeLoadOptions options)
        {
            if (options.Paths.Count == 0)
            {
                throw new InvalidSpecException("ComposeFileMissing", "Name at least one compose file (-Path compose.yaml).");
            }

            var current = options.CurrentDirectory ?? Directory.GetCurrentDirectory();
            var files = options.Paths.Select(p => Path.GetFullPath(Path.Combine(current, p))).ToList();
            foreach (var file in files)
            {
                if (!File.Exists(file))
                {
                    throw new ComposeFileException(file, 0, 0, "the compose file does not exist.");
                }
            }

            var workingDirectory = Path.GetDirectoryName(files[0])!;
            var process = options.Environment ?? ReadProcessEnvironment();

            // The interpolation environment: .env (or -EnvironmentFile) values, the process environment over them.
            var dotenv = new Dictionary<string, string>(StringComparer.Ordinal);
            string? ProcessValue(string name) => process.TryGetValue(name, out var v) ? v : null;
            var envFiles = options.EnvironmentFiles.Count > 0
                ? options.EnvironmentFiles.Select(p => Path.GetFullPath(Path.Combine(current, p))).ToList()
                : new List<string> { Path.Combine(workingDirectory, ".env") };
            foreach (var envFile in envFiles)
            {
                if (options.EnvironmentFiles.Count == 0 && !File.Exists(envFile))
                {
                    continue;
                }

                foreach (var pair in ComposeDotEnv.ReadFile(envFile, name => ProcessValue(name) ?? (dotenv.TryGetValue(name, out var d) ? d : null)))
                {
                    dotenv[pair.Key] = pair.Value;
                }
            }

            string? Lookup(string name) => ProcessValue(name) ?? (dotenv.TryGetValue(name, out var v) ? v : null);

            var warnings = new List<string>();
            void Warn(string message)
            {
                if (!warnings.Contains(message))
                {
                    warnings.Add(message);
                }
            }

            // Each file is interpolated on its own, then merged (compose's order).
            ComposeNode? merged = null;
            foreach (var file in files)
            {
                var node = ComposeNode.Load(File.ReadAllText(file), file, text => ComposeInterpolation.Interpolate(text, Lookup, Warn));
                ComposeMerge.Normalize(node);
                foreach (var entry in node.Entries)
                {
                    var key = entry.Key.Value!;
                    if (key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (!TopLevelKeys.Contains(key))
                    {
                        throw entry.Key.Error($"unknown top-level key '{key}': a compose file has name, services, networks, volumes (and x- extensions).");
                    }

                    if (key == "include" || key == "secrets" || key == "configs" || key == "models")
                    {
                        throw entry.Key.Error($"the top-level key '{key}' is not supported by ContainerTools yet.");
                    }

                    if (key == "version")
                    {
                        Warn($"{file}: the attribute 'version' is obsolete and ignored.");
                    }
                }

                merged = merged == null ? node : ComposeMerge.Merge(merged, node);
            }

            var root = merged!;
            var projectName = ResolveProjectName(options.ProjectName, Lookup("COMPOSE_PROJECT_NAME"), root.Get("name"), workingDirectory);
            var reader = new ComposeReader(projectName, workingDirectory, Lookup);

            var servicesNode = root.Get("services");
            var allServices = new List<(ComposeNode Key, ComposeNode Node, ComposeService Service)>();
            if (servicesNode != null && !servicesNode.IsNull)
            {
                foreach (var entry in servicesNode.Entries)
                {
                    allServices.Add((entry.Key, entry.Value, reader.ReadService(entry.Key, entry.Value)));
                }
            }

            // Profiles: a service with profiles runs only when one of them is active ('*' activates all).
            var active = new List<string>();
            foreach (var p in (Lookup("COMPOSE_PROFILES") ?? string.Empty).Split(',').Concat(options.Profiles))
            {
                var profile = p.Trim();
                if (profile.Length > 0 && !active.Contains(profile))
                {
                    active.Add(profile);
                }
            }

            bool Enabled(ComposeService s) => s.Profiles.Count == 0 || active.Contains("*") || s.Profiles.Any(active.Contains);
            var enabled = allServices.Where(s => Enabled(s.Service)).ToList();
            var disabled = allServices.Where(s => !Enabled(s.Service)).Select(s => s.Service.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

            var networksNode = root.Get("networks");
            var volumesNode = root.Get("volumes");
            var networks = ReadTopLevel(networksNode, "networks", (k, n) => reader.ReadNetwork(k, n));
            var volumes = ReadTopLevel(volumesNode, "volumes", (k, n) => reader.ReadVolume(k, n));

            foreach (var (key, node, service) in enabled)
            {
                CheckReferences(service, node, allServices.Select(s => s.Service).ToList(), enabled.Select(s => s.Service.Name).ToList(), networks, volumes);
            }

            CheckCycles(enabled);

            // The implicit default network, when a service uses it and the file does not define it.
            if (enabled.Any(s => s.Service.Networks.Any(n => n.Name == "default")) && !networks.Any(n => n.Key == "default"))
            {
                networks.Add(reader.ReadNetwork("default", null));
            }

            var services = enabled.Select(s => s.Service).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            return new ComposeProject(projectName, workingDirectory, files, services,
                networks.OrderBy(n => n.Key, StringComparer.Ordinal).ToList(), volumes.OrderBy(v => v.Key, StringComparer.Ordinal).ToList(),
                active, disabled, warnings);
        }

        /// <summary>
        /// The project name, as docker compose picks it: -ProjectName, else COMPOSE_PROJECT_NAME (process or .env),
        /// else the top-level name:, else the first file's folder name; normalised to lowercase letters, digits,
        /// '_' and '-', starting with a letter or digit.
        /// </summary>
        public static string NormalizeProjectName(string name)
        {
            var lower = name.ToLowerInvariant();
            var kept = new StringBuilder(lower.Length);
            foreach (var c in lower)
            {
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')
                {
                    kept.Append(c);
                }
            }

            return kept.ToString().TrimStart('_', '-');
        }

        private static string ResolveProjectName(string? option, string? environment, ComposeNode? nameNode, string workingDirectory)
        {
            if (!string.IsNullOrEmpty(option))
            {
                return Checked(option!, "-ProjectName", null);
            }

            if (!string.IsNullOrEmpty(environment))
            {
                return Checked(environment!, "COMPOSE_PROJECT_NAME", null);
            }

            var fromFile = ComposeReader.String(nameNode, "name");
            if (!string.IsNullOrEmpty(fromFile))
            {
                return Checked(fromFile!, "the top-level name", nameNode);
            }

            return Checked(Path.GetFileName(workingDirectory.TrimEnd(Path.DirectorySeparatorChar)), "the project folder's name", null);
        }

        private static string Checked(string name, string source, ComposeNode? at)
        {
            var normalized = NormalizeProjectName(name);
            if (normalized.Length == 0)
            {
                var problem = $"the project name '{name}' from {source} has no letters or digits: a project name is lowercase letters, digits, '_' and '-', starting with a letter or digit. Give one with -ProjectName.";
                throw at != null ? at.Error(problem) : new InvalidSpecException("InvalidProjectName", problem, name);
            }

            return normalized;
        }

        private static List<T> ReadTopLevel<T>(ComposeNode? node, string what, Func<string, ComposeNode?, T> read)
        {
            var result = new List<T>();
            if (node == null || node.IsNull)
            {
                return result;
            }

            foreach (var entry in ComposeReader.Mapping(node, $"top-level {what}"))
            {
                if (!entry.Key.Value!.StartsWith("x-", StringComparison.Ordinal))
                {
                    result.Add(read(entry.Key.Value!, entry.Value));
                }
            }

            return result;
        }

        private static void CheckReferences(ComposeService service, ComposeNode node, List<ComposeService> all, List<string> enabled,
            List<ComposeNetwork> networks, List<ComposeVolume> volumes)
        {
            var dependsOn = node.Get("depends_on");
            foreach (var dependency in service.DependsOn)
            {
                var at = dependsOn?.Entries.First(e => e.Key.Value == dependency.Service).Key ?? node;
                if (!dependency.Required)
                {
                    continue;
                }

                if (all.All(s => s.Name != dependency.Service))
                {
                    throw at.Error($"service '{service.Name}' depends on '{dependency.Service}', which is not a service of this project.");
                }

                if (!enabled.Contains(dependency.Service))
                {
                    var profiles = string.Join(", ", all.First(s => s.Name == dependency.Service).Profiles);
                    throw at.Error($"service '{service.Name}' depends on '{dependency.Service}', which is disabled: activate one of its profiles ({profiles}) with -Profile.");
                }
            }

            if (service.NetworkMode != null && service.NetworkMode.StartsWith("service:", StringComparison.Ordinal) && all.All(s => "service:" + s.Name != service.NetworkMode))
            {
                throw node.Get("network_mode")!.Error($"network_mode of service '{service.Name}' names '{service.NetworkMode.Substring(8)}', which is not a service of this project.");
            }

            var networksNode = node.Get("networks");
            foreach (var network in service.Networks)
            {
                if (network.Name != "default" && networks.All(n => n.Key != network.Name))
                {
                    var at = networksNode?.Entries.First(e => e.Key.Value == network.Name).Key ?? node;
                    throw at.Error($"service '{service.Name}' uses network '{network.Name}', which is not defined under the top-level networks.");
                }
            }

            var volumesNode = node.Get("volumes");
            for (var i = 0; i < service.Volumes.Count; i++)
            {
                var volume = service.Volumes[i];
                if (volume.Type == ComposeMountType.Volume && volume.Source != null && volumes.All(v => v.Key != volume.Source))
                {
                    var at = volumesNode != null && i < volumesNode.Items.Count ? volumesNode.Items[i] : node;
                    throw at.Error($"service '{service.Name}' uses volume '{volume.Source}', which is not defined under the top-level volumes. Define it there, or write a path (./{volume.Source}) for a bind mount.");
                }
            }
        }

        private static void CheckCycles(List<(ComposeNode Key, ComposeNode Node, ComposeService Service)> services)
        {
            var byName = services.ToDictionary(s => s.Service.Name, s => s);
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
            var path = new List<string>();

            void Visit(string name)
            {
                state[name] = 1;
                path.Add(name);
                var entry = byName[name];
                foreach (var dependency in entry.Service.DependsOn)
                {
                    if (!byName.ContainsKey(dependency.Service))
                    {
                        continue;
                    }

                    state.TryGetValue(dependency.Service, out var s);
                    if (s == 1)
                    {
                        var cycle = path.Skip(path.IndexOf(dependency.Service)).Concat(new[] { dependency.Service });
                        var at = entry.Node.Get("depends_on")!.Entries.First(e => e.Key.Value == dependency.Service).Key;
                        throw at.Error($"dependency cycle: {string.Join(" -> ", cycle)}. Remove one of these depends_on entries.");
                    }

                    if (s == 0)
                    {
                        Visit(dependency.Service);
                    }
                }

                path.RemoveAt(path.Count - 1);
                state[name] = 2;
            }

            foreach (var service in services)
            {
                if (!state.ContainsKey(service.Service.Name))
                {
                    Visit(service.Service.Name);
                }
            }
        }

        private static IDictionary<string, string> ReadProcessEnvironment()
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            {
                result[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
            }

            return result;
        }
    }
}
