using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Rename-Container [docker rename].</summary>
    [Cmdlet(VerbsCommon.Rename, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class RenameContainerCommand : ContainerTargetCmdlet
    {
        /// <summary>The new name.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string NewName { get; set; } = string.Empty;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string ActionDescription => $"Rename container to '{NewName}'";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.RenameAsync(reference, NewName, ct).ConfigureAwait(false);
            return PassThru ? await engine.Containers.GetAsync(NewName, ct).ConfigureAwait(false) : null;
        }
    }
}
