using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Remove-Container [docker rm]. With -Force a running container is killed first and a missing one is no error.</summary>
    [Cmdlet(VerbsCommon.Remove, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(void))]
    public sealed class RemoveContainerCommand : ContainerTargetCmdlet
    {
        /// <summary>Remove running containers too (killing them), and do not fail when a container is already gone.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Also remove the container's anonymous volumes.</summary>
        [Parameter]
        public SwitchParameter Volumes { get; set; }

        protected override string ActionDescription => "Remove container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.RemoveAsync(reference, Force, Volumes, ct).ConfigureAwait(false);
            return null;
        }
    }
}
