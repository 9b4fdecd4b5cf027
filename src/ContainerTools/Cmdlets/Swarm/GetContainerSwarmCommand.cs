using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Swarm
{
    /// <summary>Get-ContainerSwarm [docker swarm join-token / docker info]: the swarm the engine manages, with its join tokens.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerSwarm")]
    [OutputType(typeof(ContainerSwarm))]
    public sealed class GetContainerSwarmCommand : ContainerToolsCmdlet
    {
        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Reading the swarm from {engine.Name}.");
            TryRun(engine.Name, () => WriteObject(Await(ct => engine.Swarm.GetAsync(ct))));
        }
    }
}
