using System;
using System.IO;

namespace ContainerTools.Engine.Connection
{
    /// <summary>Where an endpoint came from, in the order ContainerTools looks.</summary>
    public enum EndpointSource
    {
        Parameter,
        SessionDefault,
        Environment,
        Context,
        PlatformDefault,
    }

    /// <summary>TLS material laid out as the docker CLI lays it out (ca.pem, cert.pem, key.pem).</summary>
    public sealed class TlsSettings
    {
        public TlsSettings(string? caCertificatePath, string? clientCertificatePath, string? clientKeyPath, bool verifyServer)
            : this(caCertificatePath, clientCertificatePath, clientKeyPath, verifyServer, null)
        {
        }

        /// <param name="certificateDirectory">The folder the files were looked for in (DOCKER_CERT_PATH, a context's TLS folder, -TlsCertificatePath).</param>
        public TlsSettings(string? caCertificatePath, string? clientCertificatePath, string? clientKeyPath, bool verifyServer, string? certificateDirectory)
        {
            CaCertificatePath = caCertificatePath;
            ClientCertificatePath = clientCertificatePath;
            ClientKeyPath = clientKeyPath;
            VerifyServer = verifyServer;
            CertificateDirectory = certificateDirectory;
        }

        public string? CaCertificatePath { get; }

        public string? ClientCertificatePath { get; }

        public string? ClientKeyPath { get; }

        public bool VerifyServer { get; }

        /// <summary>The folder the files were looked for in, when there was one; a missing file's path is null.</summary>
        public string? CertificateDirectory { get; }

        /// <summary>The folder to name in messages: the one looked in, else the folder of the first file given.</summary>
        internal string? Folder
        {
            get
            {
                if (CertificateDirectory != null)
                {
                    return CertificateDirectory;
                }

                var file = CaCertificatePath ?? ClientCertificatePath ?? ClientKeyPath;
                return file == null ? null : Path.GetDirectoryName(Path.GetFullPath(file));
            }
        }

        internal string Key => $"{CaCertificatePath}|{ClientCertificatePath}|{ClientKeyPath}|{VerifyServer}";
    }

    /// <summary>A resolved engine address: scheme unix, npipe or tcp, plus TLS when it applies.</summary>
    public sealed class EngineEndpoint
    {
        /// <param name="address">An address as DockerHostParser.Parse returns it (tcp://h:2375, unix:///p, npipe:////./pipe/x).</param>
        public EngineEndpoint(string address, EndpointSource source, TlsSettings? tls = null, string? contextName = null)
        {
            Address = address ?? throw new ArgumentNullException(nameof(address));
            Source = source;
            Tls = tls;
            ContextName = contextName;
        }

        public EndpointSource Source { get; }

        public TlsSettings? Tls { get; }

        public string? ContextName { get; }

        /// <summary>The address as a docker user writes it (unix:///var/run/docker.sock, tcp://host:2376).</summary>
        public string Address { get; }

        public string Scheme => Address.Substring(0, Address.IndexOf("://", StringComparison.Ordinal));

        /// <summary>Two endpoints with the same key reach the same engine the same way and share one client.</summary>
        internal string Key => Address + "|" + (Tls?.Key ?? "plain");

        public override string ToString() => Address;
    }
}
