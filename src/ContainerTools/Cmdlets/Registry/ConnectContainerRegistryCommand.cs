using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Registry
{
    /// <summary>
    /// Connect-ContainerRegistry [docker login]: the engine checks the credentials with the registry; only then are
    /// they stored where the docker CLI reads them (config.json 'auths' or the configured credential helper).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "ContainerRegistry", SupportsShouldProcess = true)]
    [OutputType(typeof(RegistryLogin))]
    public sealed class ConnectContainerRegistryCommand : ContainerToolsCmdlet
    {
        /// <summary>The registry host[:port]; Docker Hub (docker.io) when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Server")]
        public string Registry { get; set; } = "docker.io";

        /// <summary>User name and password (or access token).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [Credential]
        [ValidateNotNull]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        protected override void ProcessRecord()
        {
            if (!ShouldProcess(Registry, $"Log in as '{Credential.UserName}' and store the credentials"))
            {
                return;
            }

            var engine = ResolveEngine();
            var credential = RegistryCredentialParameter.From(Credential)!;
            WriteVerbose($"Asking {engine.Name} to log in to {Registry} as '{credential.Username}'.");
            TryRun(Registry, () => WriteObject(Await(ct => engine.Registries.LoginAsync(Registry, credential, ct))));
        }
    }
}
