using System;
using System.IO;
using System.Linq;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// Turns what the user said (or did not say) into one engine endpoint, in the order of ARCHITECTURE.md:
    /// -Engine, the session default (the caller's business), then as the docker CLI does: DOCKER_CONTEXT,
    /// DOCKER_HOST (with DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH), config.json's currentContext,
    /// and the platform default.
    /// </summary>
    public sealed class EndpointResolver
    {
        private readonly EngineEnvironment _environment;
        private readonly DockerContextStore _contexts;

        public EndpointResolver(EngineEnvironment environment)
        {
            _environment = environment;
            _contexts = new DockerContextStore(environment);
        }

        public DockerContextStore Contexts => _contexts;

        /// <summary>Resolves a user's -Engine value: an engine address or a docker context name.</summary>
        public EngineEndpoint ResolveArgument(string engine)
        {
            var value = (engine ?? string.Empty).Trim();
            if (value.Length == 0)
            {
                throw new InvalidSpecException("InvalidEngineAddress", "The engine name or address is empty. Give a docker context name or an address such as unix:///var/run/docker.sock or tcp://host:2376.");
            }

            if (value.Contains("://") || value.StartsWith("/", StringComparison.Ordinal) || value.StartsWith("./", StringComparison.Ordinal))
            {
                return FromHost(value, EndpointSource.Parameter);
            }

            if (string.Equals(value, DockerContextStore.DefaultContextName, StringComparison.Ordinal))
            {
                return DefaultContext(EndpointSource.Parameter);
            }

            var context = _contexts.Find(value);
            if (context != null)
            {
                return FromContext(context, EndpointSource.Parameter);
            }

            if (value.Contains(":"))
            {
                return FromHost(value, EndpointSource.Parameter);
            }

            var known = string.Join(", ", new[] { DockerContextStore.DefaultContextName }.Concat(_contexts.List().Select(c => c.Name)));
            throw new ContainerEngineException("EngineContextNotFound", EngineErrorKind.NotFound,
                $"'{value}' is neither a docker context nor an engine address. Known contexts: {known}. Give an address such as tcp://{value}:2376 or unix:///var/run/docker.sock.",
                value);
        }

        /// <summary>
        /// An explicit address with explicit TLS choices (Connect-ContainerEngine): a folder of ca.pem/cert.pem/key.pem
        /// turns on verified TLS; skipVerify turns on TLS without checking the server, allowed on loopback only
        /// unless allowRemoteSkipVerify.
        /// </summary>
        public EngineEndpoint FromAddress(string address, string? tlsCertificatePath, bool skipVerify, bool allowRemoteSkipVerify)
        {
            var parsed = DockerHostParser.Parse(address);
            if (tlsCertificatePath == null && !skipVerify)
            {
                return FromHost(address, EndpointSource.Parameter);
            }

            if (!parsed.StartsWith("tcp://", StringComparison.Ordinal))
            {
                throw new InvalidSpecException("TlsNeedsTcp", $"TLS options apply to tcp:// engines only; '{parsed}' is a local socket. Drop -TlsCertificatePath and -SkipTlsVerify.", address);
            }

            if (tlsCertificatePath != null && !Directory.Exists(tlsCertificatePath))
            {
                throw new InvalidSpecException("TlsCertificatePathNotFound",
                    $"The TLS certificate folder '{tlsCertificatePath}' does not exist. It must hold ca.pem, cert.pem and key.pem as the docker CLI lays them out.", tlsCertificatePath);
            }

            if (tlsCertificatePath != null && !new[] { "ca.pem", "cert.pem", "key.pem" }.Any(f => File.Exists(Path.Combine(tlsCertificatePath, f))))
            {
                throw new ContainerEngineException("EngineTlsMaterialInvalid", EngineErrorKind.InvalidArgument,
                    $"The TLS certificate folder '{tlsCertificatePath}' holds none of ca.pem, cert.pem and key.pem. Put the engine's CA (ca.pem) and the client certificate and key (cert.pem, key.pem) there, as the docker CLI lays them out.",
                    tlsCertificatePath);
            }

            if (skipVerify && !allowRemoteSkipVerify && !IsLoopback(parsed))
            {
                throw new InvalidSpecException("SkipTlsVerifyNotLoopback",
                    $"-SkipTlsVerify turns off the check that {parsed} is the engine you meant; it is allowed for loopback addresses only. Use -TlsCertificatePath with the engine's CA, or add -Force to accept the risk.", address);
            }

            return new EngineEndpoint(parsed, EndpointSource.Parameter, TlsFromDirectory(tlsCertificatePath, verify: !skipVerify));
        }

        /// <summary>True for tcp://localhost, 127.0.0.0/8 and [::1] addresses.</summary>
        public static bool IsLoopback(string address)
        {
            var hostPort = address.StartsWith("tcp://", StringComparison.Ordinal) ? address.Substring(6) : address;
            var slash = hostPort.IndexOf('/');
            if (slash >= 0)
            {
                hostPort = hostPort.Substring(0, slash);
            }

            string host;
            if (hostPort.StartsWith("[", StringComparison.Ordinal))
            {
                host = hostPort.Substring(1, hostPort.IndexOf(']') - 1);
            }
            else
            {
                var colon = hostPort.LastIndexOf(':');
                host = colon < 0 ? hostPort : hostPort.Substring(0, colon);
            }

            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            return System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip);
        }

        /// <summary>Resolves the endpoint when the user named none, as the docker CLI would.</summary>
        public EngineEndpoint ResolveDefault()
        {
            var contextName = _contexts.ExplicitContextName;
            if (contextName == null && _environment.Variable("DOCKER_HOST") == null)
            {
                contextName = _contexts.ConfiguredCurrentContextName;
            }

            if (contextName != null && contextName != DockerContextStore.DefaultContextName)
            {
                var context = _contexts.Find(contextName)
                    ?? throw new ContainerEngineException("EngineContextNotFound", EngineErrorKind.NotFound,
                        $"The current docker context '{contextName}' (from {(_contexts.ExplicitContextName != null ? "DOCKER_CONTEXT" : "config.json")}) does not exist. Run 'docker context ls' to see the contexts, or unset it.",
                        contextName);
                return FromContext(context, EndpointSource.Context);
            }

            return DefaultContext(EndpointSource.Environment);
        }

        // The implicit "default" context: DOCKER_HOST, else the platform default.
        private EngineEndpoint DefaultContext(EndpointSource sourceWhenHostSet)
        {
            var host = _environment.Variable("DOCKER_HOST");
            if (host != null)
            {
                return FromHost(host, sourceWhenHostSet == EndpointSource.Parameter ? EndpointSource.Parameter : EndpointSource.Environment);
            }

            return new EngineEndpoint(DockerHostParser.PlatformDefault(_environment.IsWindows),
                sourceWhenHostSet == EndpointSource.Parameter ? EndpointSource.Parameter : EndpointSource.PlatformDefault);
        }

        private EngineEndpoint FromHost(string host, EndpointSource source)
        {
            var address = DockerHostParser.Parse(host);
            return new EngineEndpoint(address, source, address.StartsWith("tcp://", StringComparison.Ordinal) ? TlsFromEnvironment() : null);
        }

        private EngineEndpoint FromContext(DockerContext context, EndpointSource source)
        {
            var address = DockerHostParser.Parse(context.Host);
            TlsSettings? tls = null;
            if (address.StartsWith("tcp://", StringComparison.Ordinal) && (context.TlsDirectory != null || context.SkipTlsVerify))
            {
                tls = TlsFromDirectory(context.TlsDirectory, verify: !context.SkipTlsVerify);
            }

            return new EngineEndpoint(address, source, tls, context.Name);
        }

        // As the CLI: DOCKER_TLS_VERIFY (any non-empty value) turns on verified TLS, DOCKER_TLS unverified TLS.
        private TlsSettings? TlsFromEnvironment()
        {
            var verify = _environment.Variable("DOCKER_TLS_VERIFY") != null;
            var tls = verify || _environment.Variable("DOCKER_TLS") != null;
            if (!tls)
            {
                return null;
            }

            var certPath = _environment.Variable("DOCKER_CERT_PATH") ?? _environment.DockerConfigDirectory;
            return TlsFromDirectory(certPath, verify);
        }

        private static TlsSettings TlsFromDirectory(string? directory, bool verify)
        {
            string? Existing(string file)
            {
                if (directory == null)
                {
                    return null;
                }

                var path = Path.Combine(directory, file);
                return File.Exists(path) ? path : null;
            }

            return new TlsSettings(Existing("ca.pem"), Existing("cert.pem"), Existing("key.pem"), verify, directory);
        }
    }
}
