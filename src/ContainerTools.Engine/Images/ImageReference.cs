using System;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Images
{
    /// <summary>
    /// An image reference parsed and normalised as Docker does it (the distribution reference grammar):
    /// [registry[:port]/]path[:tag][@digest]; no registry means docker.io, a one-part docker.io path gets
    /// library/, and no tag and no digest means :latest.
    /// </summary>
    public sealed class ImageReference
    {
        public const string DefaultRegistry = "docker.io";
        public const string DefaultTag = "latest";

        private const string Syntax = "An image reference is [registry[:port]/]name[:tag][@sha256:digest] in lower case, e.g. busybox, busybox:1.36, registry.example.com:5000/team/app:v2.";
        private static readonly Regex PathComponent = new Regex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$", RegexOptions.CultureInvariant);
        private static readonly Regex DomainPattern = new Regex(@"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$", RegexOptions.CultureInvariant);
        private static readonly Regex TagPattern = new Regex(@"^[\w][\w.-]{0,127}$", RegexOptions.CultureInvariant);
        private static readonly Regex DigestPattern = new Regex(@"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$", RegexOptions.CultureInvariant);
        private static readonly Regex ImageIdPattern = new Regex("^(?:sha256:)?[0-9a-f]{64}$", RegexOptions.CultureInvariant);

        private ImageReference(string registry, string path, string? tag, string? digest)
        {
            Registry = registry;
            Path = path;
            Tag = tag;
            Digest = digest;
        }

        /// <summary>docker.io, or a host[:port] such as 127.0.0.1:5000.</summary>
        public string Registry { get; }

        /// <summary>The repository path within the registry, e.g. library/busybox.</summary>
        public string Path { get; }

        /// <summary>The tag as written, or null (see EffectiveTag).</summary>
        public string? Tag { get; }

        public string? Digest { get; }

        /// <summary>The tag the engine uses: the one written, else latest (none when only a digest is given).</summary>
        public string? EffectiveTag => Tag ?? (Digest == null ? DefaultTag : null);

        /// <summary>registry/path: docker.io/library/busybox.</summary>
        public string Repository => Registry + "/" + Path;

        /// <summary>The repository as docker shows it: busybox, team/app, 127.0.0.1:5000/app.</summary>
        public string FamiliarRepository =>
            Registry == DefaultRegistry ? (Path.StartsWith("library/", StringComparison.Ordinal) && Path.IndexOf('/', 8) < 0 ? Path.Substring(8) : Path) : Repository;

        /// <summary>The full normalised reference: docker.io/library/busybox:latest.</summary>
        public string Normalized => Repository + (EffectiveTag == null ? string.Empty : ":" + EffectiveTag) + (Digest == null ? string.Empty : "@" + Digest);

        /// <summary>As docker shows it: busybox:latest.</summary>
        public string Familiar => FamiliarRepository + (EffectiveTag == null ? string.Empty : ":" + EffectiveTag) + (Digest == null ? string.Empty : "@" + Digest);

        /// <summary>True for a bare image id (64 hex digits, optionally sha256:), which is no repository reference.</summary>
        public static bool IsImageId(string value) => ImageIdPattern.IsMatch((value ?? string.Empty).Trim());

        public static ImageReference Parse(string value)
        {
            var raw = (value ?? string.Empty).Trim();
            if (raw.Length == 0)
            {
                throw Invalid(value, "it is empty");
            }

            if (IsImageId(raw))
            {
                throw Invalid(value, "it is an image id, not a repository name");
            }

            string? digest = null;
            var at = raw.IndexOf('@');
            if (at >= 0)
            {
                digest = raw.Substring(at + 1);
                raw = raw.Substring(0, at);
                if (!DigestPattern.IsMatch(digest))
                {
                    throw Invalid(value, $"'{digest}' is not a digest (algorithm:hex, e.g. sha256:<64 hex digits>)");
                }
            }

            string? tag = null;
            var lastColon = raw.LastIndexOf(':');
            if (lastColon > raw.LastIndexOf('/'))
            {
                tag = raw.Substring(lastColon + 1);
                raw = raw.Substring(0, lastColon);
                if (!TagPattern.IsMatch(tag))
                {
                    throw Invalid(value, $"'{tag}' is not a tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
                }
            }

            if (raw.Length == 0)
            {
                throw Invalid(value, "the name is missing");
            }

            string registry;
            string remainder;
            var slash = raw.IndexOf('/');
            var first = slash < 0 ? raw : raw.Substring(0, slash);
            if (slash < 0 || (first.IndexOfAny(new[] { '.', ':' }) < 0 && first != "localhost" && first.ToLowerInvariant() == first))
            {
                registry = DefaultRegistry;
                remainder = raw;
            }
            else
            {
                registry = first;
                remainder = raw.Substring(slash + 1);
                if (!DomainPattern.IsMatch(registry))
                {
                    throw Invalid(value, $"'{registry}' is not a registry host[:port]");
                }
            }

            if (registry == "index.docker.io")
            {
                registry = DefaultRegistry;
            }

            if (registry == DefaultRegistry && remainder.IndexOf('/') < 0)
            {
                remainder = "library/" + remainder;
            }

            foreach (var component in remainder.Split('/'))
            {
                if (!PathComponent.IsMatch(component))
                {
                    var reason = component.ToLowerInvariant() != component && PathComponent.IsMatch(component.ToLowerInvariant())
                        ? $"the repository name must be lower case ('{component}')"
                        : $"'{component}' is not a valid name component";
                    throw Invalid(value, reason);
                }
            }

            if (registry.Length + 1 + remainder.Length > 255)
            {
                throw Invalid(value, "the name is longer than 255 characters");
            }

            return new ImageReference(registry, remainder, tag, digest);
        }

        public static bool TryParse(string value, out ImageReference? reference)
        {
            try
            {
                reference = Parse(value);
                return true;
            }
            catch (InvalidSpecException)
            {
                reference = null;
                return false;
            }
        }

        public override string ToString() => Familiar;

        private static InvalidSpecException Invalid(string? value, string reason) =>
            new InvalidSpecException("InvalidImageReference", $"'{value}' is not a valid image reference: {reason}. {Syntax}", value);
    }
}
