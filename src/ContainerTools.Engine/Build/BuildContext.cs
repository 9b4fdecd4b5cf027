using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Build
{
    /// <summary>
    /// A build context as the docker CLI prepares it for the engine: the folder, the Dockerfile (inside it, or
    /// outside it and then added to the archive under a random '.dockerfile.*' name that the amended .dockerignore
    /// hides from COPY), and the .dockerignore patterns with the Dockerfile and .dockerignore always sent. The archive
    /// is produced while it is written (WriteToAsync): one directory listing at a time, files streamed through one
    /// fixed buffer, never the whole context in memory.
    /// </summary>
    public sealed class BuildContext
    {
        private const string DefaultDockerfile = "Dockerfile";
        private readonly ContextPatternMatcher _matcher;
        private readonly byte[]? _amendedDockerignore;

        private BuildContext(string directory, string dockerfilePath, string dockerfileName, bool dockerfileOutside,
            IReadOnlyList<string> patterns, byte[]? amendedDockerignore)
        {
            Directory = directory;
            DockerfilePath = dockerfilePath;
            DockerfileName = dockerfileName;
            DockerfileOutsideContext = dockerfileOutside;
            Patterns = patterns;
            _matcher = new ContextPatternMatcher(patterns);
            _amendedDockerignore = amendedDockerignore;
        }

        /// <summary>The context folder (absolute, symbolic links resolved).</summary>
        public string Directory { get; }

        /// <summary>The Dockerfile on disk.</summary>
        public string DockerfilePath { get; }

        /// <summary>The Dockerfile's name inside the archive, as the engine is told it ('Dockerfile', 'sub/app.Dockerfile', '.dockerfile.…').</summary>
        public string DockerfileName { get; }

        public bool DockerfileOutsideContext { get; }

        /// <summary>The exclude patterns applied, the .dockerignore's followed by the exceptions that keep the Dockerfile and .dockerignore.</summary>
        public IReadOnlyList<string> Patterns { get; }

        /// <summary>
        /// Resolves a context folder and Dockerfile as docker build does: the Dockerfile defaults to Dockerfile (or
        /// dockerfile) in the folder; a relative one is relative to the current directory; symbolic links are resolved.
        /// </summary>
        public static BuildContext Create(string contextDirectory, string? dockerfile = null)
        {
            if (string.IsNullOrWhiteSpace(contextDirectory))
            {
                throw new InvalidSpecException("InvalidBuildContext", "The build context folder is empty; give the folder to build from, e.g. '.'.", contextDirectory);
            }

            var full = Path.GetFullPath(contextDirectory);
            if (!System.IO.Directory.Exists(full))
            {
                throw File.Exists(full)
                    ? new InvalidSpecException("InvalidBuildContext", $"The build context '{contextDirectory}' is a file; give the folder that holds the Dockerfile and the files it copies.", contextDirectory)
                    : (ContainerEngineException)new ResourceNotFoundException("BuildContext", contextDirectory, $"The build context folder '{contextDirectory}' does not exist.");
            }

            var directory = ResolveLinks(full);
            string dockerfilePath;
            if (string.IsNullOrWhiteSpace(dockerfile))
            {
                dockerfilePath = Path.Combine(directory, DefaultDockerfile);
                var lower = Path.Combine(directory, DefaultDockerfile.ToLowerInvariant());
                if (!Exists(dockerfilePath) && Exists(lower))
                {
                    dockerfilePath = lower;
                }
            }
            else
            {
                dockerfilePath = Path.GetFullPath(dockerfile);
            }

            if (!Exists(dockerfilePath))
            {
                throw new ResourceNotFoundException("Dockerfile", dockerfile ?? dockerfilePath,
                    string.IsNullOrWhiteSpace(dockerfile)
                        ? $"There is no Dockerfile in '{contextDirectory}'. Add one, or name it with -Dockerfile."
                        : $"The Dockerfile '{dockerfile}' does not exist.");
            }

            var resolvedDockerfile = ResolveLinks(dockerfilePath);
            if (!File.Exists(resolvedDockerfile) && !System.IO.Directory.Exists(resolvedDockerfile))
            {
                throw new ResourceNotFoundException("Dockerfile", dockerfile ?? dockerfilePath,
                    $"The Dockerfile '{dockerfile ?? dockerfilePath}' is a symbolic link to '{resolvedDockerfile}', which does not exist.");
            }

            if (System.IO.Directory.Exists(resolvedDockerfile))
            {
                throw new InvalidSpecException("InvalidDockerfile", $"The Dockerfile '{dockerfile ?? dockerfilePath}' is a folder; name the file.", dockerfile ?? dockerfilePath);
            }

            var relative = RelativePath(directory, resolvedDockerfile);
            var outside = relative == null || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal);
            var ignorePath = Path.Combine(directory, DockerignoreFile.FileName);
            var hasIgnoreFile = File.Exists(ignorePath);
            var ignoreBytes = hasIgnoreFile ? ReadBytes(ignorePath) : Array.Empty<byte>();
            var patterns = new List<string>(DockerignoreFile.Parse(Encoding.UTF8.GetString(ignoreBytes)));
            var matcher = new ContextPatternMatcher(patterns);

            // The Dockerfile and .dockerignore go to the engine even when excluded: it needs them, then drops them itself.
            var keepIgnore = matcher.MatchesOrParentMatches(DockerignoreFile.FileName);
            var keepDockerfile = relative != null && matcher.MatchesOrParentMatches(relative);
            if (keepIgnore)
            {
                patterns.Add("!" + DockerignoreFile.FileName);
            }

            if (keepDockerfile)
            {
                patterns.Add("!" + relative);
            }

            if (!outside)
            {
                return new BuildContext(directory, resolvedDockerfile, relative!, false, patterns, null);
            }

            // A Dockerfile outside the context travels in the archive under a name no context file has, and the
            // .dockerignore (amended, or made) lists that name so the engine removes it before COPY sees it.
            var randomName = ".dockerfile." + RandomHex(20);
            var original = hasIgnoreFile ? ignoreBytes : Encoding.UTF8.GetBytes(DockerignoreFile.FileName);
            var amended = original.Concat(Encoding.UTF8.GetBytes("\n" + randomName + "\n")).ToArray();
            return new BuildContext(directory, dockerfilePath, randomName, true, patterns, amended);
        }

        /// <summary>True when the context path (relative, '/'-separated) is left out of the archive.</summary>
        public bool IsExcluded(string relativePath) => _matcher.MatchesOrParentMatches(relativePath);

        /// <summary>
        /// Writes the context as a tar stream to the output while walking the folder (sorted by name, links kept as
        /// links, empty folders kept, owner root, modes and whole-second mtimes as on disk). bytesWritten is told the
        /// running total after each write to the output.
        /// </summary>
        public async Task WriteToAsync(Stream output, Action<long>? bytesWritten = null, CancellationToken cancellationToken = default)
        {
            var tar = new TarStreamWriter(output, onWritten: bytesWritten);
            var hardLinks = new Dictionary<ulong, string>();
            var wroteIgnore = false;
            await WalkAsync(new DirectoryInfo(Directory), string.Empty, null, async (info, relative, stat) =>
            {
                if (_amendedDockerignore != null && relative == DockerignoreFile.FileName && stat.Kind == EntryKind.File)
                {
                    wroteIgnore = true;
                    await WriteGeneratedAsync(tar, relative, stat.Mode, stat.ModifiedSeconds, _amendedDockerignore, cancellationToken).ConfigureAwait(false);
                    return;
                }

                await tar.WriteEntryAsync(info.FullName, relative, stat, hardLinks, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);

            if (DockerfileOutsideContext)
            {
                if (!wroteIgnore)
                {
                    await WriteGeneratedAsync(tar, DockerignoreFile.FileName, 0x180 /* 0600 */, 0, _amendedDockerignore!, cancellationToken).ConfigureAwait(false);
                }

                var now = TarStreamWriter.ToUnixSeconds(DateTime.UtcNow);
                using var dockerfile = TarStreamWriter.OpenRead(DockerfilePath);
                var size = dockerfile.Length;
                await tar.WriteHeaderAsync(new TarHeader { Name = DockerfileName, Mode = 0x180, Size = size, ModifiedSeconds = now }, cancellationToken).ConfigureAwait(false);
                await tar.WriteContentAsync(dockerfile, size, DockerfilePath, cancellationToken).ConfigureAwait(false);
            }

            await tar.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        // Docker's walk: entries in name order; each is matched with what its parent directory's match recorded; an
        // excluded file is skipped; an excluded directory is skipped whole unless an exception pattern reaches into
        // it, in which case it is walked but not itself written.
        private async Task WalkAsync(DirectoryInfo directory, string relativeDirectory, ContextPatternMatcher.MatchRecord? parentRecord,
            Func<FileSystemInfo, string, EntryStat, Task> visit, CancellationToken cancellationToken)
        {
            FileSystemInfo[] children;
            try
            {
                children = directory.GetFileSystemInfos();
            }
            catch (DirectoryNotFoundException)
            {
                throw FileProbe.Changed(directory.FullName);
            }
            catch (IOException e)
            {
                throw FileProbe.Unreadable(directory.FullName, e.Message, e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw FileProbe.Unreadable(directory.FullName, e.Message, e);
            }

            Array.Sort(children, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var child in children)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = relativeDirectory.Length == 0 ? child.Name : relativeDirectory + "/" + child.Name;
                var stat = FileProbe.Lstat(child);
                var excluded = _matcher.MatchesUsingParentResults(relative, parentRecord, out var record);
                var isDirectory = stat.Kind == EntryKind.Directory;
                if (excluded)
                {
                    if (!isDirectory || !_matcher.HasExclusions || !_matcher.ExceptionReachesInto(relative))
                    {
                        continue;
                    }

                    await WalkAsync((DirectoryInfo)child, relative, record, visit, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (stat.Kind == EntryKind.Socket)
                {
                    continue; // tar cannot hold a socket; docker skips them too
                }

                await visit(child, relative, stat).ConfigureAwait(false);
                if (isDirectory)
                {
                    await WalkAsync((DirectoryInfo)child, relative, record, visit, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task WriteGeneratedAsync(TarStreamWriter tar, string name, int mode, long mtime, byte[] content, CancellationToken cancellationToken)
        {
            await tar.WriteHeaderAsync(new TarHeader { Name = name, Mode = mode, Size = content.Length, ModifiedSeconds = mtime }, cancellationToken).ConfigureAwait(false);
            await tar.WriteContentAsync(content, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Reads a small file of the context (.dockerignore, the Dockerfile); failures are engine errors naming it.</summary>
        internal static string ReadText(string path) => Encoding.UTF8.GetString(ReadBytes(path));

        private static byte[] ReadBytes(string path)
        {
            try
            {
                return File.ReadAllBytes(path);
            }
            catch (IOException e)
            {
                throw FileProbe.Unreadable(path, e.Message, e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw FileProbe.Unreadable(path, "no permission", e);
            }
        }

        private static bool Exists(string path) => File.Exists(path) || System.IO.Directory.Exists(path) || FileProbe.IsSymlink(path);

        // The path with every symbolic link in it resolved (filepath.EvalSymlinks).
        internal static string ResolveLinks(string path)
        {
            var full = Path.GetFullPath(path);
            var root = Path.GetPathRoot(full) ?? string.Empty;
            var pending = new Queue<string>(full.Substring(root.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries));
            var current = root;
            var hops = 0;
            while (pending.Count > 0)
            {
                var part = pending.Dequeue();
                var next = Path.Combine(current, part);
                if (FileProbe.IsSymlink(next))
                {
                    if (++hops > 255)
                    {
                        throw new InvalidSpecException("InvalidBuildContext", $"Too many symbolic links in '{path}'.", path);
                    }

                    var target = FileProbe.TryReadLink(next);
                    if (target == null)
                    {
                        current = next;
                        continue;
                    }

                    var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                    var resolvedRoot = Path.GetPathRoot(resolved) ?? string.Empty;
                    var rest = pending.ToArray();
                    pending = new Queue<string>(resolved.Substring(resolvedRoot.Length)
                        .Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                    current = resolvedRoot;
                    continue;
                }

                current = next;
            }

            return current;
        }

        // The '/'-separated path of target relative to directory, with '..' when it is outside; null on another drive.
        private static string? RelativePath(string directory, string target)
        {
            var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (!string.Equals(Path.GetPathRoot(directory), Path.GetPathRoot(target), comparison))
            {
                return null;
            }

            var from = directory.TrimEnd(Path.DirectorySeparatorChar).Split(Path.DirectorySeparatorChar);
            var to = target.Split(Path.DirectorySeparatorChar);
            var common = 0;
            while (common < from.Length && common < to.Length && string.Equals(from[common], to[common], comparison))
            {
                common++;
            }

            var parts = Enumerable.Repeat("..", from.Length - common).Concat(to.Skip(common));
            return string.Join("/", parts);
        }

        private static string RandomHex(int length)
        {
            var bytes = new byte[(length + 1) / 2];
            using (var rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(bytes);
            }

            return string.Concat(bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))).Substring(0, length);
        }
    }
}
