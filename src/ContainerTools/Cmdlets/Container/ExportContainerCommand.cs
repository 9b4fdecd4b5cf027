using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Export-Container [docker export]: a container's file system as a tar file, written completely or not at all
    /// (a temporary file beside it is moved into place at the end). An existing file is replaced only with -Force.
    /// </summary>
    [Cmdlet(VerbsData.Export, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportContainerCommand : ContainerTargetCmdlet
    {
        private bool _exported;

        /// <summary>The tar file to write.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        [Alias("Output")]
        public string Path { get; set; } = string.Empty;

        /// <summary>Replace the file if it exists.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Write the tar file's FileInfo.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string ActionDescription => "Export container";

        protected override void ProcessRecord()
        {
            var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            foreach (var (engine, reference, display) in Targets())
            {
                if (_exported)
                {
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"Export-Container writes one container per file; '{display}' was not exported to '{target}'. Export it with its own -Path."),
                        "ExportOneContainerPerFile", ErrorCategory.InvalidArgument, display));
                    continue;
                }

                _exported = true;
                if (!ShouldProcess(target, $"Export container '{display}'"))
                {
                    continue;
                }

                WriteVerbose($"Asking {engine.Name} to export container '{display}' to {target}.");
                var progress = new ProgressRecord(1, $"Exporting container {display} to {target}", "Starting");
                var succeeded = TryRun(display, () =>
                {
                    try
                    {
                        Stream<bool>(async (post, ct) =>
                        {
                            await engine.Containers.ExportAsync(reference, target, Force, new SynchronousProgress<long>(n => post(() =>
                            {
                                progress.StatusDescription = $"{Formatting.DisplayText.BytesSize(n)} written";
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
                });
                if (succeeded && PassThru)
                {
                    WriteObject(new FileInfo(target));
                }
            }
        }

        protected override Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken) =>
            throw new NotSupportedException("Export-Container exports in ProcessRecord, one container per file.");
    }
}
