using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Swarm
{
    /// <summary>
    /// Initialize-ContainerSwarm [docker swarm init]: makes the engine the first manager of a new swarm. Idempotent: an engine
    /// that already manages a swarm is left as it is; one that is a worker of another swarm is a SwarmAlreadyJoined error.
    /// </summary>
    [Cmdlet(VerbsData.Initialize, "ContainerSwarm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerSwarm))]
    public sealed class InitializeContainerSwarmCommand : ContainerToolsCmdlet
    {
        /// <summary>The address (or interface name) the other nodes reach this engine at, optionally with a port.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? AdvertiseAddress { get; set; }

        /// <summary>Where the engine listens for the swarm (default 0.0.0.0:2377).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ListenAddress { get; set; }

        /// <summary>Start a new swarm from this manager's state, dropping the other managers (recovery after a lost quorum).</summary>
        [Parameter]
        public SwitchParameter ForceNewCluster { get; set; }

        /// <summary>Return the swarm (its id and join tokens).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            if (!ShouldProcess(engine.Name, ForceNewCluster ? "Initialize a swarm from this manager's state (force new cluster)" : "Initialize a swarm"))
            {
                return;
            }

            WriteVerbose($"Asking {engine.Name} to initialize a swarm{(AdvertiseAddress == null ? string.Empty : $" advertised at {AdvertiseAddress}")}.");
            TryRun(engine.Name, () =>
            {
                var created = Await(ct => engine.Swarm.InitializeAsync(AdvertiseAddress, ListenAddress, ForceNewCluster, ct));
                if (!created)
                {
                    WriteVerbose($"{engine.Name} is already a manager of a swarm; left as it is.");
                }

                if (PassThru)
                {
                    WriteObject(Await(ct => engine.Swarm.GetAsync(ct)));
                }
            });
        }
    }
}
