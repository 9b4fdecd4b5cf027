using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Engine
{
    /// <summary>Get-ContainerEngine [docker version + docker info].</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerEngine")]
    [OutputType(typeof(ContainerEngineInfo))]
    public sealed class GetContainerEngineCommand : ContainerToolsCmdlet
    {
        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Asking {engine.Address} for its version and info.");
            TryRun(engine.Address, () => WriteObject(Await(ct => engine.System.GetInfoAsync(ct))));
        }
    }
}
