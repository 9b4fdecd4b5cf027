using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Build;

namespace ContainerTools.Engine.Compose
{
    /// <summary>One image a convergence builds: one build: section, the services that share it, and the names it is tagged with.</summary>
    public sealed class ProjectImageBuild
    {
        internal ProjectImageBuild(ComposeBuild build, IReadOnlyList<string> services, IReadOnlyList<string> tags, bool local, string reason)
        {
            Build = build;
            Services = services;
            Tags = tags;
            Local = local;
            Reason = reason;
        }

        public ComposeBuild Build { get; }

        /// <summary>The services whose image this is.</summary>
        public IReadOnlyList<string> Services { get; }

        /// <summary>image: when given, else compose's PROJECT-SERVICE (tag latest).</summary>
        public IReadOnlyList<string> Tags { get; }

        /// <summary>Named by the project (PROJECT-SERVICE), not by a custom image: name: what Remove-ContainerProject -RemoveImages Local removes.</summary>
        public bool Local { get; }

        /// <summary>"missing" or "-Build".</summary>
        public string Reason { get; }

        public override string ToString() => string.Join(", ", Tags);
    }

    public sealed partial class ProjectConverger
    {
        /// <summary>Label on images a project built: the project's name (images are not labelled com.docker.compose.project, which containers made from them would inherit).</summary>
        public const string BuiltImageProjectLabel = "containertools.compose.project";

        /// <summary>Label on images a project built: True when the image is named by the project (PROJECT-SERVICE), False for a custom image: name.</summary>
        public const string BuiltImageLocalLabel = "containertools.compose.local";

        /// <summary>The image a service runs: image:, else compose v2's PROJECT-SERVICE for a service that is built.</summary>
        public static string ImageName(ComposeProject project, ComposeService service) => service.Image ?? project.Name + "-" + service.Name;

        /// <summary>
        /// The images to build before converging [docker compose up --build]: services with build: whose image is missing,
        /// or all of them with options.Build (pull_policy: build always builds). Services that share the same build (same
        /// context, Dockerfile, arguments, target, labels and network) are built once, with every name as a tag.
        /// </summary>
        public async Task<IReadOnlyList<ProjectImageBuild>> PlanBuildsAsync(ComposeProject project, ProjectConvergeOptions options, CancellationToken cancellationToken = default)
        {
            var builds = new List<(string Key, ComposeBuild Build, List<string> Services, List<string> Tags, string Reason)>();
            foreach (var service in Order(project, options.Services).Where(s => s.Build != null))
            {
                var image = ImageName(project, service);
                string reason;
                if (options.Build)
                {
                    reason = "-Build";
                }
                else if (service.PullPolicy == "build")
                {
                    reason = "pull_policy: build";
                }
                else if (await TryImageIdAsync(image, cancellationToken).ConfigureAwait(false) == null)
                {
                    reason = "missing";
                }
                else
                {
                    continue;
                }

                var key = BuildKey(service.Build!);
                var existing = builds.FirstOrDefault(b => b.Key == key);
                if (existing.Build == null)
                {
                    builds.Add((key, service.Build!, new List<string> { service.Name }, new List<string> { image }, reason));
                }
                else
                {
                    existing.Services.Add(service.Name);
                    if (!existing.Tags.Contains(image))
                    {
                        existing.Tags.Add(image);
                    }
                }
            }

            return builds.Select(b => new ProjectImageBuild(b.Build, b.Services, b.Tags,
                b.Tags.All(t => b.Services.Any(s => t == project.Name + "-" + s && project.GetService(s)!.Image == null)), b.Reason)).ToList();
        }

        /// <summary>
        /// Builds one image of a project with the engine's builder, as New-ContainerImage does; returns its id. A failure
        /// is a ProjectServiceException naming the services, wrapping the ImageBuildException (step, Dockerfile lines).
        /// </summary>
        public async Task<string> BuildImageAsync(ComposeProject project, ProjectImageBuild build, IProgress<ImageBuildProgress>? progress = null,
            IProgress<ImageBuildMessage>? output = null, CancellationToken cancellationToken = default)
        {
            var services = string.Join(", ", build.Services);
            try
            {
                var source = build.Build;
                if (!Directory.Exists(source.Context))
                {
                    throw new InvalidSpecException("ComposeBuildContextNotFound",
                        $"The build context '{source.Context}' is not a folder on this machine (URL and Git contexts are not supported). Fix build.context.", source.Context);
                }

                var spec = new ImageBuildSpec
                {
                    ContextPath = source.Context,
                    Dockerfile = source.Dockerfile == null ? null : Path.Combine(source.Context, source.Dockerfile),
                    Target = source.Target,
                    Network = source.Network,
                    Platform = build.Services.Select(project.GetService).FirstOrDefault(s => s?.Platform != null)?.Platform,
                };
                foreach (var tag in build.Tags)
                {
                    spec.Tags.Add(tag);
                }

                // As compose: an argument without a value takes it from the environment, and is left out when that is unset (the loader resolved it).
                foreach (var argument in source.Arguments.Where(a => a.Value != null))
                {
                    spec.BuildArguments[argument.Key] = argument.Value;
                }

                foreach (var label in source.Labels)
                {
                    spec.Labels[label.Key] = label.Value;
                }

                spec.Labels[BuiltImageProjectLabel] = project.Name;
                spec.Labels[BuiltImageLocalLabel] = build.Local ? "True" : "False";
                var rows = await _engine.Images.BuildAsync(spec, progress, output, cancellationToken).ConfigureAwait(false);
                return rows.First().Id;
            }
            catch (ContainerEngineException e)
            {
                throw new ProjectServiceException(services, e);
            }
        }

        private static string BuildKey(ComposeBuild build) =>
            string.Join("\n", new[] { build.Context, build.Dockerfile ?? string.Empty, build.Target ?? string.Empty, build.Network ?? string.Empty }
                .Concat(build.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + (a.Value ?? "\0")))
                .Concat(build.Labels.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => "label:" + a.Key + "=" + a.Value)));

        /// <summary>The image's id, or null when the engine does not have it.</summary>
        private async Task<string?> TryImageIdAsync(string reference, CancellationToken cancellationToken)
        {
            try
            {
                return (await _engine.Images.GetAsync(reference, cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.Id;
            }
            catch (ResourceNotFoundException)
            {
                return null;
            }
        }

        // A container records the id of its image (compose's com.docker.compose.image); one from before that recorded a name and is left as it is.
        private static bool ImageChanged(Model.Container existing, string? imageId) =>
            imageId != null && existing.Labels.TryGetValue(ImageLabel, out var had) && had.StartsWith("sha256:", StringComparison.Ordinal) && had != imageId;
    }
}
