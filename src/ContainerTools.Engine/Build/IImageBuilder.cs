using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Images;
using ContainerTools.Engine.Registry;

namespace ContainerTools.Engine.Build
{
    /// <summary>
    /// A way to have an engine build an image. The classic builder (POST /build with the context as a tar stream) is
    /// the one there is today; a BuildKit session builder (gRPC over /session, files synced on demand) fits behind the
    /// same interface: it gets the same validated request and reports through the same reporter.
    /// </summary>
    internal interface IImageBuilder
    {
        /// <summary>"classic", "buildkit".</summary>
        string Name { get; }

        /// <summary>Runs the build to its end and returns the image id (sha256:…); failures are ImageBuildException.</summary>
        Task<string> BuildAsync(ImageBuildRequest request, BuildReporter reporter, CancellationToken cancellationToken);
    }

    /// <summary>A build request after validation: the prepared context, the parsed Dockerfile, normalised tags, credentials for the base images.</summary>
    internal sealed class ImageBuildRequest
    {
        public ImageBuildRequest(ImageBuildSpec spec, BuildContext context, DockerfileDocument dockerfile, IReadOnlyList<ImageReference> tags,
            IReadOnlyDictionary<string, RegistryCredential> registryCredentials)
        {
            Spec = spec;
            Context = context;
            Dockerfile = dockerfile;
            Tags = tags;
            RegistryCredentials = registryCredentials;
        }

        public ImageBuildSpec Spec { get; }

        public BuildContext Context { get; }

        public DockerfileDocument Dockerfile { get; }

        public IReadOnlyList<ImageReference> Tags { get; }

        /// <summary>Stored credentials of the registries the FROM lines name, keyed as docker config.json keys them.</summary>
        public IReadOnlyDictionary<string, RegistryCredential> RegistryCredentials { get; }
    }

    /// <summary>Hands build progress and output lines to the caller; upload progress at most every 200 ms.</summary>
    internal sealed class BuildReporter
    {
        private static readonly long Interval = Stopwatch.Frequency / 5;
        private readonly IProgress<ImageBuildProgress>? _progress;
        private readonly IProgress<ImageBuildMessage>? _output;
        private long _lastUpload = long.MinValue;

        public BuildReporter(IProgress<ImageBuildProgress>? progress, IProgress<ImageBuildMessage>? output)
        {
            _progress = progress;
            _output = output;
        }

        public long BytesSent { get; private set; }

        public int Step { get; private set; }

        public int StepCount { get; private set; }

        public string? Instruction { get; private set; }

        public void Uploaded(long total, bool final = false)
        {
            BytesSent = total;
            var now = Stopwatch.GetTimestamp();
            if (final || _lastUpload == long.MinValue || now - _lastUpload >= Interval)
            {
                _lastUpload = now;
                _progress?.Report(new ImageBuildProgress(ImageBuildPhase.SendingContext, total, 0, 0, null));
            }
        }

        public void StepStarted(int step, int count, string instruction)
        {
            Step = step;
            StepCount = count;
            Instruction = instruction;
            _progress?.Report(new ImageBuildProgress(ImageBuildPhase.Building, BytesSent, step, count, instruction));
        }

        public void Finished() => _progress?.Report(new ImageBuildProgress(ImageBuildPhase.Done, BytesSent, Step, StepCount, Instruction));

        public void Line(ImageBuildMessageKind kind, string text) => _output?.Report(new ImageBuildMessage(kind, Step, StepCount, text));
    }
}
