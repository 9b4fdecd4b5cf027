using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Internal;

namespace ContainerTools.Engine.Containers
{
    /// <summary>
    /// Extracts the engine's archive of a container path into a fresh staging folder, safely: the archive's first path
    /// element (the copied item's own name, or '.') is replaced by the destination name; entries with '..' or that would
    /// be written through a link the archive made are refused; modes, links and modification times are kept (owners
    /// are not, as docker cp does not change them). MoveIntoPlace then moves what was staged to the destination.
    /// </summary>
    internal sealed class ArchiveExtractor
    {
        private readonly string _staging;
        private readonly string? _rootName;
        private readonly HashSet<string> _links = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<(string Path, int Mode, long Modified)> _directories = new List<(string, int, long)>();

        /// <param name="staging">An empty folder to extract into.</param>
        /// <param name="rootName">The name the copied item takes; null to extract a folder's contents (the root entry itself is skipped).</param>
        public ArchiveExtractor(string staging, string? rootName)
        {
            _staging = staging;
            _rootName = rootName;
        }

        public async Task ExtractAsync(TarStreamReader reader, CancellationToken cancellationToken)
        {
            TarEntry? entry;
            while ((entry = await reader.NextAsync(cancellationToken).ConfigureAwait(false)) != null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = Map(entry.Name);
                if (relative == null)
                {
                    continue;
                }

                var path = Local(relative);
                EnsureParent(relative, entry.Name);
                switch (entry.Type)
                {
                    case TarEntry.DirectoryType:
                        if (!Directory.Exists(path) || FileProbe.IsSymlink(path))
                        {
                            RemoveExisting(path);
                            Directory.CreateDirectory(path);
                        }

                        _directories.Add((path, entry.Mode, entry.ModifiedSeconds));
                        break;
                    case TarEntry.SymlinkType:
                        RemoveExisting(path);
                        LocalFileSystem.CreateSymbolicLink(path, entry.LinkName, false);
                        _links.Add(relative);
                        LocalFileSystem.SetModified(path, entry.ModifiedSeconds, isSymbolicLink: true);
                        break;
                    case TarEntry.HardLinkType:
                        var target = Map(entry.LinkName);
                        if (target == null || _links.Contains(target) || ThroughLink(target) != null || !File.Exists(Local(target)))
                        {
                            throw Unsafe(entry.Name, $"it is a hard link to '{entry.LinkName}', which is not a file copied before it");
                        }

                        RemoveExisting(path);
                        LocalFileSystem.CreateHardLink(path, Local(target));
                        break;
                    default:
                        if (!entry.IsRegularFile)
                        {
                            break; // devices and pipes: docker cp needs root to make them; a copy leaves them out
                        }

                        RemoveExisting(path);
                        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                        {
                            await reader.CopyContentAsync(file, cancellationToken).ConfigureAwait(false);
                        }

                        LocalFileSystem.SetMode(path, entry.Mode);
                        LocalFileSystem.SetModified(path, entry.ModifiedSeconds, isSymbolicLink: false);
                        break;
                }
            }

            // Folders last, deepest first: writing into a folder changes its time, and a read-only folder takes no files.
            foreach (var (path, mode, modified) in _directories.OrderByDescending(d => d.Path.Length))
            {
                LocalFileSystem.SetMode(path, mode);
                LocalFileSystem.SetModified(path, modified, isSymbolicLink: false);
            }
        }

