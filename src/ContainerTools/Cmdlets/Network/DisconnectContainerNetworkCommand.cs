using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Cmdlets.Network
{
    /// <summary>Disconnect-ContainerNetwork [docker network disconnect]. A container that is not connected is no error.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ContainerNetwork", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class DisconnectContainerNetworkCommand : NetworkAttachmentCmdlet
    {
        /// <summary>Disconnect even a container that is gone (drops its stale attachment), as docker network disconnect -f.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override string Verb => "Disconnect";

        protected override Task<bool> ActAsync(ContainerEngineConnection engine, string container, CancellationToken cancellationToken) =>
            engine.Networks.DisconnectAsync(Network, container, Force, cancellationToken);
    }
}
