using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Images;

namespace ContainerTools.Engine.Compose
{
    /// <summary>Which images Remove-ContainerProject removes [docker compose down --rmi].</summary>
    public enum ProjectImageRemoval
    {
        /// <summary>Every image the project's services use, pulled or built.</summary>
        All,

        /// <summary>Only images named by the project (PROJECT-SERVICE: built for services without a custom image: name).</summary>
        Local,
    }

    /// <summary>An image Remove-ContainerProject could not remove, and why (ImageInUse: another container uses it).</summary>
    public sealed class ProjectImageFailure
    {
        internal ProjectImageFailure(string reference, ContainerEngineException error)
        {
            Reference = reference;
            Error = error;
        }

        public string Reference { get; }

        public ContainerEngineException Error { get; }
    }

    public sealed partial class ProjectConverger
    {
        /// <summary>
        /// The images down --rmi would remove, found while the containers are still there: the images this project built
        /// (labelled by it), PROJECT-SERVICE names of the services (from the files when given, and from the containers), and
        /// with All also every image the services or containers name. References as name:tag.
        /// </summary>
        public async Task<IReadOnlyList<string>> ListProjectImagesAsync(string projectName, ProjectImageRemoval mode, ComposeProject? project = null,
            CancellationToken cancellationToken = default)
        {
            var references = new List<string>();
            void Add(string reference)
            {
                var normal = WithTag(reference);
                if (!references.Contains(normal))
                {
                    references.Add(normal);
                }
            }

            var query = new ImageQuery();
            query.Labels.Add(BuiltImageProjectLabel + "=" + projectName);
            if (mode == ProjectImageRemoval.Local)
            {
                query.Labels.Add(BuiltImageLocalLabel + "=True");
            }

            foreach (var image in await _engine.Images.ListAsync(query, cancellationToken).ConfigureAwait(false))
            {
                foreach (var tag in image.Tags)
                {
                    Add(tag);
                }
            }

            foreach (var service in project?.Services ?? Array.Empty<ComposeService>())
            {
                if (service.Image == null)
                {
                    Add(ImageName(project!, service));
                }
                else if (mode == ProjectImageRemoval.All)
                {
                    Add(service.Image);
                }
            }

            foreach (var container in await GetContainersAsync(projectName, cancellationToken).ConfigureAwait(false))
            {
                var local = container.Labels.TryGetValue(ServiceLabel, out var service) && WithTag(container.Image) == WithTag(projectName + "-" + service);
                if ((local || mode == ProjectImageRemoval.All) && !container.Image.StartsWith("sha256:", StringComparison.Ordinal))
                {
                    Add(container.Image);
                }
            }

            // Only those on the engine: removing is idempotent, and -WhatIf lists what is really there.
            var present = new List<string>();
            foreach (var reference in references)
            {
                if (await TryImageIdAsync(reference, cancellationToken).ConfigureAwait(false) != null)
                {
                    present.Add(reference);
                }
            }

            return present;
        }

        /// <summary>
        /// Removes the images (after DownAsync removed the containers); one that is gone already is skipped. One that another
        /// container still uses is not forced: it is returned as a failure (ImageInUse) and the others are removed.
        /// </summary>
        public async Task<IReadOnlyList<ProjectImageFailure>> RemoveImagesAsync(IEnumerable<string> references, Func<string, bool> approve, IProgress<string>? log = null,
            CancellationToken cancellationToken = default)
        {
            var failures = new List<ProjectImageFailure>();
            foreach (var reference in references)
            {
                if (!approve(reference))
                {
                    continue;
                }

                try
                {
                    log?.Report($"Removing image {reference}.");
                    await _engine.Images.RemoveAsync(reference, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (ResourceNotFoundException)
                {
                }
                catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict)
                {
                    failures.Add(new ProjectImageFailure(reference, e));
                }
            }

            return failures;
        }

        // busybox -> busybox:latest; a reference with a tag or digest stays as it is.
        private static string WithTag(string reference)
        {
            var name = reference.Substring(reference.LastIndexOf('/') + 1);
            return name.IndexOf(':') >= 0 || name.IndexOf('@') >= 0 ? reference : reference + ":latest";
        }
    }
}
