using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Swarm
{
    /// <summary>
    /// Join-ContainerSwarm [docker swarm join]: joins the engine to a swarm, with a token and a manager's address, or with the
    /// manager's engine (-Manager), which gives both. Idempotent: an engine already in that swarm is left as it is.
    /// </summary>
    [Cmdlet(VerbsCommon.Join, "ContainerSwarm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ByToken)]
    [OutputType(typeof(void))]
    public sealed class JoinContainerSwarmCommand : ContainerToolsCmdlet
    {
        private const string ByToken = "ByToken";
        private const string ByManager = "ByManager";

        /// <summary>The swarm's join token (Worker or Manager: the token decides the role).</summary>
        [Parameter(ParameterSetName = ByToken, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Token { get; set; } = string.Empty;

        /// <summary>A manager's address, host or host:port (2377 when none).</summary>
        [Parameter(ParameterSetName = ByToken, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] RemoteAddress { get; set; } = System.Array.Empty<string>();

        /// <summary>A manager of the swarm (a connection, address, context name or machine): the token and address are taken from it.</summary>
        [Parameter(ParameterSetName = ByManager, Mandatory = true)]
        [EngineTransformation]
        [ArgumentCompleter(typeof(Completion.EngineCompleter))]
        public ContainerEngineConnection? Manager { get; set; }

        /// <summary>With -Manager: join as a Worker (the default) or a Manager.</summary>
        [Parameter(ParameterSetName = ByManager)]
        public SwarmNodeRole Role { get; set; } = SwarmNodeRole.Worker;

        /// <summary>The address (or interface name) the other nodes reach this engine at.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AdvertiseAddress { get; set; }

        /// <summary>Where the engine listens for the swarm (default 0.0.0.0:2377).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ListenAddress { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            TryRun(engine.Name, () =>
            {
                var token = Token;
                var remotes = RemoteAddress.ToList();
                if (Manager != null)
                {
                    WriteVerbose($"Reading the join token and the managers' addresses from {Manager.Name}.");
                    var swarm = Await(ct => Manager.Swarm.GetAsync(ct));
                    token = Role == SwarmNodeRole.Manager ? swarm.JoinTokens.Manager : swarm.JoinTokens.Worker;
                    remotes = swarm.ManagerAddresses.ToList();
                }

                var target = string.Join(", ", remotes);
                if (!ShouldProcess(engine.Name, $"Join the swarm at {target}"))
                {
                    return;
                }

                WriteVerbose($"Asking {engine.Name} to join the swarm at {target}.");
                if (!Await(ct => engine.Swarm.JoinAsync(remotes, token, AdvertiseAddress, ListenAddress, ct)))
                {
                    WriteVerbose($"{engine.Name} is already in the swarm at {target}; left as it is.");
                }
            });
        }
    }
}
