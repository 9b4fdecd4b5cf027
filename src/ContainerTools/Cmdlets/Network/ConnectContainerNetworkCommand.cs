using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Cmdlets.Network
{
    /// <summary>
    /// Connect-ContainerNetwork [docker network connect]. A container already connected with the asked address and aliases
    /// is no error; connected with others, a NetworkAlreadyConnected error says to disconnect first.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "ContainerNetwork", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class ConnectContainerNetworkCommand : NetworkAttachmentCmdlet
    {
        /// <summary>Names the container answers to on the network, besides its own name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Alias { get; set; }

        /// <summary>A static IPv4 address on the network (its subnet must have been given at creation).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("IPv4Address", "Ip")]
        public string? IPAddress { get; set; }

        /// <summary>A static IPv6 address on the network.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IPv6Address { get; set; }

        protected override string Verb => "Connect";

        protected override Task<bool> ActAsync(ContainerEngineConnection engine, string container, CancellationToken cancellationToken) =>
            engine.Networks.ConnectAsync(Network, container, Alias, IPAddress, IPv6Address, cancellationToken);
    }
}
