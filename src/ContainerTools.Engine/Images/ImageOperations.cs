using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Registry;
using System.Net.Http;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace ContainerTools.Engine.Images
{
    /// <summary>Which images Get-ContainerImage lists.</summary>
    public sealed class ImageQuery
    {
        /// <summary>Patterns (wildcards) matched against repository:tag and repository, or image references.</summary>
        public IList<string> Names { get; } = new List<string>();

        /// <summary>Only untagged images (true), only tagged ones (false), or both (null).</summary>
        public bool? Dangling { get; set; }

        /// <summary>Include intermediate images (docker images -a).</summary>
        public bool All { get; set; }

        /// <summary>'key' or 'key=value'; all must match.</summary>
        public IList<string> Labels { get; } = new List<string>();
    }

    /// <summary>The image lifecycle on one engine: list, tag, remove, prune, history, pull, push, build, commit.</summary>
    public sealed class ImageOperations
    {
        private const string Kind = "Image";
        private static readonly Regex HexPrefix = new Regex("^(?:sha256:)?[0-9a-f]{4,64}$", RegexOptions.CultureInvariant);
        private readonly ContainerEngineConnection _engine;

        internal ImageOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>Lists images, one object per repository:tag like docker images (an untagged image is one &lt;none&gt; row).</summary>
        public async Task<IReadOnlyList<ContainerImage>> ListAsync(ImageQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new ImageQuery();
            var filters = new EngineFilters();
            if (query.Dangling != null)
            {
                filters.Add("dangling", query.Dangling.Value ? "true" : "false");
            }

            foreach (var label in query.Labels)
            {
                filters.Add("label", label);
            }

            var items = await EngineCall.RunAsync(_engine, Kind, null,
                c => c.Docker.Images.ListImagesAsync(new ImagesListParameters { All = query.All, Filters = filters.Values }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            var rows = items.SelectMany(ToRows).ToList();
            if (query.Names.Count == 0)
            {
                return rows;
            }

            var matchers = query.Names.Select(NameMatcher).ToList();
            return rows.Where(r => matchers.Any(m => m(r))).ToList();
        }

        /// <summary>The rows (one per tag) of the image a reference or id names; ResourceNotFoundException when none.</summary>
        public async Task<IReadOnlyList<ContainerImage>> GetAsync(string reference, CancellationToken cancellationToken = default)
        {
            var inspect = await EngineCall.RunAsync(_engine, Kind, reference,
                c => c.Docker.Images.InspectImageAsync(reference.Trim(), cancellationToken), cancellationToken).ConfigureAwait(false);
            var query = new ImageQuery { All = true };
            var all = await ListAsync(query, cancellationToken).ConfigureAwait(false);
            var rows = all.Where(r => r.Id == inspect.ID).ToList();
            if (ImageReference.TryParse(reference, out var parsed) && parsed!.Digest == null)
            {
                // Asked for one tag: that tag's row first.
                rows = rows.OrderBy(r => r.Reference == parsed.Familiar ? 0 : 1).ToList();
            }
            else if (parsed != null)
            {
                rows = rows.OrderBy(r => r.Repository == parsed.FamiliarRepository ? 0 : 1).ToList();
            }

            return rows;
        }

        /// <summary>Adds a tag to an image (docker tag). The target is validated and normalised first.</summary>
        public async Task<ContainerImage> TagAsync(string source, string target, CancellationToken cancellationToken = default)
        {
            var reference = ImageReference.Parse(target);
            if (reference.Digest != null)
            {
                throw new InvalidSpecException("TagWithDigest", $"'{target}' has a digest; a tag names repository:tag only. Drop the @digest part.", target);
            }

            await EngineCall.RunAsync(_engine, Kind, source,
                c => c.Docker.Images.TagImageAsync(source.Trim(), new ImageTagParameters { RepositoryName = reference.FamiliarRepository, Tag = reference.EffectiveTag }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            var rows = await GetAsync(reference.Familiar, cancellationToken).ConfigureAwait(false);
            return rows.First();
        }

        /// <summary>
        /// Removes an image reference (docker rmi): a tag is untagged, and the image is deleted with its last tag.
        /// With force, an image used by stopped containers is removed too and a missing one is no error.
        /// Returns the ids deleted and the references untagged.
        /// </summary>
        public async Task<ImagePruneResult> RemoveAsync(string reference, bool force = false, bool noPrune = false, CancellationToken cancellationToken = default)
        {
            try
            {
                var result = await EngineCall.RunAsync(_engine, Kind, reference,
                    c => c.Docker.Images.DeleteImageAsync(reference.Trim(), new ImageDeleteParameters { Force = force, NoPrune = noPrune }, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                var deleted = result.Where(d => d.TryGetValue("Deleted", out _)).Select(d => d["Deleted"]).ToList();
                var untagged = result.Where(d => d.TryGetValue("Untagged", out _)).Select(d => d["Untagged"]).ToList();
                return new ImagePruneResult(deleted, untagged, 0, _engine);
            }
            catch (ResourceNotFoundException) when (force)
            {
                return new ImagePruneResult(Array.Empty<string>(), Array.Empty<string>(), 0, _engine);
            }
            catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict && e.Message.IndexOf("multiple repositories", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new ContainerEngineException("ImageHasSeveralTags", EngineErrorKind.Conflict,
                    $"{e.Message.TrimEnd('.')}. Remove its tags by name, or add -Force to remove the image with every tag.", reference, e);
            }
            catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict)
            {
                throw new ContainerEngineException("ImageInUse", EngineErrorKind.Conflict,
                    $"{e.Message.TrimEnd('.')}. Remove the containers that use it first (Get-Container | Where-Object Image -eq '{reference}' | Remove-Container -Force), or use -Force for stopped ones.",
                    reference, e);
            }
        }

        /// <summary>Removes unused images (docker image prune): dangling ones only, or every image no container uses.</summary>
        public async Task<ImagePruneResult> PruneAsync(bool danglingOnly, IEnumerable<string>? labels = null, CancellationToken cancellationToken = default)
        {
            var filters = new EngineFilters().Add("dangling", danglingOnly ? "true" : "false");
            foreach (var label in labels ?? Array.Empty<string>())
            {
                filters.Add("label", label);
            }

            var result = await EngineCall.RunAsync(_engine, Kind, null,
                c => c.Docker.Images.PruneImagesAsync(new ImagesPruneParameters { Filters = filters.Values }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            var entries = result.ImagesDeleted ?? new List<ImageDeleteResponse>();
            return new ImagePruneResult(
                entries.Where(e => !string.IsNullOrEmpty(e.Deleted)).Select(e => e.Deleted!).ToList(),
                entries.Where(e => !string.IsNullOrEmpty(e.Untagged)).Select(e => e.Untagged!).ToList(),
                (long)result.SpaceReclaimed, _engine);
        }

        /// <summary>The layers of an image, newest first (docker history).</summary>
        public async Task<IReadOnlyList<ContainerImageLayer>> HistoryAsync(string reference, CancellationToken cancellationToken = default)
        {
            var layers = await EngineCall.RunAsync(_engine, Kind, reference,
                c => c.Docker.Images.GetImageHistoryAsync(reference.Trim(), cancellationToken), cancellationToken).ConfigureAwait(false);
            return layers.Select(l => new ContainerImageLayer(reference, string.IsNullOrEmpty(l.ID) ? "<missing>" : l.ID, Time.ToOffset(l.Created),
                    l.CreatedBy ?? string.Empty, l.Size, l.Comment ?? string.Empty, (IReadOnlyList<string>?)l.Tags?.ToList() ?? Array.Empty<string>()))
                .ToList();
        }

        /// <summary>
        /// Pulls an image (docker pull), reporting each layer's progress as the engine sends it. Uses the given
        /// credential, else the one stored for the registry. Returns the pulled image's rows.
        /// </summary>
        public async Task<IReadOnlyList<ContainerImage>> PullAsync(string reference, bool allTags = false, string? platform = null,
            RegistryCredential? credential = null, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var r = ImageReference.Parse(reference);
            if (allTags && (r.Tag != null || r.Digest != null))
            {
                throw new InvalidSpecException("AllTagsWithTag", $"-AllTags pulls every tag of a repository; '{reference}' names one. Give the repository alone, e.g. '{r.FamiliarRepository}'.", reference);
            }

            var query = "/images/create?fromImage=" + Uri.EscapeDataString(r.Repository);
            if (!allTags)
            {
                query += "&tag=" + Uri.EscapeDataString(r.Digest ?? r.EffectiveTag!);
            }

            if (!string.IsNullOrEmpty(platform))
            {
                query += "&platform=" + Uri.EscapeDataString(platform!.Trim());
            }

            await StreamAsync(HttpMethod.Post, query, r, credential, reference, progress, null, cancellationToken).ConfigureAwait(false);
            if (allTags)
            {
                var all = new ImageQuery();
                all.Names.Add(r.FamiliarRepository);
                return await ListAsync(all, cancellationToken).ConfigureAwait(false);
            }

            // The row of the reference that was pulled (GetAsync orders it first), not every tag the image has here.
            var rows = await GetAsync(r.Digest != null ? r.FamiliarRepository + "@" + r.Digest : r.Familiar, cancellationToken).ConfigureAwait(false);
            if (r.Digest != null && rows.Count > 0 && rows[0].Repository != r.FamiliarRepository)
            {
                // Pulled by digest into a repository with no tag here: the image as that repository@digest.
                return new[] { rows[0].As(r.FamiliarRepository, ContainerImage.None, r.Digest) };
            }

            return rows.Take(1).ToList();
        }

        /// <summary>Pushes a tag to its registry (docker push), reporting each layer's progress; returns the registry's digest.</summary>
        public async Task<ImagePushResult> PushAsync(string reference, RegistryCredential? credential = null, IProgress<LayerProgress>? progress = null,
            CancellationToken cancellationToken = default)
        {
            var r = ImageReference.Parse(reference);
            if (r.Digest != null)
            {
                throw new InvalidSpecException("PushByDigest", $"'{reference}' names a digest; push a tag (repository:tag) instead.", reference);
            }

            string? digest = null;
            long size = 0;
            var path = "/images/" + r.FamiliarRepository + "/push?tag=" + Uri.EscapeDataString(r.EffectiveTag!);
            await StreamAsync(HttpMethod.Post, path, r, credential, reference, progress, aux =>
            {
                if (aux.TryGetProperty("Digest", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    digest = d.GetString();
                }

                if (aux.TryGetProperty("Size", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.Number)
                {
                    size = s.GetInt64();
                }
            }, cancellationToken).ConfigureAwait(false);
            return new ImagePushResult(r.Familiar, r.Registry, r.EffectiveTag!, digest, size, _engine);
        }

        // One pull or push: the request with the registry credential, then the JSON progress stream to its end.
        private Task StreamAsync(HttpMethod method, string pathAndQuery, ImageReference r, RegistryCredential? given, string target,
            IProgress<LayerProgress>? progress, Action<System.Text.Json.JsonElement>? onAux, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, target, async c =>
            {
                var credential = _engine.Registries.CredentialFor(r.Registry, given);
                using var request = new HttpRequestMessage(method, c.ApiPath(pathAndQuery));
                // The engine wants the header even without credentials ("{}" is anonymous).
                request.Headers.TryAddWithoutValidation("X-Registry-Auth",
                    credential?.ToRegistryAuthHeader(DockerCredentialStore.KeyFor(r.Registry)) ?? "e30=");
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var message = EngineCall.ApiMessage(text);
                    if (response.StatusCode == System.Net.HttpStatusCode.NotFound && message.IndexOf("does not exist locally", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        throw new ResourceNotFoundException(Kind, target, $"No image '{target}' on the engine to push ({message}). Tag one with Add-ContainerImageTag first.");
                    }

                    throw RegistryOperations.RegistryError(target, message);
                }

                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                await JsonMessageStream.ReadAsync(stream, message =>
                {
                    if (message.Error != null)
                    {
                        if (message.Error.IndexOf("does not exist locally", StringComparison.OrdinalIgnoreCase) >= 0 ||
                            message.Error.IndexOf("tag does not exist", StringComparison.OrdinalIgnoreCase) >= 0)
                        {
                            throw new ResourceNotFoundException(Kind, target, $"No image '{target}' on the engine to push. Tag one with Add-ContainerImageTag first.");
                        }

                        throw RegistryOperations.RegistryError(target, message.Error);
                    }

                    if (message.Aux != null)
                    {
                        onAux?.Invoke(message.Aux.Value);
                    }

                    if (message.Status != null)
                    {
                        progress?.Report(new LayerProgress(r.Familiar, message.Id, message.Status, message.Current, message.Total));
                    }
                }, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);

        /// <summary>
        /// Writes images to a tar archive (docker save): several images in one file. The archive is written to a
        /// temporary file next to the target and moved into place only when complete. Reports bytes written. Without
        /// overwrite an existing file is an error (ExportFileExists), before the engine is asked anything.
        /// </summary>
        public Task ExportAsync(IReadOnlyList<string> references, string path, bool overwrite = false, IProgress<long>? bytesWritten = null,
            CancellationToken cancellationToken = default)
        {
            if (references.Count == 0)
            {
                throw new InvalidSpecException("NoImageToExport", "Name at least one image to export.", path);
            }

            AtomicFile.CheckTarget(path, overwrite, "-Path");
            var query = "/images/get?" + string.Join("&", references.Select(r => "names=" + Uri.EscapeDataString(r.Trim())));
            return EngineCall.RunAsync(_engine, Kind, string.Join(", ", references),
                c => AtomicFile.DownloadAsync(c, query, path, overwrite, bytesWritten, cancellationToken), cancellationToken);
        }

        /// <summary>Loads images from a tar archive (docker load) and returns their rows, known from the archive's own manifest.</summary>
        public async Task<IReadOnlyList<ContainerImage>> ImportAsync(string path, IProgress<long>? bytesRead = null, CancellationToken cancellationToken = default)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new InvalidSpecException("ImageArchiveNotFound", $"The file '{path}' does not exist.", path);
            }

            var entries = ImageArchive.ReadManifest(path);
            await EngineCall.RunAsync(_engine, Kind, path, async c =>
            {
                using var file = new System.IO.FileStream(path, System.IO.FileMode.Open, System.IO.FileAccess.Read, System.IO.FileShare.Read, 81920, useAsync: true);
                using var content = new StreamContent(new ProgressReadStream(file, bytesRead), 81920);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
                using var request = new HttpRequestMessage(HttpMethod.Post, c.ApiPath("/images/load?quiet=1")) { Content = content };
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new Docker.DotNet.DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                }

                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                await JsonMessageStream.ReadAsync(stream, message =>
                {
                    if (message.Error != null)
                    {
                        throw new ContainerEngineException("ImageLoadFailed", EngineErrorKind.OperationFailed, $"The engine could not load '{path}': {message.Error}", path);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);

            var rows = new List<ContainerImage>();
            foreach (var entry in entries)
            {
                var imageRows = await GetAsync(entry.ConfigId, cancellationToken).ConfigureAwait(false);
                rows.AddRange(entry.RepoTags.Count == 0
                    ? imageRows.Take(1).Select(r => r.As(ContainerImage.None, ContainerImage.None, null))
                    : imageRows.Where(r => r.Reference != null && entry.RepoTags.Contains(r.Reference)));
            }

            return rows;
        }

        /// <summary>Searches a registry (docker search); registries without a search API give a clear NotSupported error.</summary>
        public async Task<IReadOnlyList<ImageSearchResult>> SearchAsync(string term, int? limit = null, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(term))
            {
                throw new InvalidSpecException("EmptySearchTerm", "Give a search term, e.g. 'busybox', or 'registry.example.com/team' for another registry.", term);
            }

            var parameters = new ImagesSearchParameters { Term = term.Trim(), Limit = limit };
            try
            {
                var hits = await EngineCall.RunAsync(_engine, Kind, term,
                    c => c.Docker.Images.SearchImagesAsync(parameters, cancellationToken), cancellationToken).ConfigureAwait(false);
                return hits.Select(h => new ImageSearchResult(h.Name ?? string.Empty, h.Description ?? string.Empty, h.StarCount, h.IsOfficial, h.IsAutomated)).ToList();
            }
            catch (ContainerEngineException e) when (!(e is EngineUnreachableException))
            {
                var message = e.InnerException is Docker.DotNet.DockerApiException api ? EngineCall.ApiMessage(api.ResponseBody) : e.Message;
                if (message.IndexOf("404", StringComparison.Ordinal) >= 0 || message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0 ||
                    message.IndexOf("unexpected", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw new ContainerEngineException("RegistrySearchNotSupported", EngineErrorKind.NotSupported,
                        $"The registry for '{term}' does not offer search (the registry API v2 has none; Docker Hub does). {message}", term, e);
                }

                throw RegistryOperations.RegistryError(term, message);
            }
        }

        /// <summary>
        /// Builds an image from a context folder and a Dockerfile (docker build), with the engine's classic builder.
        /// Tags, arguments and the Dockerfile are checked before anything is sent; the context is streamed as it is
        /// read (.dockerignore applied as docker applies it). progress sees the bytes sent and each step begun; output
        /// sees every line as it comes. Returns one row per tag (the untagged image's row when there is no tag).
        /// A failed step is an ImageBuildException naming the step and its Dockerfile lines.
        /// </summary>
        public async Task<IReadOnlyList<ContainerImage>> BuildAsync(ImageBuildSpec spec, IProgress<ImageBuildProgress>? progress = null,
            IProgress<ImageBuildMessage>? output = null, CancellationToken cancellationToken = default)
        {
            if (spec == null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            var tags = ValidTags(spec.Tags);
            foreach (var name in spec.BuildArguments.Keys.Concat(spec.Labels.Keys))
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new InvalidSpecException("InvalidBuildSpec", "A build argument or label has an empty name.", name);
                }
            }

            if (spec.Platform != null && !Regex.IsMatch(spec.Platform.Trim(), "^[a-z0-9_-]+(/[a-zA-Z0-9_.-]+){0,2}$"))
            {
                throw new InvalidSpecException("InvalidPlatform", $"'{spec.Platform}' is not a platform; write os[/architecture[/variant]], e.g. linux/amd64 or linux/arm64/v8.", spec.Platform);
            }

            var context = BuildContext.Create(spec.ContextPath, spec.Dockerfile);
            var dockerfile = DockerfileDocument.Load(context.DockerfilePath);
            var request = new ImageBuildRequest(spec, context, dockerfile, tags, BaseImageCredentials(dockerfile, spec));
            IImageBuilder builder = new ClassicImageBuilder(_engine);
            var id = await builder.BuildAsync(request, new BuildReporter(progress, output), cancellationToken).ConfigureAwait(false);
            return await RowsAsync(id, tags, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Makes an image of a container's file system and configuration (docker commit): changes are Dockerfile
        /// instructions applied to the configuration ('CMD ["sh"]', 'ENV A=1'); the container is paused meanwhile unless
        /// Pause is false. Returns one row per tag (the untagged image's row when there is no tag).
        /// </summary>
        public async Task<IReadOnlyList<ContainerImage>> CommitAsync(ContainerCommitSpec spec, CancellationToken cancellationToken = default)
        {
            if (spec == null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            var tags = ValidTags(spec.Tags);
            foreach (var change in spec.Changes)
            {
                if (string.IsNullOrWhiteSpace(change))
                {
                    throw new InvalidSpecException("InvalidCommitChange", "A -Change is empty; give a Dockerfile instruction such as 'CMD [\"sh\"]' or 'ENV A=1'.", change);
                }
            }

            var container = await _engine.Containers.GetAsync(spec.Container, cancellationToken).ConfigureAwait(false);
            var query = new System.Text.StringBuilder("/commit?container=").Append(Uri.EscapeDataString(container.Id));
            if (tags.Count > 0)
            {
                query.Append("&repo=").Append(Uri.EscapeDataString(tags[0].FamiliarRepository)).Append("&tag=").Append(Uri.EscapeDataString(tags[0].EffectiveTag!));
            }

            if (!string.IsNullOrEmpty(spec.Message))
            {
                query.Append("&comment=").Append(Uri.EscapeDataString(spec.Message));
            }

            if (!string.IsNullOrEmpty(spec.Author))
            {
                query.Append("&author=").Append(Uri.EscapeDataString(spec.Author));
            }

            query.Append("&pause=").Append(spec.Pause ? "1" : "0");
            foreach (var change in spec.Changes)
            {
                query.Append("&changes=").Append(Uri.EscapeDataString(change.Trim()));
            }

            var id = await EngineCall.RunAsync(_engine, "Container", container.Name, async c =>
            {
                using var body = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var response = await c.Http.PostAsync(c.ApiPath(query.ToString()), body, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var message = EngineCall.ApiMessage(text);
                    if (response.StatusCode == System.Net.HttpStatusCode.BadRequest && spec.Changes.Count > 0)
                    {
                        throw new InvalidSpecException("InvalidCommitChange",
                            $"The engine refused the -Change instructions ({message}). Use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME or WORKDIR.",
                            string.Join("; ", spec.Changes));
                    }

                    throw new DockerApiException(response.StatusCode, text);
                }

                using var doc = System.Text.Json.JsonDocument.Parse(text);
                return doc.RootElement.GetProperty("Id").GetString()!;
            }, cancellationToken).ConfigureAwait(false);

            foreach (var tag in tags.Skip(1))
            {
                await EngineCall.RunAsync(_engine, Kind, id,
                    c => c.Docker.Images.TagImageAsync(id, new ImageTagParameters { RepositoryName = tag.FamiliarRepository, Tag = tag.EffectiveTag }, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
            }

            return await RowsAsync(id, tags, cancellationToken).ConfigureAwait(false);
        }

        // Tags for a new image: valid references without a digest, normalised, each once.
        private static IReadOnlyList<ImageReference> ValidTags(IEnumerable<string> tags)
        {
            var result = new List<ImageReference>();
            foreach (var tag in tags ?? Array.Empty<string>())
            {
                var reference = ImageReference.Parse(tag);
                if (reference.Digest != null)
                {
                    throw new InvalidSpecException("TagWithDigest", $"'{tag}' has a digest; a tag names repository:tag only. Drop the @digest part.", tag);
                }

                if (result.All(r => r.Familiar != reference.Familiar))
                {
                    result.Add(reference);
                }
            }

            return result;
        }

        // The stored credentials of the registries the Dockerfile's FROM lines pull from (none needed for local images).
        private IReadOnlyDictionary<string, RegistryCredential> BaseImageCredentials(DockerfileDocument dockerfile, ImageBuildSpec spec)
        {
            var result = new Dictionary<string, RegistryCredential>(StringComparer.Ordinal);
            var arguments = spec.BuildArguments.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            foreach (var image in dockerfile.BaseImages(arguments))
            {
                if (!ImageReference.TryParse(image, out var reference))
                {
                    continue;
                }

                var key = DockerCredentialStore.KeyFor(reference!.Registry);
                if (result.ContainsKey(key))
                {
                    continue;
                }

                try
                {
                    var credential = _engine.Registries.CredentialFor(reference.Registry, null);
                    if (credential != null)
                    {
                        result[key] = credential;
                    }
                }
                catch (ContainerEngineException)
                {
                    // A credential helper that fails: build without, as for an anonymous pull.
                }
            }

            return result;
        }

        // The rows of a new image: one per tag asked for, or the image's first row when none was.
        private async Task<IReadOnlyList<ContainerImage>> RowsAsync(string id, IReadOnlyList<ImageReference> tags, CancellationToken cancellationToken)
        {
            var all = await ListAsync(new ImageQuery { All = true }, cancellationToken).ConfigureAwait(false);
            var rows = all.Where(r => r.Id == id).ToList();
            if (rows.Count == 0)
            {
                return (await GetAsync(id, cancellationToken).ConfigureAwait(false)).Take(1).ToList();
            }

            if (tags.Count == 0)
            {
                return rows.Take(1).ToList();
            }

            return tags.Select(t => rows.FirstOrDefault(r => r.Reference == t.Familiar) ?? rows[0]).ToList();
        }

        /// <summary>True when the value is an image id or a unique-looking id prefix rather than a name.</summary>
        internal static bool LooksLikeId(string value) => HexPrefix.IsMatch(value);

        private IEnumerable<ContainerImage> ToRows(ImagesListResponse item)
        {
            var tags = (item.RepoTags ?? new List<string>()).Where(t => t != "<none>:<none>").ToList();
            var digests = (item.RepoDigests ?? new List<string>()).Where(d => d != "<none>@<none>").ToList();
            var labels = item.Labels == null ? new Dictionary<string, string>() : new Dictionary<string, string>(item.Labels);
            var created = Time.ToOffset(item.Created);
            var parent = string.IsNullOrEmpty(item.ParentID) ? null : item.ParentID;
            if (tags.Count == 0)
            {
                var digestOnly = digests.FirstOrDefault();
                var repository = digestOnly == null ? ContainerImage.None : digestOnly.Substring(0, digestOnly.IndexOf('@'));
                yield return new ContainerImage(_engine, item.ID, repository, ContainerImage.None, digestOnly?.Substring(digestOnly.IndexOf('@') + 1),
                    tags, digests, created, item.Size, item.Containers, labels, parent);
                yield break;
            }

            foreach (var tag in tags)
            {
                var colon = tag.LastIndexOf(':');
                var repository = colon > tag.LastIndexOf('/') ? tag.Substring(0, colon) : tag;
                var tagName = colon > tag.LastIndexOf('/') ? tag.Substring(colon + 1) : ContainerImage.None;
                var digest = digests.FirstOrDefault(d => d.StartsWith(repository + "@", StringComparison.Ordinal));
                yield return new ContainerImage(_engine, item.ID, repository, tagName, digest?.Substring(digest.IndexOf('@') + 1),
                    tags, digests, created, item.Size, item.Containers, labels, parent);
            }
        }

        // A name matches a row by repository:tag or repository, written familiarly or in full, or by id prefix.
        private static Func<ContainerImage, bool> NameMatcher(string pattern)
        {
            if (Wildcard.HasWildcards(pattern))
            {
                var regex = Wildcard.ToRegex(pattern);
                return r => (r.Reference != null && regex.IsMatch(r.Reference)) || regex.IsMatch(r.Repository);
            }

            var literal = Wildcard.Unescape(pattern).Trim();
            if (ImageReference.TryParse(literal, out var parsed))
            {
                var hasTag = parsed!.Tag != null;
                return r => r.Repository == parsed.FamiliarRepository && (!hasTag || r.Tag == parsed.Tag) ||
                            (LooksLikeId(literal) && IdMatches(r.Id, literal));
            }

            return r => IdMatches(r.Id, literal);
        }

        private static bool IdMatches(string id, string prefix)
        {
            var bare = prefix.StartsWith("sha256:", StringComparison.Ordinal) ? prefix.Substring(7) : prefix;
            return bare.Length >= 4 && id.StartsWith("sha256:" + bare, StringComparison.Ordinal);
        }
    }
}
