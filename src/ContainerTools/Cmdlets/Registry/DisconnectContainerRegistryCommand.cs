using System.Management.Automation;

namespace ContainerTools.Cmdlets.Registry
{
    /// <summary>Disconnect-ContainerRegistry [docker logout]: forgets the stored credentials. Already logged out is no error.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ContainerRegistry", SupportsShouldProcess = true)]
    [OutputType(typeof(void))]
    public sealed class DisconnectContainerRegistryCommand : ContainerToolsCmdlet
    {
        /// <summary>The registry host[:port]; Docker Hub (docker.io) when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Server")]
        public string Registry { get; set; } = "docker.io";

        protected override void ProcessRecord()
        {
            if (!ShouldProcess(Registry, "Forget the stored registry credentials"))
            {
                return;
            }

            var engine = ResolveEngine();
            TryRun(Registry, () =>
            {
                if (!engine.Registries.Logout(Registry))
                {
                    WriteVerbose($"No credentials were stored for {Registry}.");
                }
            });
        }
    }
}
