using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Engine
{
    /// <summary>Disconnect-ContainerEngine: drops the session default; commands then use DOCKER_HOST, the docker context or the platform default.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ContainerEngine", SupportsShouldProcess = true)]
    [OutputType(typeof(void))]
    public sealed class DisconnectContainerEngineCommand : PSCmdlet
    {
        protected override void ProcessRecord()
        {
            var current = SessionEngine.Current;
            if (current != null && ShouldProcess(current.Address, "Drop the session's default container engine"))
            {
                SessionEngine.Clear();
            }
        }
    }
}
