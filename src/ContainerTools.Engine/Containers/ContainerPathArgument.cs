using System;
using System.IO;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Containers
{
    /// <summary>A copy source or destination as docker cp reads it: 'container:/path' for a container path, anything else local.</summary>
    public sealed class ContainerPathArgument
    {
        // docker's container name rule (two characters at least), or an id: a drive letter such as 'C:' never matches.
        private static readonly Regex ContainerReference = new Regex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$", RegexOptions.CultureInvariant);

        private ContainerPathArgument(string? container, string path)
        {
            Container = container;
            Path = path;
        }

        /// <summary>The container's name or id, or null for a local path.</summary>
        public string? Container { get; }

        /// <summary>The path: in the container (absolute, as given otherwise) or local, as given.</summary>
        public string Path { get; }

        public bool IsContainerPath => Container != null;

        /// <summary>
        /// Splits as docker cp does (cli/command/container/cp.go splitCpArg): an absolute local path, or one that starts
        /// with '.', is local; otherwise the part before the first ':' is a container when it is a valid container
        /// name or id. isLocalDrive lets PowerShell say that a prefix is one of its drives (Temp:, HKCU:), which stays local.
        /// </summary>
        public static ContainerPathArgument Parse(string argument, Func<string, bool>? isLocalDrive = null)
        {
            if (string.IsNullOrEmpty(argument))
            {
                throw new InvalidSpecException("InvalidCopyPath", "The path is empty. Give a local path, or a container path as 'container:/path'.", argument);
            }

            if (System.IO.Path.IsPathRooted(argument) && !(argument.Length > 1 && argument[1] == ':' && !IsWindowsDrivePath(argument)))
            {
                return new ContainerPathArgument(null, argument);
            }

            var colon = argument.IndexOf(':');
            if (colon <= 0 || argument.StartsWith(".", StringComparison.Ordinal))
            {
                return new ContainerPathArgument(null, argument);
            }

            var container = argument.Substring(0, colon);
            if (!ContainerReference.IsMatch(container) || (isLocalDrive != null && isLocalDrive(container)))
            {
                return new ContainerPathArgument(null, argument);
            }

            var path = argument.Substring(colon + 1);
            if (path.Length == 0)
            {
                throw new InvalidSpecException("InvalidCopyPath", $"'{argument}' names no path in the container. Write it as '{container}:/path'.", argument);
            }

            // docker cp: container paths are relative to the container's root; the leading '/' is optional.
            return new ContainerPathArgument(container.TrimStart('/'), path.StartsWith("/", StringComparison.Ordinal) ? path : "/" + path);
        }

        private static bool IsWindowsDrivePath(string argument) =>
            System.IO.Path.DirectorySeparatorChar == '\\' && argument.Length >= 3 && char.IsLetter(argument[0]) && (argument[2] == '\\' || argument[2] == '/');

        public override string ToString() => Container == null ? Path : Container + ":" + Path;
    }
}
