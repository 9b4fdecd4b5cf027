using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>
    /// New-ContainerImage: builds an image from a context folder and a Dockerfile [docker build], or makes one from a
    /// container [docker commit]. Build output goes to the Information stream as it comes (tagged Build and Step,
    /// Output, Builder, Status or Warning), progress per step; a failed step is an error naming the step and its
    /// Dockerfile lines.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ContainerImage", SupportsShouldProcess = true, DefaultParameterSetName = BuildSet)]
    [OutputType(typeof(ContainerImage))]
    public sealed class NewContainerImageCommand : ContainerToolsCmdlet
    {
        private const string BuildSet = "Build";
        private const string CommitSet = "Commit";

        /// <summary>The build context: the folder whose files the Dockerfile can COPY (default: the current location).</summary>
        [Parameter(ParameterSetName = BuildSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [Alias("Context", "ContextPath")]
        public string? Path { get; set; }

        /// <summary>The Dockerfile, inside the context or outside it (default: Dockerfile in the context). Relative to the current location.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        [ValidateNotNullOrEmpty]
        [Alias("File")]
        public string? Dockerfile { get; set; }

        /// <summary>References for the new image, e.g. 'team/app:1.2' (the tag defaults to latest). Checked before anything is sent.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        [Parameter(ParameterSetName = CommitSet, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[] Tag { get; set; } = Array.Empty<string>();

        /// <summary>Values for the Dockerfile's ARG instructions; a $null value passes the variable through from this process.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        [Alias("BuildArg")]
        public Hashtable? BuildArgument { get; set; }

        /// <summary>The stage of a multi-stage Dockerfile to build (FROM … AS name).</summary>
        [Parameter(ParameterSetName = BuildSet)]
        [ValidateNotNullOrEmpty]
        public string? Target { get; set; }

        /// <summary>Labels for the image.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        public Hashtable? Label { get; set; }

        /// <summary>Use no cached layers.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        public SwitchParameter NoCache { get; set; }

        /// <summary>Always pull the base images, even when the engine has them.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        public SwitchParameter Pull { get; set; }

        /// <summary>The network RUN instructions use: default, bridge, host, none, or a network name.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
        public string? Network { get; set; }

        /// <summary>The platform to build for, e.g. linux/amd64.</summary>
        [Parameter(ParameterSetName = BuildSet)]
        [ValidateNotNullOrEmpty]
        public string? Platform { get; set; }

        /// <summary>The container to commit: a name, id or id prefix, or a container from Get-Container.</summary>
        [Parameter(ParameterSetName = CommitSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Id", "ContainerId")]
        [ArgumentCompleter(typeof(Completion.ContainerNameCompleter))]
        public string? Container { get; set; }

        /// <summary>The commit message, shown as the comment of the new layer in Get-ContainerImageHistory.</summary>
        [Parameter(ParameterSetName = CommitSet)]
        [Alias("Comment")]
        public string? Message { get; set; }

        /// <summary>The author, e.g. 'Jane Doe &lt;jane@example.com&gt;'.</summary>
        [Parameter(ParameterSetName = CommitSet)]
        public string? Author { get; set; }

        /// <summary>Dockerfile instructions applied to the image's configuration: 'CMD ["sh"]', 'ENV A=1', 'EXPOSE 80', 'WORKDIR /app', …</summary>
        [Parameter(ParameterSetName = CommitSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Change { get; set; }

        /// <summary>Pause the container while committing (default $true, as docker commit).</summary>
        [Parameter(ParameterSetName = CommitSet)]
        public bool Pause { get; set; } = true;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == CommitSet)
            {
                Commit();
                return;
            }

            Build();
        }

        private void Build()
        {
            var engine = ResolveEngine();
            var spec = new ImageBuildSpec
            {
                ContextPath = ResolveFileSystemPath(Path ?? "."),
                Dockerfile = Dockerfile == null ? null : ResolveFileSystemPath(Dockerfile),
                Target = Target,
                NoCache = NoCache,
                Pull = Pull,
                Network = Network,
                Platform = Platform,
            };
            foreach (var tag in Tag)
            {
                spec.Tags.Add(tag);
            }

            foreach (DictionaryEntry entry in BuildArgument ?? new Hashtable())
            {
                var name = Text(entry.Key);
                // As docker build --build-arg NAME: no value takes the variable from this process, if it has it.
                spec.BuildArguments[name] = entry.Value == null ? System.Environment.GetEnvironmentVariable(name) : Text(entry.Value);
            }

            foreach (DictionaryEntry entry in Label ?? new Hashtable())
            {
                spec.Labels[Text(entry.Key)] = entry.Value == null ? string.Empty : Text(entry.Value);
            }

            var display = Tag.Length > 0 ? string.Join(", ", Tag) : spec.ContextPath;
            if (!ShouldProcess(display, $"Build image from '{spec.ContextPath}'"))
            {
                return;
            }

            WriteVerbose($"Building {display} from {spec.ContextPath} on {engine.Name}.");
            TryRun(display, () =>
            {
                var progress = new BuildProgressWriter(this, "Building image " + display, 1);
                try
                {
                    var rows = Stream((post, ct) => engine.Images.BuildAsync(spec,
                        new SynchronousProgress<ImageBuildProgress>(p => post(() => progress.Report(p))),
                        new SynchronousProgress<ImageBuildMessage>(m => post(() => WriteBuildMessage(m))), ct));
                    WriteObject(rows, enumerateCollection: true);
                }
                finally
                {
                    progress.Complete();
                }
            });
        }

        private void Commit()
        {
            var engine = ResolveEngine();
            var reference = Container!;
            var spec = new ContainerCommitSpec { Container = reference, Message = Message, Author = Author, Pause = Pause };
            foreach (var tag in Tag)
            {
                spec.Tags.Add(tag);
            }

            foreach (var change in Change ?? Array.Empty<string>())
            {
                spec.Changes.Add(change);
            }

            var action = Tag.Length > 0 ? $"Commit container to image {string.Join(", ", Tag)}" : "Commit container to an untagged image";
            if (!ShouldProcess(reference, action))
            {
                return;
            }

            WriteVerbose($"Committing container {reference} on {engine.Name}.");
            Enqueue(reference, async ct =>
            {
                var rows = await engine.Images.CommitAsync(spec, ct).ConfigureAwait(false);
                return () => WriteObject(rows, enumerateCollection: true);
            });
        }

        private void WriteBuildMessage(ImageBuildMessage message)
        {
            if (message.Kind == ImageBuildMessageKind.Warning)
            {
                WriteWarning(message.Text);
            }

            WriteInformation(message, new[] { "Build", message.Kind.ToString() });
        }

        private string ResolveFileSystemPath(string path)
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.Name != "FileSystem")
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{path}' is not a file system path; a build context and a Dockerfile are folders and files on disk."),
                    "NotAFileSystemPath", ErrorCategory.InvalidArgument, path));
            }

            return resolved;
        }

        private static string Text(object? value) =>
            Convert.ToString(value == null ? string.Empty : PSObject.AsPSObject(value).BaseObject, CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
