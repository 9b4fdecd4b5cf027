using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Docker.DotNet;
using Container = ContainerTools.Engine.Model.Container;

namespace ContainerTools.Engine.Containers
{
    /// <summary>docker cp: files and folders into and out of a container through the engine's archive API, with docker cp's destination rules.</summary>
    public sealed partial class ContainerOperations
    {
        /// <summary>What a path in the container is (HEAD /containers/{id}/archive), or null when nothing is there.</summary>
        public async Task<ContainerItem?> GetItemAsync(string reference, string path, CancellationToken cancellationToken = default)
        {
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            return await StatAsync(container, ContainerPathArgument.Parse(container.Name + ":" + path).Path, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Copies a file, folder or link out of a container (docker cp container:path local), with docker cp's rules: into
        /// an existing folder under its own name; as the destination's name when that does not exist; 'path/.' copies a
        /// folder's contents. Everything is extracted into a temporary folder beside the destination first and moved into
        /// place only when the whole archive was read, so a failure or a cancel leaves the destination as it was. Entries
        /// that would land outside the destination (.., writing through a link) are refused. Returns the local paths of
        /// the top-level items written.
        /// </summary>
        public async Task<IReadOnlyList<string>> CopyFromContainerAsync(string reference, string containerPath, string localPath,
            IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            var source = ContainerPathArgument.Parse(container.Name + ":" + containerPath).Path;
            var stat = await StatAsync(container, source, cancellationToken).ConfigureAwait(false) ?? throw PathNotFound(container, source);
            var sourceIsDirectory = stat.Type == ContainerItemType.Directory;
            var contentsOnly = source.EndsWith("/.", StringComparison.Ordinal) || source.TrimEnd('/').Length == 0;
            var sourceBase = LastElement(source);

            var full = Path.GetFullPath(localPath);
            var assertsDirectory = EndsWithSeparator(localPath) || localPath.EndsWith(Path.DirectorySeparatorChar + ".", StringComparison.Ordinal) ||
                                   localPath.EndsWith("/.", StringComparison.Ordinal);
            string extractDirectory;
            string? rootName;
            if (Directory.Exists(full))
            {
                extractDirectory = full;
                rootName = contentsOnly ? null : sourceBase;
            }
            else if (File.Exists(full) || FileProbe.IsSymlink(full.TrimEnd(Path.DirectorySeparatorChar)))
            {
                if (sourceIsDirectory)
                {
                    throw new ContainerEngineException("CannotCopyFolderToFile", EngineErrorKind.InvalidArgument,
                        $"Cannot copy the folder '{container.Name}:{source}' onto the file '{full}'. Give a folder, or a name that does not exist yet.", localPath);
                }

                var trimmed = full.TrimEnd(Path.DirectorySeparatorChar);
                extractDirectory = Path.GetDirectoryName(trimmed)!;
                rootName = Path.GetFileName(trimmed);
            }
            else
            {
                if (assertsDirectory && !sourceIsDirectory)
                {
                    throw new ResourceNotFoundException("Path", localPath,
                        $"The folder '{localPath}' does not exist, and a file cannot create it. Create the folder first, or drop the trailing separator to copy as that name.");
                }

                var trimmed = full.TrimEnd(Path.DirectorySeparatorChar);
                if (trimmed.EndsWith(Path.DirectorySeparatorChar + ".", StringComparison.Ordinal))
                {
                    trimmed = trimmed.Substring(0, trimmed.Length - 2);
                }

                extractDirectory = Path.GetDirectoryName(trimmed) ?? trimmed;
                rootName = Path.GetFileName(trimmed);
                if (!Directory.Exists(extractDirectory))
                {
                    throw new ResourceNotFoundException("Path", extractDirectory,
                        $"The folder '{extractDirectory}' does not exist. Create it first, or copy to an existing folder.");
                }
            }

            var staging = Path.Combine(extractDirectory, ".ctcopy-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            try
            {
                Directory.CreateDirectory(staging);
                await EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, c.ApiPath($"/containers/{container.Id}/archive?path={Uri.EscapeDataString(source)}"));
                    using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw ArchiveError(container, source, response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                    }

                    using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    using var counted = new ProgressReadStream(body, progress == null ? null : new SynchronousProgressOf<long>(n => progress.Report(new TransferProgress(n, null))));
                    using (cancellationToken.Register(() => body.Dispose()))
                    {
                        try
                        {
                            await new ArchiveExtractor(staging, rootName).ExtractAsync(new TarStreamReader(counted), cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
                        {
                            throw new OperationCanceledException(cancellationToken);
                        }
                        catch (Exception e) when (e is InvalidDataException || e is EndOfStreamException)
                        {
                            throw new ContainerEngineException("CopyArchiveInvalid", EngineErrorKind.OperationFailed,
                                $"The engine's archive of '{container.Name}:{source}' could not be read ({e.Message}). Nothing was written.", source, e);
                        }
                    }
                }, cancellationToken).ConfigureAwait(false);

                cancellationToken.ThrowIfCancellationRequested();
                return ArchiveExtractor.MoveIntoPlace(staging, extractDirectory);
            }
            finally
            {
                ArchiveExtractor.RemoveStaging(staging);
            }
        }

        /// <summary>
        /// Copies local files, folders and links into a container (docker cp local container:path), with docker cp's rules:
        /// into an existing folder under their own names; one source as the destination's name when that does not exist;
        /// 'folder/.' copies a folder's contents. Several sources need an existing folder. The sources are walked first
        /// (every file checked readable), then sent as one archive. Returns what now stands at the top level in the container.
        /// </summary>
        public async Task<IReadOnlyList<ContainerItem>> CopyToContainerAsync(IReadOnlyList<string> localPaths, string reference, string containerPath,
            IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            if (localPaths.Count == 0)
            {
                throw new InvalidSpecException("NoCopySource", "Name at least one local file or folder to copy.", containerPath);
            }

            foreach (var local in localPaths)
            {
                if (!File.Exists(local) && !Directory.Exists(local) && !FileProbe.IsSymlink(TrimSeparators(local)))
                {
                    throw new ResourceNotFoundException("Path", local, $"The local path '{local}' does not exist.");
                }
            }

            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            var destination = ContainerPathArgument.Parse(container.Name + ":" + containerPath).Path;
            var assertsDirectory = destination.EndsWith("/", StringComparison.Ordinal) || destination.EndsWith("/.", StringComparison.Ordinal);
            var destinationStat = await StatAsync(container, destination, cancellationToken).ConfigureAwait(false);
            if (destinationStat?.Type == ContainerItemType.SymbolicLink && !string.IsNullOrEmpty(destinationStat.LinkTarget))
            {
                // As docker cp: a link at the destination is followed (its target relative to the link's folder).
                var target = destinationStat.LinkTarget!;
                destination = target.StartsWith("/", StringComparison.Ordinal) ? target : ParentOf(destination) + "/" + target;
                destinationStat = await StatAsync(container, destination, cancellationToken).ConfigureAwait(false);
            }

            if (destinationStat != null && destinationStat.Type != ContainerItemType.Directory && destinationStat.Type != ContainerItemType.File)
            {
                throw new InvalidSpecException("InvalidCopyDestination", $"The destination '{container.Name}:{destination}' must be a folder or a regular file.", containerPath);
            }

            var destinationIsDirectory = destinationStat?.Type == ContainerItemType.Directory;
            if (localPaths.Count > 1 && !destinationIsDirectory)
            {
                throw new InvalidSpecException("CopyDestinationNotFolder",
                    $"Several sources are copied into a folder, and '{container.Name}:{destination}' is {(destinationStat == null ? "not there" : "a file")}. Create the folder first.",
                    containerPath);
            }

            var entries = new List<(string Path, string Name, EntryStat Stat)>();
            string extractDirectory = destination;
            var topLevel = new List<string>();
            foreach (var local in localPaths)
            {
                var contentsOnly = local.EndsWith("/.", StringComparison.Ordinal) || local.EndsWith(Path.DirectorySeparatorChar + ".", StringComparison.Ordinal);
                var full = Path.GetFullPath(contentsOnly ? local.Substring(0, local.Length - 1) : local);
                var trimmed = TrimSeparators(full);
                var sourceStat = LocalStat(trimmed);
                var sourceIsDirectory = sourceStat.Kind == EntryKind.Directory;
                if (EndsWithSeparator(local) && !sourceIsDirectory)
                {
                    throw new InvalidSpecException("CopySourceNotFolder", $"'{local}' ends with a separator but is not a folder.", local);
                }

                string? rootName;
                if (destinationIsDirectory)
                {
                    rootName = contentsOnly ? null : Path.GetFileName(trimmed);
                }
                else if (destinationStat != null)
                {
                    if (sourceIsDirectory)
                    {
                        throw new ContainerEngineException("CannotCopyFolderToFile", EngineErrorKind.InvalidArgument,
                            $"Cannot copy the folder '{local}' onto the file '{container.Name}:{destination}'. Give a folder, or a name that does not exist yet.", local);
                    }

                    extractDirectory = ParentOf(destination);
                    rootName = LastElement(destination);
                }
                else
                {
                    if (assertsDirectory && !sourceIsDirectory)
                    {
                        throw new ResourceNotFoundException("Path", destination,
                            $"The folder '{destination}' does not exist in container '{container.Name}', and a file cannot create it. Create the folder first, or drop the trailing '/' to copy as that name.");
                    }

                    var name = destination.TrimEnd('/');
                    if (name.EndsWith("/.", StringComparison.Ordinal))
                    {
                        name = name.Substring(0, name.Length - 2);
                    }

                    extractDirectory = ParentOf(name);
                    rootName = LastElement(name);
                    var parent = await StatAsync(container, extractDirectory, cancellationToken).ConfigureAwait(false);
                    if (parent?.Type != ContainerItemType.Directory)
                    {
                        throw new ResourceNotFoundException("Path", extractDirectory,
                            $"The folder '{extractDirectory}' does not exist in container '{container.Name}'. Create it first, or copy to an existing folder.");
                    }
                }

                if (rootName != null)
                {
                    entries.Add((trimmed, rootName, sourceStat));
                    topLevel.Add(rootName);
                }

                if (sourceIsDirectory)
                {
                    CollectEntries(trimmed, rootName, entries, topLevel);
                }
            }

            var total = entries.Where(e => e.Stat.Kind == EntryKind.File).Sum(e => e.Stat.Size);
            await EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
            {
                using var content = new TarUploadContent(async (stream, ct) =>
                {
                    var tar = new TarStreamWriter(stream, onWritten: n => progress?.Report(new TransferProgress(Math.Min(n, total), total)));
                    var hardLinks = new Dictionary<ulong, string>();
                    foreach (var (path, name, stat) in entries)
                    {
                        await RemapLocalErrors(() => tar.WriteEntryAsync(path, name, stat, hardLinks, ct)).ConfigureAwait(false);
                    }

                    await tar.FinishAsync(ct).ConfigureAwait(false);
                }, cancellationToken);
                var query = $"/containers/{container.Id}/archive?path={Uri.EscapeDataString(extractDirectory)}&noOverwriteDirNonDir=true";
                using var request = new HttpRequestMessage(HttpMethod.Put, c.ApiPath(query)) { Content = content };
                HttpResponseMessage response;
                try
                {
                    response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (content.Failure != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(content.Failure).Throw();
                    throw;
                }

                using (response)
                {
                    if (content.Failure != null)
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(content.Failure).Throw();
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        throw ArchiveError(container, extractDirectory, response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                    }
                }
            }, cancellationToken).ConfigureAwait(false);

            var written = new List<ContainerItem>();
            foreach (var name in topLevel.Distinct(StringComparer.Ordinal))
            {
                var item = await StatAsync(container, extractDirectory.TrimEnd('/') + "/" + name, cancellationToken).ConfigureAwait(false);
                if (item != null)
                {
                    written.Add(item);
                }
            }

            return written;
        }

        // The folder's tree below it, in name order, as (path, name in the archive, lstat); sockets left out as docker does.
        // Every regular file is opened once here, so an unreadable one fails the copy before anything is sent.
        private static void CollectEntries(string directory, string? prefix, List<(string Path, string Name, EntryStat Stat)> entries, List<string> topLevel)
        {
            FileSystemInfo[] children;
            try
            {
                children = new DirectoryInfo(directory).GetFileSystemInfos();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw CopySourceUnreadable(directory, e.Message, e);
            }

            Array.Sort(children, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var child in children)
            {
                var stat = LocalStat(child.FullName);
                if (stat.Kind == EntryKind.Socket)
                {
                    continue;
                }

                var name = prefix == null ? child.Name : prefix + "/" + child.Name;
                if (prefix == null)
                {
                    topLevel.Add(child.Name);
                }

                if (stat.Kind == EntryKind.File)
                {
                    RemapLocalErrors(() =>
                    {
                        TarStreamWriter.OpenRead(child.FullName).Dispose();
                        return Task.CompletedTask;
                    }).GetAwaiter().GetResult();
                }

                entries.Add((child.FullName, name, stat));
                if (stat.Kind == EntryKind.Directory)
                {
                    CollectEntries(child.FullName, name, entries, topLevel);
                }
            }
        }

        private static EntryStat LocalStat(string path)
        {
            EntryStat? stat = null;
            RemapLocalErrors(() =>
            {
                FileSystemInfo info = Directory.Exists(path) && !FileProbe.IsSymlink(path) ? new DirectoryInfo(path) : new FileInfo(path);
                stat = FileProbe.Lstat(info);
                return Task.CompletedTask;
            }).GetAwaiter().GetResult();
            return stat!;
        }

        // The file probe and tar writer speak of "the build context": here it is a copy source.
        private static async Task RemapLocalErrors(Func<Task> action)
        {
            try
            {
                await action().ConfigureAwait(false);
            }
            catch (ContainerEngineException e) when (e.ErrorId == "BuildContextUnreadable")
            {
                throw CopySourceUnreadable(e.Target?.ToString() ?? string.Empty, e.InnerException?.Message ?? "it cannot be read", e);
            }
            catch (ContainerEngineException e) when (e.ErrorId == "BuildContextChanged")
            {
                var path = e.Target?.ToString() ?? string.Empty;
                throw new ContainerEngineException("CopySourceChanged", EngineErrorKind.Conflict,
                    $"'{path}' changed or disappeared while it was being copied. Copy again when nothing is writing to it.", path, e);
            }
        }

        private static ContainerEngineException CopySourceUnreadable(string path, string reason, Exception inner) =>
            new ContainerEngineException("CopySourceUnreadable",
                inner is UnauthorizedAccessException || (inner as ContainerEngineException)?.Kind == EngineErrorKind.PermissionDenied ? EngineErrorKind.PermissionDenied : EngineErrorKind.OperationFailed,
                $"Cannot read '{path}' to copy it ({reason}). Nothing was copied.", path, inner);

        private async Task<ContainerItem?> StatAsync(Container container, string path, CancellationToken cancellationToken) =>
            await EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
            {
                var pathQuery = $"/containers/{container.Id}/archive?path={Uri.EscapeDataString(path)}";
                using var request = new HttpRequestMessage(HttpMethod.Head, c.ApiPath(pathQuery));
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                if (!response.IsSuccessStatusCode)
                {
                    // HEAD answers carry no reason: a GET of the same path says it ("not a directory", ...).
                    using var get = new HttpRequestMessage(HttpMethod.Get, c.ApiPath(pathQuery));
                    using var again = await EngineCall.SendAsync(c, get, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    var body = again.IsSuccessStatusCode ? string.Empty : await again.Content.ReadAsStringAsync().ConfigureAwait(false);
                    throw ArchiveError(container, path, response.StatusCode, body);
                }

                return response.Headers.TryGetValues("X-Docker-Container-Path-Stat", out var values)
                    ? ParseStat(container, path, values.First())
                    : null;
            }, cancellationToken).ConfigureAwait(false);

        // The header is base64 JSON of {name, size, mode (a Go os.FileMode), mtime, linkTarget}.
        private ContainerItem ParseStat(Container container, string path, string header)
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            var root = doc.RootElement;
            var goMode = root.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetUInt32() : 0u;
            var type = (goMode & (1u << 31)) != 0 ? ContainerItemType.Directory
                : (goMode & (1u << 27)) != 0 ? ContainerItemType.SymbolicLink
                : (goMode & ((1u << 26) | (1u << 25) | (1u << 24) | (1u << 21) | (1u << 19))) != 0 ? ContainerItemType.Other
                : ContainerItemType.File;
            var mode = (int)(goMode & 0x1FF);
            if ((goMode & (1u << 23)) != 0)
            {
                mode |= 0x800; // setuid
            }

            if ((goMode & (1u << 22)) != 0)
            {
                mode |= 0x400; // setgid
            }

            if ((goMode & (1u << 20)) != 0)
            {
                mode |= 0x200; // sticky
            }

            var size = root.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : 0;
            var mtime = root.TryGetProperty("mtime", out var t) && t.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(t.GetString(),
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : default;
            var link = root.TryGetProperty("linkTarget", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
            return new ContainerItem(_engine, container.Id, container.Name, path, type, size, mode, mtime, string.IsNullOrEmpty(link) ? null : link);
        }

        private static ResourceNotFoundException PathNotFound(Container container, string path) =>
            new ResourceNotFoundException("Path", container.Name + ":" + path,
                $"The path '{path}' does not exist in container '{container.Name}'. Check it with Invoke-ContainerCommand {container.Name} ls.");

        private static ContainerEngineException ArchiveError(Container container, string path, HttpStatusCode status, string body)
        {
            var message = EngineCall.ApiMessage(body);
            if (status == HttpStatusCode.NotFound)
            {
                return PathNotFound(container, path);
            }

            // The engine's message names its own storage path (.../overlay2/<id>/merged/etc): show the container's.
            var merged = message.IndexOf("/merged/", StringComparison.Ordinal);
            if (merged >= 0)
            {
                var space = message.LastIndexOf(' ', merged);
                message = message.Substring(0, space + 1) + message.Substring(merged + "/merged".Length);
            }

            return new ContainerEngineException(status == HttpStatusCode.BadRequest || status == HttpStatusCode.InternalServerError ? "CopyFailed" : "ContainerOperationFailed",
                status == HttpStatusCode.Forbidden ? EngineErrorKind.PermissionDenied : EngineErrorKind.OperationFailed,
                $"Cannot copy '{container.Name}:{path}': {message}.", container.Name + ":" + path);
        }

        private static string LastElement(string path)
        {
            var trimmed = path.TrimEnd('/');
            if (trimmed.EndsWith("/.", StringComparison.Ordinal))
            {
                trimmed = trimmed.Substring(0, trimmed.Length - 2);
            }

            var slash = trimmed.LastIndexOf('/');
            return slash < 0 ? trimmed : trimmed.Substring(slash + 1);
        }

        private static string ParentOf(string containerPath)
        {
            var trimmed = containerPath.TrimEnd('/');
            var slash = trimmed.LastIndexOf('/');
            return slash <= 0 ? "/" : trimmed.Substring(0, slash);
        }

        private static bool EndsWithSeparator(string path) =>
            path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal);

        private static string TrimSeparators(string path)
        {
            var root = Path.GetPathRoot(path) ?? string.Empty;
            var trimmed = path.TrimEnd('/', Path.DirectorySeparatorChar);
            return trimmed.Length < root.Length ? root : trimmed;
        }

        /// <summary>An IProgress that reports on the caller's thread, at once.</summary>
        private sealed class SynchronousProgressOf<T> : IProgress<T>
        {
            private readonly Action<T> _report;

            public SynchronousProgressOf(Action<T> report) => _report = report;

            public void Report(T value) => _report(value);
        }
    }

    /// <summary>A request body written by a callback straight into the transport stream (chunked); remembers its own failure.</summary>
    internal sealed class TarUploadContent : HttpContent
    {
        private readonly Func<Stream, CancellationToken, Task> _write;
        private readonly CancellationToken _cancellationToken;

        public TarUploadContent(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
        {
            _write = write;
            _cancellationToken = cancellationToken;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        }

        public Exception? Failure { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                await _write(stream, _cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is IOException) || _cancellationToken.IsCancellationRequested)
            {
                Failure = _cancellationToken.IsCancellationRequested ? new OperationCanceledException(_cancellationToken) : e;
                throw;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
