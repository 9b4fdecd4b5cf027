using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.X509;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// One live, negotiated connection to an engine: a Docker.DotNet client for typed calls and a raw
    /// HTTP client (same transport) for streams and query options the library lacks. Shared by every
    /// ContainerEngineConnection that resolves to the same endpoint.
    /// </summary>
    internal sealed class EngineClient : IDisposable
    {
        /// <summary>Engines older than Docker 20.10 are not supported.</summary>
        public static readonly Version MinimumApiVersion = new Version(1, 41);

        /// <summary>The newest API the library's models describe; newer engines are spoken to at this version.</summary>
        public static readonly Version MaximumApiVersion = new Version(1, 52);

        /// <summary>How long connecting and the first version call may take before the engine counts as unreachable.</summary>
        public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

        private EngineClient(EngineEndpoint endpoint, DockerClient docker, HttpClient http, Version apiVersion, string serverVersion, string os)
        {
            Endpoint = endpoint;
            Docker = docker;
            Http = http;
            ApiVersion = apiVersion;
            ServerVersion = serverVersion;
            OperatingSystem = os;
        }

        public EngineEndpoint Endpoint { get; }

        public DockerClient Docker { get; }

        public HttpClient Http { get; }

        public Version ApiVersion { get; }

        public string ServerVersion { get; }

        public string OperatingSystem { get; }

        /// <summary>Connects, asks the engine its version and settles on the API version both sides speak.</summary>
        public static async Task<EngineClient> ConnectAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
        {
            var auth = CreateAuthProvider(endpoint);
            var uri = ToLibraryUri(endpoint);

            // An unversioned client for the one call that tells us what the engine speaks.
            using var probe = new DockerClientBuilder().WithEndpoint(uri).WithAuthProvider(auth).WithTimeout(Timeout.InfiniteTimeSpan).Build();
            Docker.DotNet.Models.VersionResponse version;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(ConnectTimeout);
                try
                {
                    version = await probe.System.GetVersionAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsConnectionFailure(e, timeout.IsCancellationRequested))
                {
                    throw Unreachable(endpoint, e, timeout.IsCancellationRequested);
                }
            }

            var serverApi = ParseVersion(version.APIVersion) ?? MinimumApiVersion;
            if (serverApi < MinimumApiVersion)
            {
                throw new ContainerEngineException("EngineTooOld", EngineErrorKind.NotSupported,
                    $"The engine at {endpoint.Address} speaks API {version.APIVersion} (Docker {version.Version}); ContainerTools needs API {MinimumApiVersion} (Docker 20.10) or newer. Upgrade the engine.",
                    endpoint.Address);
            }

            var negotiated = serverApi < MaximumApiVersion ? serverApi : MaximumApiVersion;
            var builder = new DockerClientBuilder().WithEndpoint(uri).WithAuthProvider(auth).WithApiVersion(negotiated)
                .WithTimeout(Timeout.InfiniteTimeSpan);
            var docker = UsePooledUnixTransport(uri)
                ? builder.WithTransportOptions(PooledUnixTransport.Factory.Instance, new PooledUnixTransport.Options()).Build()
                : builder.Build();
            var http = CreateRawClient(uri, auth);
            return new EngineClient(endpoint, docker, http, negotiated, version.Version ?? "unknown", version.Os ?? "unknown");
        }

        /// <summary>A request path with the negotiated version prefix, e.g. /v1.41/containers/json.</summary>
        public string ApiPath(string pathAndQuery) =>
            "/v" + ApiVersion.ToString(2) + (pathAndQuery.StartsWith("/", StringComparison.Ordinal) ? pathAndQuery : "/" + pathAndQuery);

        public void Dispose()
        {
            Docker.Dispose();
            Http.Dispose();
        }

        internal static bool IsConnectionFailure(Exception e, bool timedOut)
        {
            if (timedOut && e is OperationCanceledException)
            {
                return true;
            }

            for (var inner = e; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException || inner is HttpRequestException || inner is IOException ||
                    inner is AuthenticationException || inner is TimeoutException)
                {
                    return true;
                }
            }

            return false;
        }

        internal static EngineUnreachableException Unreachable(EngineEndpoint endpoint, Exception e, bool timedOut)
        {
            if (timedOut)
            {
                return new EngineUnreachableException(endpoint.Address, $"no answer within {ConnectTimeout.TotalSeconds:0} seconds", e);
            }

            var root = e;
            while (root.InnerException != null)
            {
                root = root.InnerException;
            }

            var reason = root is SocketException se
                ? se.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "the connection was refused (no engine listens there)",
                    SocketError.AddressNotAvailable => "the socket does not exist",
                    SocketError.AccessDenied => "access to the socket was denied (run as a user in the 'docker' group, or as root)",
                    SocketError.HostNotFound => "the host name could not be resolved",
                    _ => root.Message,
                }
                : root is AuthenticationException ? "the TLS handshake failed (" + root.Message + "); check the certificates"
                : root.Message;
            if (root is SocketException sock && sock.SocketErrorCode == SocketError.AddressNotAvailable && endpoint.Scheme == "unix")
            {
                reason = "the socket file does not exist";
            }

            return new EngineUnreachableException(endpoint.Address, reason, e);
        }

        private static Version? ParseVersion(string? text) =>
            Version.TryParse(text, out var v) ? v : null;

        // Docker.DotNet wants npipe://./pipe/name (docker writes npipe:////./pipe/name).
        private static Uri ToLibraryUri(EngineEndpoint endpoint)
        {
            var address = endpoint.Address;
            if (endpoint.Scheme == "npipe")
            {
                var path = address.Substring("npipe://".Length).TrimStart('/');
                return new Uri("npipe://" + path);
            }

            return new Uri(address);
        }

        private static IAuthProvider CreateAuthProvider(EngineEndpoint endpoint)
        {
            var tls = endpoint.Tls;
            if (tls == null)
            {
                return NoopAuthProvider.Instance;
            }

            try
            {
                var clientCert = tls.ClientCertificatePath != null && tls.ClientKeyPath != null
                    ? DockerTlsCertificates.LoadCertificateFromPemFiles(tls.ClientCertificatePath, tls.ClientKeyPath)
                    : null;
                var credentials = new CertificateCredentials(clientCert!);
                if (!tls.VerifyServer)
                {
                    credentials.ServerCertificateValidationCallback = (_, _, _, _) => true;
                }
                else if (tls.CaCertificatePath != null)
                {
                    var ca = DockerTlsCertificates.LoadCertificateAuthorityFromPemFile(tls.CaCertificatePath);
                    credentials.ServerCertificateValidationCallback = DockerTlsCertificates.CreateCertificateAuthorityValidationCallback(ca);
                }

                return credentials;
            }
            catch (Exception e) when (e is IOException || e is System.Security.Cryptography.CryptographicException || e is UnauthorizedAccessException)
            {
                throw new ContainerEngineException("EngineTlsMaterialInvalid", EngineErrorKind.InvalidArgument,
                    $"The TLS files for {endpoint.Address} could not be loaded ({e.Message}). Check ca.pem, cert.pem and key.pem in {Path.GetDirectoryName(tls.ClientCertificatePath ?? tls.CaCertificatePath ?? ".")}.",
                    endpoint.Address, e);
            }
        }

        // Keep-alive connections on a unix socket where the runtime allows it (see PooledUnixTransport).
        private static bool UsePooledUnixTransport(Uri uri) => uri.Scheme == "unix" && PooledUnixTransport.IsSupported;

        private static HttpClient CreateRawClient(Uri uri, IAuthProvider auth)
        {
            IDockerHandlerFactory factory = uri.Scheme switch
            {
                "unix" when UsePooledUnixTransport(uri) => PooledUnixTransport.Factory.Instance,
                "unix" => global::Docker.DotNet.Unix.DockerHandlerFactory.Instance,
                "npipe" => global::Docker.DotNet.NPipe.DockerHandlerFactory.Instance,
                _ => global::Docker.DotNet.LegacyHttp.DockerHandlerFactory.Instance,
            };
            var options = new ResolvedClientOptions
            {
                Endpoint = uri,
                AuthProvider = auth,
                Timeout = Timeout.InfiniteTimeSpan,
                Headers = new Dictionary<string, string>(),
            };
            var transport = factory.CreateHandler(options, NullLogger.Instance);
            var handler = auth.ConfigureHandler(transport.Handler);
            var baseUri = transport.EffectiveEndpoint;
            if (uri.Scheme == "tcp")
            {
                baseUri = new UriBuilder(baseUri) { Scheme = auth.TlsEnabled ? "https" : "http" }.Uri;
            }

            return new HttpClient(handler, disposeHandler: true) { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        }

        internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }
}
