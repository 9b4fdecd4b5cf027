using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>
    /// A TLS engine endpoint on 127.0.0.1: it does what dockerd --tlsverify does at the TLS level (its
    /// certificate, a client certificate required and checked against its CA, a 400 answer to plain HTTP)
    /// and relays every accepted connection byte for byte to the real test engine's unix socket, so a real
    /// engine answers behind real TLS.
    /// </summary>
    public sealed class TlsEngineRelay : IDisposable
    {
        private static readonly Oid ClientAuthentication = new Oid("1.3.6.1.5.5.7.3.2");

        private readonly TcpListener _listener;
        private readonly X509Certificate2 _serverCertificate;
        private readonly X509Certificate2? _clientAuthority;
        private readonly string _engineSocket;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentDictionary<Socket, bool> _open = new ConcurrentDictionary<Socket, bool>();
        private readonly Task _acceptLoop;
        private int _accepted;
        private int _handshakes;
        private long _bytesToEngine;

        /// <param name="clientAuthority">The CA client certificates must be issued by; null: no client certificate is asked for.</param>
        public TlsEngineRelay(X509Certificate2 serverCertificate, X509Certificate2? clientAuthority)
        {
            _serverCertificate = serverCertificate;
            _clientAuthority = clientAuthority;
            _engineSocket = TestEngine.Host.StartsWith("unix://", StringComparison.Ordinal)
                ? TestEngine.Host.Substring("unix://".Length)
                : throw new InvalidOperationException("The TLS relay needs the test engine on a unix socket, not " + TestEngine.Host);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _acceptLoop = Task.Run(AcceptLoop);
        }

        public int Port { get; }

        /// <summary>The address as a docker user writes it.</summary>
        public string Address => $"tcp://127.0.0.1:{Port}";

        /// <summary>TCP connections accepted (handshake or not).</summary>
        public int Accepted => Volatile.Read(ref _accepted);

        /// <summary>TLS handshakes that succeeded (each then relayed to the engine).</summary>
        public int Handshakes => Volatile.Read(ref _handshakes);

        /// <summary>Bytes clients sent through to the engine (requests); none when a client gave up after the handshake.</summary>
        public long BytesToEngine => Interlocked.Read(ref _bytesToEngine);

        /// <summary>Why the relay refused clients, e.g. "no client certificate".</summary>
        public ConcurrentQueue<string> Refusals { get; } = new ConcurrentQueue<string>();

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                Interlocked.Increment(ref _accepted);
                _open[client] = true;
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(Socket client)
        {
            Socket? upstream = null;
            try
            {
                using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                handshakeTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                var first = new byte[1];
                if (await client.ReceiveAsync(first, SocketFlags.Peek, handshakeTimeout.Token).ConfigureAwait(false) == 0)
                {
                    return;
                }

                if (first[0] != 0x16)
                {
                    // Not a TLS handshake record: answer as Go's HTTPS server (dockerd) does.
                    Refusals.Enqueue("plain HTTP");
                    await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"), SocketFlags.None).ConfigureAwait(false);
                    client.Shutdown(SocketShutdown.Both);
                    return;
                }

                using var tls = new SslStream(new NetworkStream(client, ownsSocket: false));
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _serverCertificate,
                    ClientCertificateRequired = _clientAuthority != null,
                    RemoteCertificateValidationCallback = ValidateClient,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, handshakeTimeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _handshakes);

                upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                _open[upstream] = true;
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_engineSocket), _stop.Token).ConfigureAwait(false);
                using var engine = new NetworkStream(upstream, ownsSocket: false);
                var toEngine = Task.Run(async () =>
                {
                    var buffer = new byte[64 * 1024];
                    int n;
                    while ((n = await tls.ReadAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
                    {
                        Interlocked.Add(ref _bytesToEngine, n);
                        await engine.WriteAsync(buffer.AsMemory(0, n), _stop.Token).ConfigureAwait(false);
                    }

                    upstream.Shutdown(SocketShutdown.Send); // the client is done sending: tell the engine
                });
                await engine.CopyToAsync(tls, _stop.Token).ConfigureAwait(false);
                await tls.FlushAsync().ConfigureAwait(false);
                _ = toEngine.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException ||
                                      e is System.Security.Authentication.AuthenticationException || e is ObjectDisposedException)
            {
                // A refused handshake or a closed connection: the refusal reason is recorded by ValidateClient.
            }
            finally
            {
                Close(upstream);
                Close(client);
            }
        }

        private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (_clientAuthority == null)
            {
                return true;
            }

            if (certificate == null)
            {
                Refusals.Enqueue("no client certificate");
                return false;
            }

            using var client = new X509Certificate2(certificate);
            using var own = new X509Chain();
            own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            own.ChainPolicy.CustomTrustStore.Add(_clientAuthority);
            own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            own.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
            if (!own.Build(client))
            {
                Refusals.Enqueue($"client certificate {client.Subject} not issued by {_clientAuthority.Subject}");
                return false;
            }

            return true;
        }

        private void Close(Socket? socket)
        {
            if (socket == null)
            {
                return;
            }

            _open.TryRemove(socket, out _);
            socket.Dispose();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var socket in _open.Keys)
            {
                Close(socket);
            }

            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }
    }
}
