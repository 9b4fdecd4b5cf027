using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Stop-Container [docker stop / docker kill]. Stopping a stopped container is no error.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class StopContainerCommand : ContainerTargetCmdlet
    {
        /// <summary>Seconds to wait after SIGTERM before SIGKILL; the container's own stop timeout (10 s by default) when omitted.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? Timeout { get; set; }

        /// <summary>Send this signal instead of stopping (docker kill), e.g. KILL, HUP, SIGUSR1.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Signal { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override bool WantsPassThru => PassThru;

        protected override string ActionDescription => Signal == null ? "Stop container" : $"Send signal {Signal} to container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            if (Signal != null)
            {
                await engine.Containers.KillAsync(reference, Signal, ct).ConfigureAwait(false);
            }
            else
            {
                await engine.Containers.StopAsync(reference, Timeout, ct).ConfigureAwait(false);
            }

            return await PassThruAsync(engine, reference, ct).ConfigureAwait(false);
        }
    }
}
