using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>
    /// Export-ContainerImage [docker save]: every image named or piped in goes into one tar archive, written
    /// completely or not at all. An existing file is replaced only with -Force.
    /// </summary>
    [Cmdlet(VerbsData.Export, "ContainerImage", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportContainerImageCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ByObject = "ByObject";
        private readonly List<string> _references = new List<string>();
        private ContainerEngineConnection? _engine;

        /// <summary>Image references or ids.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Reference")]
        [ArgumentCompleter(typeof(Completion.ImageNameCompleter))]
        public string[] Name { get; set; } = System.Array.Empty<string>();

        /// <summary>Image rows from Get-ContainerImage.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerImage[] InputObject { get; set; } = System.Array.Empty<ContainerImage>();

        /// <summary>The tar file to write.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Replace the file if it exists.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Write the archive's FileInfo.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var image in InputObject)
                {
                    _engine ??= Engine ?? image.Engine;
                    _references.Add(image.Reference ?? image.Id);
                }

                return;
            }

            _engine ??= ResolveEngine();
            _references.AddRange(Name);
        }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (_engine == null || _references.Count == 0 || !ShouldProcess(target, $"Export {string.Join(", ", _references)}"))
            {
                return;
            }

            var engine = _engine;
            WriteVerbose($"Asking {engine.Name} to save {string.Join(", ", _references)} to {target}.");
            TryRun(target, () =>
            {
                var progress = new ProgressRecord(1, "Exporting images to " + target, "Starting");
                try
                {
                    Stream<bool>(async (post, ct) =>
                    {
                        await engine.Images.ExportAsync(_references, target, Force, new SynchronousProgress<long>(n => post(() =>
                        {
                            progress.StatusDescription = $"{n / (1024 * 1024)} MiB written";
                            WriteProgress(progress);
                        })), ct).ConfigureAwait(false);
                        return true;
                    });
                }
                finally
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }

                if (PassThru)
                {
                    WriteObject(new FileInfo(target));
                }
            });
        }
    }
}
