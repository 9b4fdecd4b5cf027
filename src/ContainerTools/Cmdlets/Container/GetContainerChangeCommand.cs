using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Get-ContainerChange [docker diff]: the paths added, changed or deleted in a container's file system since it was created from its image.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerChange", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerChange))]
    public sealed class GetContainerChangeCommand : ContainerTargetCmdlet
    {
        /// <summary>Only changes of these kinds (Added, Changed, Deleted).</summary>
        [Parameter]
        public ContainerChangeKind[]? Kind { get; set; }

        protected override string ActionDescription => "List the file system changes of container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken)
        {
            var changes = await engine.Containers.GetChangesAsync(reference, cancellationToken).ConfigureAwait(false);
            return Kind == null ? changes : System.Linq.Enumerable.ToList(System.Linq.Enumerable.Where(changes, c => System.Array.IndexOf(Kind, c.Kind) >= 0));
        }
    }
}
