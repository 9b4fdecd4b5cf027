using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>
    /// A unix-socket engine address of the test's own that relays every connection byte for byte to the real test
    /// engine, and keeps a ledger: each connection, the request lines sent on it, and whether the client has closed
    /// it. A test that points -Engine here can tell whether a cancelled streaming request really let go of its
    /// connection, whatever other tests do with the shared engine at the same time.
    /// </summary>
    public sealed class UnixEngineRelay : IDisposable
    {
        private readonly Socket _listener;
        private readonly string _directory;
        private readonly string _engineSocket;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentBag<Connection> _connections = new ConcurrentBag<Connection>();
        private readonly Task _acceptLoop;

        public UnixEngineRelay()
        {
            _engineSocket = TestEngine.Host.StartsWith("unix://", StringComparison.Ordinal)
                ? TestEngine.Host.Substring("unix://".Length)
                : throw new InvalidOperationException("The relay needs the test engine on a unix socket, not " + TestEngine.Host);
            _directory = Directory.CreateTempSubdirectory("ct-relay-").FullName;
            SocketPath = Path.Combine(_directory, "engine.sock");
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
            _listener.Listen(64);
            _acceptLoop = Task.Run(AcceptLoop);
        }

        public string SocketPath { get; }

        /// <summary>The address for -Engine.</summary>
        public string Address => "unix://" + SocketPath;

        /// <summary>Connections whose requests contain the text (e.g. "/logs?") and that the client has not closed.</summary>
        public int OpenConnections(string requestContains) =>
            _connections.Count(c => c.Open && c.Requests.Contains(requestContains, StringComparison.Ordinal));

        /// <summary>Connections that ever carried a request containing the text.</summary>
        public int Connections(string requestContains) =>
            _connections.Count(c => c.Requests.Contains(requestContains, StringComparison.Ordinal));

        /// <summary>Waits (at most the timeout) until no open connection carries such a request; returns how many still do.</summary>
        public int WaitUntilClosed(string requestContains, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (OpenConnections(requestContains) > 0 && DateTime.UtcNow < until)
            {
                Thread.Sleep(20);
            }

            return OpenConnections(requestContains);
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                var connection = new Connection(client);
                _connections.Add(connection);
                _ = Task.Run(() => ServeAsync(connection));
            }
        }

        private async Task ServeAsync(Connection connection)
        {
            using var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_engineSocket), _stop.Token).ConfigureAwait(false);
                var toEngine = Task.Run(async () =>
                {
                    var buffer = new byte[16 * 1024];
                    int n;
                    while ((n = await connection.Client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false)) > 0)
                    {
                        connection.Record(buffer, n);
                        await upstream.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    }
                });
                var fromEngine = Task.Run(async () =>
                {
                    var buffer = new byte[64 * 1024];
                    int n;
                    while ((n = await upstream.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false)) > 0)
                    {
                        await connection.Client.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    }
                });

                // The client closing its side (a 0-byte read or a reset) is what the ledger records.
                try
                {
                    await toEngine.ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
                {
                }

                connection.Open = false;
                _ = fromEngine.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            }
            catch (Exception e) when (e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
                connection.Open = false;
            }
            finally
            {
                connection.Client.Dispose();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            foreach (var c in _connections)
            {
                c.Client.Dispose();
            }

            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
            _stop.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private sealed class Connection
        {
            private readonly StringBuilder _requests = new StringBuilder();

            public Connection(Socket client)
            {
                Client = client;
            }

            public Socket Client { get; }

            public volatile bool Open = true;

            public string Requests
            {
                get
                {
                    lock (_requests)
                    {
                        return _requests.ToString();
                    }
                }
            }

            // Request heads are short ASCII; keep the first KiB of each read, which holds any request line in it.
            public void Record(byte[] data, int count)
            {
                lock (_requests)
                {
                    _requests.Append(Encoding.ASCII.GetString(data, 0, Math.Min(count, 1024)));
                }
            }
        }
    }
}
