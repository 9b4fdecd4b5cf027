using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Wait-Container [docker wait]: waits for the condition and returns the exit code.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "Container", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerExit))]
    public sealed class WaitContainerCommand : ContainerTargetCmdlet
    {
        /// <summary>NotRunning (default): until it is not running; NextExit: until it next exits; Removed: until it is removed.</summary>
        [Parameter]
        public WaitCondition Condition { get; set; } = WaitCondition.NotRunning;

        /// <summary>Seconds to wait at most; then an OperationTimeout error.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? Timeout { get; set; }

        protected override string ActionDescription => "Wait for container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct) =>
            await engine.Containers.WaitAsync(reference, Condition, Timeout == null ? (TimeSpan?)null : TimeSpan.FromSeconds(Timeout.Value), ct)
                .ConfigureAwait(false);
    }
}
