using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Restart-Container [docker restart].</summary>
    [Cmdlet(VerbsLifecycle.Restart, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class RestartContainerCommand : ContainerTargetCmdlet
    {
        /// <summary>Seconds to wait for the stop before killing.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? Timeout { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override bool WantsPassThru => PassThru;

        protected override string ActionDescription => "Restart container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.RestartAsync(reference, Timeout, ct).ConfigureAwait(false);
            return await PassThruAsync(engine, reference, ct).ConfigureAwait(false);
        }
    }
}
