using System.IO;
using System.Management.Automation;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Import-ContainerImage [docker load]: loads a tar archive and writes the images it held.</summary>
    [Cmdlet(VerbsData.Import, "ContainerImage", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerImage))]
    public sealed class ImportContainerImageCommand : ContainerToolsCmdlet
    {
        /// <summary>The tar archive (from Export-ContainerImage or docker save).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("FullName")]
        public string[] Path { get; set; } = System.Array.Empty<string>();

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            foreach (var path in Path)
            {
                var source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                if (!ShouldProcess(source, "Load images"))
                {
                    continue;
                }

                WriteVerbose($"Asking {engine.Name} to load {source}.");
                TryRun(source, () =>
                {
                    var length = File.Exists(source) ? new FileInfo(source).Length : 0;
                    var progress = new ProgressRecord(1, "Importing images from " + source, "Starting");
                    try
                    {
                        var rows = Stream((post, ct) => engine.Images.ImportAsync(source, new SynchronousProgress<long>(n => post(() =>
                        {
                            progress.PercentComplete = length > 0 ? (int)System.Math.Min(100, n * 100 / length) : -1;
                            progress.StatusDescription = $"{n / (1024 * 1024)} of {length / (1024 * 1024)} MiB sent";
                            WriteProgress(progress);
                        })), ct));
                        WriteObject(rows, enumerateCollection: true);
                    }
                    finally
                    {
                        progress.RecordType = ProgressRecordType.Completed;
                        WriteProgress(progress);
                    }
                });
            }
        }
    }
}
