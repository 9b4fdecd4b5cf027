using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
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

        private readonly IDockerHandlerFactory _rawTransport;

        private EngineClient(EngineEndpoint endpoint, DockerClient docker, HttpClient http, IDockerHandlerFactory rawTransport, Version apiVersion,
            string serverVersion, string os, TlsHandshakeCheck? tls)
        {
            _rawTransport = rawTransport;
            Endpoint = endpoint;
            Tls = tls;
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

        /// <summary>How TLS handshakes with the engine went, to explain a failed one; null without TLS.</summary>
        internal TlsHandshakeCheck? Tls { get; }

        /// <summary>Connects, asks the engine its version and settles on the API version both sides speak.</summary>
        public static async Task<EngineClient> ConnectAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
        {
            var (auth, tls) = CreateAuthProvider(endpoint);
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
                    throw Unreachable(endpoint, e, timeout.IsCancellationRequested, tls, firstRequest: true);
                }
                catch (DockerApiException e) when (e.ResponseBody?.IndexOf("HTTP request to an HTTPS server", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    // What a TLS engine (Go's HTTP server) answers a plain HTTP request.
                    throw new EngineUnreachableException(endpoint.Address, "the engine there speaks TLS (HTTPS) and this connection is plain HTTP",
                        "Turn TLS on as for the docker CLI: DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH set to the folder of ca.pem, cert.pem and key.pem, a docker context with TLS files, or Connect-ContainerEngine -TlsCertificatePath.", e);
                }
                catch (DockerApiException e)
                {
                    throw Internal.EngineCall.Translate(e.StatusCode, Internal.EngineCall.ApiMessage(e.ResponseBody), "Engine", endpoint.Address, e);
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
            var (http, rawTransport) = CreateRawClient(uri, auth);
            return new EngineClient(endpoint, docker, http, rawTransport, negotiated, version.Version ?? "unknown", version.Os ?? "unknown", tls);
        }

        /// <summary>
        /// The raw connection under an upgraded response of <see cref="Http"/> (exec/attach with Upgrade: tcp), readable and
        /// writable, with a half-close (CloseWrite) so the process in the container sees the end of its stdin.
        /// </summary>
        public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) => _rawTransport.HijackStreamAsync(content);

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

        /// <param name="tls">How the TLS handshakes went, to explain a TLS failure.</param>
        /// <param name="firstRequest">True for the first request of a new client: a connection the engine closes unanswered right
        /// after the handshake is then the engine refusing the client certificate (as TLS 1.3 and .NET servers refuse).</param>
        internal static EngineUnreachableException Unreachable(EngineEndpoint endpoint, Exception e, bool timedOut, TlsHandshakeCheck? tls = null, bool firstRequest = false)
        {
            if (timedOut)
            {
                return new EngineUnreachableException(endpoint.Address, $"no answer within {ConnectTimeout.TotalSeconds:0} seconds", e);
            }

            var root = e;
            var handshakeFailed = false;
            while (root.InnerException != null)
            {
                handshakeFailed |= root is AuthenticationException;
                root = root.InnerException;
            }

            handshakeFailed |= root is AuthenticationException;
            if (tls != null && (handshakeFailed || tls.Rejection != null || (firstRequest && tls.Accepted)))
            {
                return TlsFailure(endpoint, tls, root, e, duringHandshake: handshakeFailed);
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
                : root is InvalidOperationException && e is HttpRequestException ? "the engine closed the connection without answering"
                : root.Message;
            if (root is SocketException sock && sock.SocketErrorCode == SocketError.AddressNotAvailable && endpoint.Scheme == "unix")
            {
                reason = "the socket file does not exist";
            }

            return new EngineUnreachableException(endpoint.Address, reason, e);
        }

        // A TLS failure, explained from what the certificate check saw: our refusal of the engine's certificate;
        // the engine's refusal of ours (the handshake broke, or the connection was closed unanswered, after the
        // engine's certificate passed); or a handshake that never got that far (no TLS there).
        private static EngineUnreachableException TlsFailure(EngineEndpoint endpoint, TlsHandshakeCheck tls, Exception root, Exception e, bool duringHandshake)
        {
            var folder = tls.Settings.Folder;
            var where = folder != null ? " in " + folder : string.Empty;
            if (tls.Rejection != null)
            {
                return new EngineUnreachableException(endpoint.Address,
                    "the TLS handshake failed: the engine's certificate did not pass the check: " + tls.Rejection,
                    $"Check that ca.pem{where} is the CA that issued the engine's certificate (dockerd --tlscert) and that the certificate names the host connected to.", e);
            }

            if (tls.Accepted)
            {
                var what = duringHandshake
                    ? "the TLS handshake failed: the engine refused"
                    : "the engine closed the connection right after the TLS handshake without answering, as an engine with --tlsverify does when it refuses";
                var reason = tls.ClientCertificate != null
                    ? $"{what} the client certificate ({tls.ClientCertificate.Subject}, issued by {tls.ClientCertificate.Issuer}, from {tls.Settings.ClientCertificatePath})"
                    : $"{what} a connection without a client certificate (there is no cert.pem and key.pem{where})";
                if (duringHandshake)
                {
                    reason += " (" + root.Message.Trim().TrimEnd('.') + ")";
                }

                return new EngineUnreachableException(endpoint.Address, reason,
                    $"The engine accepts client certificates issued by its own CA (dockerd --tlscacert): put such a cert.pem and key.pem{where}.", e);
            }

            return new EngineUnreachableException(endpoint.Address, "the TLS handshake failed (" + root.Message.Trim().TrimEnd('.') + ")",
                "Check that the engine at that address serves TLS (dockerd --tlsverify, usually on port 2376); an engine without TLS (port 2375) needs a connection without TLS.", e);
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

        private static (IAuthProvider Auth, TlsHandshakeCheck? Check) CreateAuthProvider(EngineEndpoint endpoint)
        {
            var tls = endpoint.Tls;
            if (tls == null)
            {
                return (NoopAuthProvider.Instance, null);
            }

            // As the docker CLI: a missing ca.pem means the system's CAs; cert.pem and key.pem come as a pair or not at all.
            if ((tls.ClientCertificatePath == null) != (tls.ClientKeyPath == null))
            {
                var present = tls.ClientCertificatePath ?? tls.ClientKeyPath!;
                var missing = tls.ClientCertificatePath == null ? "cert.pem" : "key.pem";
                throw TlsMaterialInvalid(endpoint, tls, $"{Path.GetFileName(present)} is there but {missing} is missing; the client certificate needs both", null);
            }

            X509Certificate2? clientCertificate = null;
            X509Certificate2Collection? authorities = null;
            try
            {
                if (tls.ClientCertificatePath != null && tls.ClientKeyPath != null)
                {
                    clientCertificate = TlsMaterial.LoadClientCertificate(tls.ClientCertificatePath, tls.ClientKeyPath);
                }

                if (tls.VerifyServer && tls.CaCertificatePath != null)
                {
                    authorities = TlsMaterial.LoadAuthorities(tls.CaCertificatePath);
                }
            }
            catch (TlsMaterialException e)
            {
                throw TlsMaterialInvalid(endpoint, tls, e.Message, e);
            }

            var check = new TlsHandshakeCheck(tls, authorities, clientCertificate);
            // A plain property in every build of the library (no init-only setter), so setting it directly is safe.
            var credentials = new CertificateCredentials(clientCertificate) { ServerCertificateValidationCallback = check.Validate };
            return (credentials, check);
        }

        private static ContainerEngineException TlsMaterialInvalid(EngineEndpoint endpoint, TlsSettings tls, string problem, Exception? inner)
        {
            var folder = tls.Folder;
            return new ContainerEngineException("EngineTlsMaterialInvalid", EngineErrorKind.InvalidArgument,
                $"The TLS files for {endpoint.Address}{(folder != null ? " in " + folder : string.Empty)} cannot be used: {problem}. " +
                "ContainerTools reads them as the docker CLI does: ca.pem (the CA that issued the engine's certificate), cert.pem and key.pem (the client certificate and its unencrypted private key), all PEM.",
                folder ?? endpoint.Address, inner);
        }

        // Keep-alive connections on a unix socket where the runtime allows it (see PooledUnixTransport).
        private static bool UsePooledUnixTransport(Uri uri) => uri.Scheme == "unix" && PooledUnixTransport.IsSupported;

        private static (HttpClient Http, IDockerHandlerFactory Transport) CreateRawClient(Uri uri, IAuthProvider auth)
        {
            IDockerHandlerFactory factory = uri.Scheme switch
            {
                "unix" when UsePooledUnixTransport(uri) => PooledUnixTransport.Factory.Instance,
                "unix" => global::Docker.DotNet.Unix.DockerHandlerFactory.Instance,
                "npipe" => global::Docker.DotNet.NPipe.DockerHandlerFactory.Instance,
                _ => global::Docker.DotNet.LegacyHttp.DockerHandlerFactory.Instance,
            };
            // ResolvedClientOptions is a record whose setters are init-only on net8+ builds of the library but
            // plain setters in its netstandard2.0 build; set them by reflection so either build works at run time.
            var options = new ResolvedClientOptions();
            SetProperty(options, nameof(ResolvedClientOptions.Endpoint), uri);
            SetProperty(options, nameof(ResolvedClientOptions.AuthProvider), auth);
            SetProperty(options, nameof(ResolvedClientOptions.Timeout), Timeout.InfiniteTimeSpan);
            SetProperty(options, nameof(ResolvedClientOptions.Headers), new Dictionary<string, string>());
            var transport = factory.CreateHandler(options, NullLogger.Instance);
            var handler = auth.ConfigureHandler(transport.Handler);
            var baseUri = transport.EffectiveEndpoint;
            if (uri.Scheme == "tcp")
            {
                baseUri = new UriBuilder(baseUri) { Scheme = auth.TlsEnabled ? "https" : "http" }.Uri;
            }

            return (new HttpClient(handler, disposeHandler: true) { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan }, factory);
        }

        private static void SetProperty(object target, string name, object value) =>
            target.GetType().GetProperty(name)!.SetValue(target, value);

        internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }
}