        /// <summary>
        /// Moves everything staged into the destination folder: new items by one rename each, folders that exist already
        /// merged into (their files replaced, as docker cp does). A folder never replaces a file or the other way round;
        /// that is checked for every item before the first one moves. Returns the top-level paths written.
        /// </summary>
        public static IReadOnlyList<string> MoveIntoPlace(string staging, string destination)
        {
            var top = new DirectoryInfo(staging).GetFileSystemInfos().Select(i => i.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            foreach (var name in top)
            {
                CheckConflicts(Path.Combine(staging, name), Path.Combine(destination, name));
            }

            foreach (var name in top)
            {
                Move(Path.Combine(staging, name), Path.Combine(destination, name));
            }

            return top.Select(n => Path.Combine(destination, n)).ToList();
        }

        /// <summary>Removes the staging folder and whatever is left in it, links as links, read-only folders included.</summary>
        public static void RemoveStaging(string staging)
        {
            try
            {
                if (!Directory.Exists(staging))
                {
                    return;
                }

                foreach (var directory in Directory.GetDirectories(staging, "*", SearchOption.AllDirectories).Where(d => !FileProbe.IsSymlink(d)))
                {
                    LocalFileSystem.SetMode(directory, 0x1C0); // 0700
                }

                Directory.Delete(staging, recursive: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ContainerEngineException)
            {
                // The copy's own outcome is what matters; a leftover temporary folder is named .ctcopy-*.
            }
        }

        private static bool IsRealDirectory(string path) => Directory.Exists(path) && !FileProbe.IsSymlink(path);

        private static bool ExistsAtAll(string path) => File.Exists(path) || Directory.Exists(path) || FileProbe.IsSymlink(path);

        private static void CheckConflicts(string staged, string target)
        {
            if (!ExistsAtAll(target))
            {
                return;
            }

            var stagedIsDirectory = IsRealDirectory(staged);
            var targetIsDirectory = IsRealDirectory(target);
            if (stagedIsDirectory && targetIsDirectory)
            {
                foreach (var child in new DirectoryInfo(staged).GetFileSystemInfos())
                {
                    CheckConflicts(child.FullName, Path.Combine(target, child.Name));
                }
            }
            else if (stagedIsDirectory || targetIsDirectory)
            {
                throw new ContainerEngineException("CopyTypeConflict", EngineErrorKind.Conflict,
                    stagedIsDirectory
                        ? $"Cannot replace the file '{target}' with a folder. Remove it first, or copy somewhere else. Nothing was copied."
                        : $"Cannot replace the folder '{target}' with a file. Remove it first, or copy somewhere else. Nothing was copied.",
                    target);
            }
        }

        private static void Move(string staged, string target)
        {
            if (IsRealDirectory(staged) && IsRealDirectory(target))
            {
                foreach (var child in new DirectoryInfo(staged).GetFileSystemInfos())
                {
                    Move(child.FullName, Path.Combine(target, child.Name));
                }

                // The folder in the archive also brings its mode and time, as docker's extraction applies them.
                var stat = FileProbe.Lstat(new DirectoryInfo(staged));
                LocalFileSystem.SetMode(target, stat.Mode);
                LocalFileSystem.SetModified(target, stat.ModifiedSeconds, isSymbolicLink: false);
                return;
            }

            LocalFileSystem.Rename(staged, target);
        }

        // The entry's path below the staging folder ('/'-separated), or null for the root entry of a contents copy.
        private string? Map(string archiveName)
        {
            var parts = archiveName.Replace('\\', '/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).ToList();
            if (parts.Count == 0)
            {
                return null;
            }

            // The first element is the copied item itself (its name, or '.' for a folder's contents).
            var rest = parts.Skip(1).Where(p => p != ".").ToList();
            if (rest.Any(p => p == ".."))
            {
                throw Unsafe(archiveName, "it reaches out of the destination with '..'");
            }

            if (_rootName == null)
            {
                return rest.Count == 0 ? null : string.Join("/", rest);
            }

            return rest.Count == 0 ? _rootName : _rootName + "/" + string.Join("/", rest);
        }

        private string Local(string relative) => Path.Combine(_staging, relative.Replace('/', Path.DirectorySeparatorChar));

        // Parent folders are made as needed, never through a link: a link the archive made (or any link on the way) ends it.
        private void EnsureParent(string relative, string archiveName)
        {
            var link = ThroughLink(relative);
            if (link != null)
            {
                throw Unsafe(archiveName, $"it would be written through the symbolic link '{link}'");
            }

            var parent = Path.GetDirectoryName(Local(relative));
            if (parent != null && !Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent);
            }
        }

        private string? ThroughLink(string relative)
        {
            var parts = relative.Split('/');
            for (var i = 1; i < parts.Length; i++)
            {
                var ancestor = string.Join("/", parts.Take(i));
                if (_links.Contains(ancestor) || FileProbe.IsSymlink(Local(ancestor)))
                {
                    return ancestor;
                }
            }

            return null;
        }

        private static void RemoveExisting(string path)
        {
            if (IsRealDirectory(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (ExistsAtAll(path))
            {
                File.Delete(path);
            }
        }

        private static ContainerEngineException Unsafe(string entry, string why) =>
            new ContainerEngineException("UnsafeArchiveEntry", EngineErrorKind.InvalidArgument,
                $"The archive entry '{entry}' was refused: {why}. Nothing was written.", entry);
    }
}
