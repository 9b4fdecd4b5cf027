using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>Connecting for real: negotiation with the test engine, and fast, clear failures.</summary>
    public class ConnectionTests
    {
        [Fact]
        public async Task Negotiates_the_api_version_with_the_real_engine()
        {
            var connection = ContainerEngineConnection.FromArgument(TestEngine.Host);
            await connection.ConnectAsync();
            var serverApi = Version.Parse(TestEngine.Docker("version", "--format", "{{.Server.APIVersion}}"));
            var expected = serverApi < new Version(1, 52) ? serverApi : new Version(1, 52);
            Assert.Equal(expected.ToString(2), connection.ApiVersion);
            Assert.Equal(TestEngine.Docker("version", "--format", "{{.Server.Version}}"), connection.ServerVersion);
        }

        [Fact]
        public async Task Engine_info_matches_docker_info()
        {
            var info = await TestEngine.Connection.System.GetInfoAsync();
            Assert.Equal(TestEngine.Docker("info", "--format", "{{.Driver}}"), info.StorageDriver);
            Assert.Equal(TestEngine.Docker("info", "--format", "{{.NCPU}}"), info.Cpus.ToString());
            Assert.Equal(TestEngine.Docker("info", "--format", "{{.Name}}"), info.Name);
            Assert.Equal(TestEngine.Host, info.Address);
        }

        [Fact]
        public async Task Refused_tcp_port_fails_fast_naming_the_endpoint()
        {
            var port = FreePort();
            var connection = ContainerEngineConnection.FromArgument($"tcp://127.0.0.1:{port}");
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Equal($"tcp://127.0.0.1:{port}", e.Endpoint);
            Assert.Contains($"tcp://127.0.0.1:{port}", e.Message);
            Assert.Contains("refused", e.Message);
            Assert.Equal(EngineErrorKind.Unreachable, e.Kind);
        }

        [Fact]
        public async Task Missing_socket_fails_fast_naming_the_socket()
        {
            var path = Path.Combine(Path.GetTempPath(), "ct-nosuch-" + Guid.NewGuid().ToString("N") + ".sock");
            var connection = ContainerEngineConnection.FromArgument("unix://" + path);
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.Contains(path, e.Message);
            Assert.Contains("does not exist", e.Message);
        }

        [Fact]
        public async Task An_endpoint_that_never_answers_times_out_within_five_seconds()
        {
            // Accepts connections and never answers: the worst case, which must not become a 100-second wait.
            using var silent = new TcpListener(IPAddress.Loopback, 0);
            silent.Start();
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var connection = ContainerEngineConnection.FromArgument($"tcp://127.0.0.1:{port}");
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(7));
            Assert.Contains("no answer within 5 seconds", e.Message);
        }

        [Fact]
        public async Task A_failed_connect_is_not_cached()
        {
            var path = Path.Combine(Path.GetTempPath(), "ct-late-" + Guid.NewGuid().ToString("N") + ".sock");
            var connection = ContainerEngineConnection.FromArgument("unix://" + path);
            await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            // The engine "comes up" at that path: a relay to the real test engine socket.
            var target = TestEngine.Host.Substring("unix://".Length);
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(8);
            var relay = Task.Run(async () =>
            {
                while (true)
                {
                    Socket client;
                    try
                    {
                        client = await listener.AcceptAsync();
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await upstream.ConnectAsync(new UnixDomainSocketEndPoint(target));
                    _ = Pump(client, upstream);
                    _ = Pump(upstream, client);
                }
            });
            try
            {
                await connection.ConnectAsync();
                Assert.NotNull(connection.ApiVersion);
            }
            finally
            {
                connection.Reset();
                listener.Close();
                File.Delete(path);
            }
        }

        private static async Task Pump(Socket from, Socket to)
        {
            var buffer = new byte[65536];
            try
            {
                int n;
                while ((n = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                {
                    await to.SendAsync(new ArraySegment<byte>(buffer, 0, n), SocketFlags.None);
                }
            }
            catch (Exception)
            {
            }
            finally
            {
                to.Dispose();
                from.Dispose();
            }
        }

        private static int FreePort()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }
    }
}
