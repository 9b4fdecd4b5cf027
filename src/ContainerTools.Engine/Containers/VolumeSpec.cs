using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ContainerTools.Engine.Containers
{
    public enum MountKind
    {
        Bind,
        Volume,
        Tmpfs,
    }

    /// <summary>A parsed -Volume or -Mount value.</summary>
    public sealed class MountSpec
    {
        public MountSpec(MountKind kind, string? source, string target, bool readOnly, IReadOnlyList<string> options)
        {
            Kind = kind;
            Source = source;
            Target = target;
            ReadOnly = readOnly;
            Options = options;
        }

        public MountKind Kind { get; }

        /// <summary>Host path (bind) or volume name; null for an anonymous volume or tmpfs.</summary>
        public string? Source { get; }

        public string Target { get; }

        public bool ReadOnly { get; }

        /// <summary>Extra -v options (z, Z, nocopy, propagation), or --mount key=value pairs.</summary>
        public IReadOnlyList<string> Options { get; }
    }

    /// <summary>
    /// Parses -Volume ('name:/data', '/host:/ctr:ro', '/ctr') with docker's Linux rules, so that a host
    /// path always becomes a bind mount (never, silently, an anonymous volume), and -Mount with docker's
    /// --mount key=value syntax.
    /// </summary>
    public static class VolumeSpec
    {
        private static readonly HashSet<string> VolumeModes = new HashSet<string>(StringComparer.Ordinal)
        {
            "ro", "rw", "z", "Z", "nocopy", "consistent", "cached", "delegated",
            "shared", "rshared", "slave", "rslave", "private", "rprivate",
        };

        private const string VolumeSyntax = "Use 'volume-name:/container/path', '/host/path:/container/path[:ro]' or '/container/path'.";

        /// <param name="value">The -Volume value.</param>
        /// <param name="baseDirectory">What a relative host path ('./data') is relative to: the caller's current location.</param>
        public static MountSpec ParseVolume(string value, string baseDirectory)
        {
            var raw = (value ?? string.Empty).Trim();
            if (raw.Length == 0)
            {
                throw InvalidVolume(value, "it is empty");
            }

            // Paths are the engine host's (Linux): ':' always separates, as docker's Linux parser does.
            var parts = raw.Split(':');
            string? source = null;
            string target;
            var options = new List<string>();
            switch (parts.Length)
            {
                case 1:
                    target = parts[0];
                    break;
                case 2:
                    if (IsModeList(parts[1]) && !parts[1].StartsWith("/", StringComparison.Ordinal))
                    {
                        throw InvalidVolume(value, $"'{parts[1]}' looks like options, but the container path is missing");
                    }

                    source = parts[0];
                    target = parts[1];
                    break;
                case 3:
                    source = parts[0];
                    target = parts[1];
                    options.AddRange(parts[2].Split(','));
                    break;
                default:
                    throw InvalidVolume(value, "it has too many ':' parts");
            }

            if (target.Length == 0 || !target.StartsWith("/", StringComparison.Ordinal))
            {
                throw InvalidVolume(value, $"the container path '{target}' must be absolute (start with '/')");
            }

            foreach (var option in options)
            {
                if (!VolumeModes.Contains(option))
                {
                    throw InvalidVolume(value, $"'{option}' is not a volume option (ro, rw, z, Z, nocopy, or a propagation mode)");
                }
            }

            var readOnly = options.Contains("ro");
            options.RemoveAll(o => o == "ro" || o == "rw");
            if (source == null)
            {
                return new MountSpec(MountKind.Volume, null, target, readOnly, options);
            }

            if (source.Length == 0)
            {
                throw InvalidVolume(value, "the host path or volume name before ':' is empty");
            }

            if (IsHostPath(source))
            {
                if (options.Contains("nocopy"))
                {
                    throw InvalidVolume(value, "'nocopy' applies to named volumes, not to host paths");
                }

                var full = source.StartsWith(".", StringComparison.Ordinal) ? Path.GetFullPath(Path.Combine(baseDirectory, source)) : source;
                return new MountSpec(MountKind.Bind, full, target, readOnly, options);
            }

            if (!IsValidVolumeName(source))
            {
                throw InvalidVolume(value,
                    $"'{source}' is neither a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*) nor a host path (a host path starts with '/', './' or '../')");
            }

            return new MountSpec(MountKind.Volume, source, target, readOnly, options);
        }

        /// <summary>Parses a --mount value: type=bind|volume|tmpfs,source=...,target=...[,readonly][,...].</summary>
        public static MountSpec ParseMount(string value, string baseDirectory)
        {
            var raw = (value ?? string.Empty).Trim();
            var kind = MountKind.Volume;
            string? source = null;
            string? target = null;
            var readOnly = false;
            var options = new List<string>();
            foreach (var field in raw.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = field.IndexOf('=');
                var key = (eq < 0 ? field : field.Substring(0, eq)).Trim().ToLowerInvariant();
                var val = eq < 0 ? null : field.Substring(eq + 1).Trim();
                switch (key)
                {
                    case "type":
                        kind = val switch
                        {
                            "bind" => MountKind.Bind,
                            "volume" => MountKind.Volume,
                            "tmpfs" => MountKind.Tmpfs,
                            _ => throw InvalidMount(value, $"'{val}' is not a mount type (bind, volume or tmpfs)"),
                        };
                        break;
                    case "source":
                    case "src":
                        source = val;
                        break;
                    case "target":
                    case "destination":
                    case "dst":
                        target = val;
                        break;
                    case "readonly":
                    case "ro":
                        readOnly = val == null || val == "1" || val.Equals("true", StringComparison.OrdinalIgnoreCase);
                        if (val != null && !readOnly && val != "0" && !val.Equals("false", StringComparison.OrdinalIgnoreCase))
                        {
                            throw InvalidMount(value, $"readonly takes true or false, not '{val}'");
                        }

                        break;
                    case "bind-propagation":
                    case "volume-nocopy":
                    case "volume-driver":
                    case "volume-opt":
                    case "volume-label":
                    case "tmpfs-size":
                    case "tmpfs-mode":
                    case "consistency":
                        options.Add(key + "=" + (val ?? "true"));
                        break;
                    default:
                        throw InvalidMount(value, $"'{key}' is not a mount option");
                }
            }

            if (string.IsNullOrEmpty(target) || !target!.StartsWith("/", StringComparison.Ordinal))
            {
                throw InvalidMount(value, "target=<absolute container path> is required");
            }

            if (kind == MountKind.Bind)
            {
                if (string.IsNullOrEmpty(source))
                {
                    throw InvalidMount(value, "a bind mount needs source=<host path>");
                }

                if (!source!.StartsWith("/", StringComparison.Ordinal))
                {
                    source = Path.GetFullPath(Path.Combine(baseDirectory, source));
                }
            }
            else if (kind == MountKind.Tmpfs && !string.IsNullOrEmpty(source))
            {
                throw InvalidMount(value, "a tmpfs mount has no source");
            }

            return new MountSpec(kind, string.IsNullOrEmpty(source) ? null : source, target, readOnly, options);
        }

        /// <summary>Parses a -Tmpfs value: /path[:options].</summary>
        public static KeyValuePair<string, string> ParseTmpfs(string value)
        {
            var raw = (value ?? string.Empty).Trim();
            var colon = raw.IndexOf(':');
            var path = colon < 0 ? raw : raw.Substring(0, colon);
            var options = colon < 0 ? string.Empty : raw.Substring(colon + 1);
            if (!path.StartsWith("/", StringComparison.Ordinal))
            {
                throw new InvalidSpecException("InvalidTmpfsSpec",
                    $"The -Tmpfs value '{value}' is not valid: the container path must be absolute. Use '/path' or '/path:size=64m,mode=1777'.", value);
            }

            return new KeyValuePair<string, string>(path, options);
        }

        private static bool IsModeList(string text) => text.Split(',').All(VolumeModes.Contains);

        private static bool IsHostPath(string source) =>
            source.StartsWith("/", StringComparison.Ordinal) || source.StartsWith("./", StringComparison.Ordinal) ||
            source.StartsWith("../", StringComparison.Ordinal) || source == "." || source == "..";

        private static bool IsValidVolumeName(string name) =>
            char.IsLetterOrDigit(name[0]) && name.All(c => (c < 128 && char.IsLetterOrDigit(c)) || c == '_' || c == '.' || c == '-');

        private static InvalidSpecException InvalidVolume(string? value, string reason) =>
            new InvalidSpecException("InvalidVolumeSpec", $"The -Volume value '{value}' is not valid: {reason}. {VolumeSyntax}", value);

        private static InvalidSpecException InvalidMount(string? value, string reason) =>
            new InvalidSpecException("InvalidMountSpec",
                $"The -Mount value '{value}' is not valid: {reason}. Use 'type=bind,source=/host,target=/ctr[,readonly]', 'type=volume,source=name,target=/data' or 'type=tmpfs,target=/tmp'.",
                value);
    }
}
