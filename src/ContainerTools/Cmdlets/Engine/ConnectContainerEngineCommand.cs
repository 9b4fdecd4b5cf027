using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Engine
{
    /// <summary>Connect-ContainerEngine: tests an engine and makes it the session's default.</summary>
    [Cmdlet(VerbsCommunications.Connect, "ContainerEngine", DefaultParameterSetName = ByUri, SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerEngineConnection))]
    public sealed class ConnectContainerEngineCommand : ContainerToolsCmdlet
    {
        private const string ByUri = "ByUri";
        private const string ByContext = "ByContext";
        private const string ByObject = "ByObject";
        private const string ByMachine = "ByMachine";

        /// <summary>The engine address: unix:///var/run/docker.sock, tcp://host:2376, npipe:////./pipe/docker_engine, or host:port.</summary>
        [Parameter(ParameterSetName = ByUri, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [Alias("Host")]
        public string Uri { get; set; } = string.Empty;

        /// <summary>A docker CLI context by name (docker context ls).</summary>
        [Parameter(ParameterSetName = ByContext, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.EngineCompleter))]
        public string Context { get; set; } = string.Empty;

        /// <summary>A machine by name (Get-ContainerMachine): its TLS endpoint, with its client certificate, the server verified against its CA.</summary>
        [Parameter(ParameterSetName = ByMachine, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.MachineNameCompleter))]
        public string Machine { get; set; } = string.Empty;

        /// <summary>A connection object, e.g. from an earlier Connect-ContainerEngine.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        public ContainerEngineConnection? InputObject { get; set; }

        /// <summary>A folder with ca.pem, cert.pem and key.pem (the docker CLI's layout): verified TLS with a client certificate.</summary>
        [Parameter(ParameterSetName = ByUri)]
        [ValidateNotNullOrEmpty]
        public string? TlsCertificatePath { get; set; }

        /// <summary>TLS without checking the server's certificate: loopback addresses only, unless -Force.</summary>
        [Parameter(ParameterSetName = ByUri)]
        public SwitchParameter SkipTlsVerify { get; set; }

        /// <summary>With -SkipTlsVerify: allow it for a non-loopback address.</summary>
        [Parameter(ParameterSetName = ByUri)]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            ContainerEngineConnection connection;
            try
            {
                connection = ParameterSetName switch
                {
                    ByContext => ContainerEngineConnection.FromArgument(Context),
                    ByObject => InputObject!,
                    ByMachine => ContainerTools.Engine.Machines.MachineManager.ForCurrentUser().RequireConnection(Machine),
                    _ => new ContainerEngineConnection(new EndpointResolver(EngineEnvironment.Current).FromAddress(
                        Uri, TlsCertificatePath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(TlsCertificatePath),
                        SkipTlsVerify, Force)),
                };
            }
            catch (ContainerEngineException e)
            {
                ThrowTerminatingError(ErrorMapping.ToErrorRecord(e, ParameterSetName == ByMachine ? Machine : Uri));
                return;
            }

            if (!ShouldProcess(connection.Address, "Set the session's default container engine"))
            {
                return;
            }

            WriteVerbose($"Connecting to {connection.Address} and negotiating the API version.");
            if (TryRun(connection.Address, () => Await(ct => connection.ConnectAsync(ct))))
            {
                SessionEngine.Set(connection);
                WriteObject(connection);
            }
        }
    }
}
