using System.Management.Automation;

namespace ContainerTools.Cmdlets.Swarm
{
    /// <summary>
    /// Exit-ContainerSwarm [docker swarm leave]: the engine leaves its swarm. Idempotent: an engine in no swarm is no error.
    /// A manager leaves only with -Force (its leaving may cost the swarm its quorum; the last manager's ends the swarm).
    /// </summary>
    [Cmdlet(VerbsCommon.Exit, "ContainerSwarm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class ExitContainerSwarmCommand : ContainerToolsCmdlet
    {
        /// <summary>Leave even as a manager.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            if (!ShouldProcess(engine.Name, "Leave the swarm"))
            {
                return;
            }

            WriteVerbose($"Asking {engine.Name} to leave its swarm{(Force ? " (forced)" : string.Empty)}.");
            TryRun(engine.Name, () =>
            {
                if (!Await(ct => engine.Swarm.LeaveAsync(Force, ct)))
                {
                    WriteVerbose($"{engine.Name} is in no swarm; nothing to leave.");
                }
            });
        }
    }
}
