using System;
using System.IO;
using System.Linq;
using System.Linq.Expressions;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Handler.Abstractions;
using Microsoft.Extensions.Logging;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// Keep-alive connections to a unix-socket engine. Docker.DotNet's own unix transport (ManagedHandler) opens a
    /// new socket for every request and closes it after the response; on a loop of small calls (a script asking
    /// for one container at a time) that connect-and-teardown is a large share of each call. Where the runtime has
    /// SocketsHttpHandler with ConnectCallback (.NET 5 and newer, i.e. PowerShell 7), requests go through one of
    /// those instead, connecting to the socket: sequential calls reuse one pooled connection, concurrent calls get
    /// their own. Elsewhere (Windows PowerShell 5.1 on .NET Framework) nothing changes: the library's transport is used.
    /// Requests that upgrade the connection (attach/exec hijacking) still go through the library's transport, so
    /// that its stream hijacker works on them exactly as before.
    /// A side effect: a request waiting for its response now ends when its token is cancelled. The library's
    /// transport did not watch the token while waiting, so e.g. Wait-Container -Timeout (or Ctrl+C) on a container
    /// that keeps running waited until the container exited.
    /// </summary>
    internal static class PooledUnixTransport
    {
        /// <summary>An idle pooled connection is closed after this long.</summary>
        internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

        private static readonly Type? SocketsHandlerType = Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false);
        private static readonly PropertyInfo? ConnectCallbackProperty = SocketsHandlerType?.GetProperty("ConnectCallback");
        private static readonly Type? UnixEndPointType = Type.GetType("System.Net.Sockets.UnixDomainSocketEndPoint, System.Net.Sockets", throwOnError: false);

        /// <summary>True when this runtime can pool unix-socket connections (SocketsHttpHandler.ConnectCallback and UnixDomainSocketEndPoint exist).</summary>
        public static bool IsSupported => ConnectCallbackProperty != null && UnixEndPointType != null;

        /// <summary>A pooled handler for the unix socket at socketPath. Only call when IsSupported.</summary>
        public static HttpMessageHandler CreatePooledHandler(string socketPath)
        {
            var handler = (HttpMessageHandler)Activator.CreateInstance(SocketsHandlerType!)!;
            void Set(string property, object value) => SocketsHandlerType!.GetProperty(property)?.SetValue(handler, value);

            // As the library's transport: no proxy (HTTP_PROXY must never apply to a local socket), no redirects, no cookies.
            Set("UseProxy", false);
            Set("AllowAutoRedirect", false);
            Set("UseCookies", false);
            Set("PooledConnectionIdleTimeout", IdleTimeout);

            // ConnectCallback is Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>: types this
            // netstandard2.0 library cannot name, so the delegate is built as an expression over a Task-returning method.
            var callbackType = ConnectCallbackProperty!.PropertyType;
            var types = callbackType.GetGenericArguments();
            var context = Expression.Parameter(types[0], "context");
            var token = Expression.Parameter(types[1], "cancellationToken");
            var connect = Expression.Call(typeof(PooledUnixTransport).GetMethod(nameof(ConnectAsync), BindingFlags.NonPublic | BindingFlags.Static)!,
                Expression.Constant(socketPath), token);
            var asValueTask = Expression.New(types[2].GetConstructor(new[] { typeof(Task<Stream>) })!, connect);
            ConnectCallbackProperty.SetValue(handler, Expression.Lambda(callbackType, asValueTask, context, token).Compile());
            return handler;
        }

        private static async Task<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
        {
            var endPoint = (EndPoint)Activator.CreateInstance(UnixEndPointType!, socketPath)!;
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                using (cancellationToken.Register(() => socket.Dispose()))
                {
                    await socket.ConnectAsync(endPoint).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new OperationCanceledException(cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>Options for <see cref="Factory"/>: nothing to set.</summary>
        internal sealed class Options
        {
        }

        /// <summary>Gives Docker.DotNet the pooled handler (upgrade requests routed to its own transport) and its own stream hijacker.</summary>
        internal sealed class Factory : IDockerHandlerFactory<Options>
        {
            private static readonly IDockerHandlerFactory<global::Docker.DotNet.Unix.UnixSocketTransportOptions> Library =
                global::Docker.DotNet.Unix.DockerHandlerFactory.Instance;

            public static Factory Instance { get; } = new Factory();

            public ResolvedTransport CreateHandler(ResolvedClientOptions clientOptions, ILogger logger) =>
                CreateHandler(new Options(), clientOptions, logger);

            public ResolvedTransport CreateHandler(Options transportOptions, ResolvedClientOptions clientOptions, ILogger logger)
            {
                // The library's transport decides the base address (http://<socket file name>/) and serves upgrades.
                var library = Library.CreateHandler(clientOptions, logger);
                var pooled = CreatePooledHandler(clientOptions.Endpoint.LocalPath);
                return new ResolvedTransport(new UpgradeRouter(pooled, library.Handler), library.EffectiveEndpoint);
            }

            public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) => Library.HijackStreamAsync(content);
        }

        /// <summary>Plain requests to the pooled handler; connection upgrades (hijacked streams) to the library's handler.</summary>
        private sealed class UpgradeRouter : HttpMessageHandler
        {
            private readonly HttpMessageInvoker _pooled;
            private readonly HttpMessageInvoker _upgrades;

            public UpgradeRouter(HttpMessageHandler pooled, HttpMessageHandler upgrades)
            {
                _pooled = new HttpMessageInvoker(pooled, disposeHandler: true);
                _upgrades = new HttpMessageInvoker(upgrades, disposeHandler: true);
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                (IsUpgrade(request) ? _upgrades : _pooled).SendAsync(request, cancellationToken);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _pooled.Dispose();
                    _upgrades.Dispose();
                }

                base.Dispose(disposing);
            }

            private static bool IsUpgrade(HttpRequestMessage request) =>
                request.Headers.Upgrade.Count > 0 ||
                request.Headers.Connection.Any(c => string.Equals(c, "Upgrade", StringComparison.OrdinalIgnoreCase));
        }
    }
}
