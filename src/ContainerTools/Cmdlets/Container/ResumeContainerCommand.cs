using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Resume-Container [docker unpause]. Resuming a container that is not paused is no error.</summary>
    [Cmdlet(VerbsLifecycle.Resume, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class ResumeContainerCommand : ContainerTargetCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override bool WantsPassThru => PassThru;

        protected override string ActionDescription => "Resume container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.UnpauseAsync(reference, ct).ConfigureAwait(false);
            return await PassThruAsync(engine, reference, ct).ConfigureAwait(false);
        }
    }
}
