using System;
using System.Collections.Generic;

namespace ContainerTools.Engine.Build
{
    /// <summary>What docker build is asked to do. Everything is validated before anything is sent to the engine.</summary>
    public sealed class ImageBuildSpec
    {
        /// <summary>The context folder (docker build PATH).</summary>
        public string ContextPath { get; set; } = ".";

        /// <summary>The Dockerfile, inside the context or anywhere else (docker build -f); default: Dockerfile in the context.</summary>
        public string? Dockerfile { get; set; }

        /// <summary>References to tag the image with (name:tag; the tag defaults to latest).</summary>
        public IList<string> Tags { get; } = new List<string>();

        /// <summary>ARG values (--build-arg); a null value declares the argument without a value.</summary>
        public IDictionary<string, string?> BuildArguments { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>The stage to build (--target).</summary>
        public string? Target { get; set; }

        /// <summary>Labels added to the image (--label).</summary>
        public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Use no cached layers (--no-cache).</summary>
        public bool NoCache { get; set; }

        /// <summary>Always pull newer base images (--pull).</summary>
        public bool Pull { get; set; }

        /// <summary>The network RUN steps use (--network): default, bridge, host, none, container:NAME or a network name.</summary>
        public string? Network { get; set; }

        /// <summary>The platform to build for (--platform), e.g. linux/amd64.</summary>
        public string? Platform { get; set; }
    }

    /// <summary>What a build is doing now: sending the context, or running step N of M.</summary>
    public enum ImageBuildPhase
    {
        SendingContext,
        Building,
        Done,
    }

    /// <summary>Progress of a build: bytes of context sent, then the step being run.</summary>
    public sealed class ImageBuildProgress
    {
        internal ImageBuildProgress(ImageBuildPhase phase, long bytesSent, int step, int stepCount, string? instruction)
        {
            Phase = phase;
            BytesSent = bytesSent;
            Step = step;
            StepCount = stepCount;
            Instruction = instruction;
        }

        public ImageBuildPhase Phase { get; }

        /// <summary>Bytes of the context archive handed to the engine so far.</summary>
        public long BytesSent { get; }

        /// <summary>The step being run (1-based; 0 before the first).</summary>
        public int Step { get; }

        public int StepCount { get; }

        /// <summary>The step's instruction as the builder shows it ("RUN make").</summary>
        public string? Instruction { get; }

        /// <summary>0–100 by steps begun, or -1 while the context is being sent.</summary>
        public int Percent => Phase == ImageBuildPhase.Done ? 100 : StepCount > 0 && Step > 0 ? Math.Min(100, (Step - 1) * 100 / StepCount) : -1;
    }

    /// <summary>What kind of line of build output a message is.</summary>
    public enum ImageBuildMessageKind
    {
        /// <summary>"Step 2/5 : RUN make".</summary>
        Step,

        /// <summary>A line the step's command printed.</summary>
        Output,

        /// <summary>The builder's own lines (" ---> Running in …", "Removing intermediate container …", "Successfully built …").</summary>
        Builder,

        /// <summary>A pull status during FROM ("Pulling from …", "Pull complete").</summary>
        Status,

        /// <summary>"[Warning] …" from the builder.</summary>
        Warning,
    }

    /// <summary>One line of build output, as it arrives.</summary>
    public sealed class ImageBuildMessage
    {
        internal ImageBuildMessage(ImageBuildMessageKind kind, int step, int stepCount, string text)
        {
            Kind = kind;
            Step = step;
            StepCount = stepCount;
            Text = text;
        }

        public ImageBuildMessageKind Kind { get; }

        /// <summary>The step the line belongs to (0 before the first).</summary>
        public int Step { get; }

        public int StepCount { get; }

        public string Text { get; }

        public override string ToString() => Text;
    }

    /// <summary>A build that the engine ran and that failed: which step, which Dockerfile lines, what the engine said.</summary>
    public sealed class ImageBuildException : ContainerEngineException
    {
        internal ImageBuildException(string errorId, EngineErrorKind kind, string message, string engineMessage, string? dockerfile,
            int step, int stepCount, DockerfileInstruction? instruction, string? stepText, int? exitCode, int? line, IReadOnlyList<string> output)
            : base(errorId, kind, message, dockerfile)
        {
            EngineMessage = engineMessage;
            Dockerfile = dockerfile;
            Step = step;
            StepCount = stepCount;
            Instruction = instruction?.Text ?? stepText;
            Line = instruction?.StartLine ?? line;
            EndLine = instruction?.EndLine ?? line;
            ExitCode = exitCode;
            Output = output;
        }

        /// <summary>The engine's own words.</summary>
        public string EngineMessage { get; }

        /// <summary>The Dockerfile on disk.</summary>
        public string? Dockerfile { get; }

        /// <summary>The failed step (0 when the build failed before its first step).</summary>
        public int Step { get; }

        public int StepCount { get; }

        /// <summary>The failed instruction as written in the Dockerfile (continuation lines joined).</summary>
        public string? Instruction { get; }

        /// <summary>The Dockerfile line the failed instruction starts on (null for a step the builder added).</summary>
        public int? Line { get; }

        /// <summary>The line it ends on (after its continuation lines).</summary>
        public int? EndLine { get; }

        /// <summary>The exit code of a failed RUN command.</summary>
        public int? ExitCode { get; }

        /// <summary>The last lines the failed step printed.</summary>
        public IReadOnlyList<string> Output { get; }
    }

    /// <summary>What docker commit is asked to do.</summary>
    public sealed class ContainerCommitSpec
    {
        /// <summary>The container: name, id or unique id prefix.</summary>
        public string Container { get; set; } = string.Empty;

        /// <summary>References for the new image; the first is given to the commit, the rest are added as tags.</summary>
        public IList<string> Tags { get; } = new List<string>();

        /// <summary>The commit message (--message), shown as the layer's comment in docker history.</summary>
        public string? Message { get; set; }

        /// <summary>--author, e.g. 'Jane Doe &lt;jane@example.com&gt;'.</summary>
        public string? Author { get; set; }

        /// <summary>Dockerfile instructions applied to the image's configuration (--change): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR.</summary>
        public IList<string> Changes { get; } = new List<string>();

        /// <summary>Pause the container while committing (--pause, default true).</summary>
        public bool Pause { get; set; } = true;
    }
}
