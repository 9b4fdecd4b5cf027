using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Engine
{
    /// <summary>Get-ContainerDiskUsage [docker system df]: what images, containers, volumes and the build cache take, and what a prune could free.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerDiskUsage")]
    [OutputType(typeof(ContainerDiskUsage))]
    [OutputType(typeof(ContainerDiskUsageItem))]
    public sealed class GetContainerDiskUsageCommand : ContainerToolsCmdlet
    {
        /// <summary>One row per image, container, volume and build cache record instead of the summary (docker system df -v).</summary>
        [Parameter]
        public SwitchParameter Detail { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Asking {engine.Name} for its disk usage (GET /system/df).");
            TryRun(engine.Name, () =>
            {
                var report = Await(ct => engine.System.GetDiskUsageAsync(ct));
                if (Detail)
                {
                    WriteObject(report.Items, enumerateCollection: true);
                }
                else
                {
                    WriteObject(report.Summary, enumerateCollection: true);
                }
            });
        }
    }
}
