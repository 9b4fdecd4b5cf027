using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Set-Container [docker update]: resources and restart policy of an existing container.</summary>
    [Cmdlet(VerbsCommon.Set, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class SetContainerCommand : ContainerTargetCmdlet
    {
        /// <summary>Memory limit: bytes or a size such as 512m or 1g.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Memory { get; set; }

        /// <summary>CPU limit as a number of CPUs, e.g. 0.5.</summary>
        [Parameter]
        public double? Cpus { get; set; }

        [Parameter]
        public RestartPolicy? RestartPolicy { get; set; }

        /// <summary>With -RestartPolicy OnFailure: how many restarts at most.</summary>
        [Parameter]
        public int? MaximumRetryCount { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override bool WantsPassThru => PassThru;

        protected override string ActionDescription => "Update container";

        protected override void BeginProcessing()
        {
            if (Memory == null && Cpus == null && RestartPolicy == null && MaximumRetryCount == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("Set-Container needs at least one of -Memory, -Cpus, -RestartPolicy or -MaximumRetryCount."),
                    "NothingToSet", ErrorCategory.InvalidArgument, null));
            }
        }

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.UpdateAsync(reference, Memory, Cpus, RestartPolicy, MaximumRetryCount, ct).ConfigureAwait(false);
            return await PassThruAsync(engine, reference, ct).ConfigureAwait(false);
        }
    }
}
