using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Suspend-Container [docker pause]. Pausing a paused container is no error.</summary>
    [Cmdlet(VerbsLifecycle.Suspend, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class SuspendContainerCommand : ContainerTargetCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override bool WantsPassThru => PassThru;

        protected override string ActionDescription => "Pause container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.PauseAsync(reference, ct).ConfigureAwait(false);
            return await PassThruAsync(engine, reference, ct).ConfigureAwait(false);
        }
    }
}
