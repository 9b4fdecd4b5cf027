using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>
    /// Connecting over tcp + TLS for real: certificates made here, a TLS endpoint that relays to the real test
    /// engine (TlsEngineRelay), the PEM files laid out as the docker CLI lays them out, and the docker CLI as
    /// the oracle that the same files and addresses work (or fail) for it too.
    /// </summary>
    public sealed class TlsConnectionTests : IClassFixture<TlsConnectionTests.Pki>, IDisposable
    {
        /// <summary>The certificates every test shares (key generation is the slow part), and one container to list.</summary>
        public sealed class Pki : IDisposable
        {
            public Pki()
            {
                Ca = new TestCertificateAuthority("ContainerTools test engine CA");
                OtherCa = new TestCertificateAuthority("Some other CA");
                Server = Ca.IssueServer("engine", "127.0.0.1", "localhost");
                ServerFromOtherCa = OtherCa.IssueServer("impostor", "127.0.0.1", "localhost");
                ServerForOtherHost = Ca.IssueServer("elsewhere", "engine.example.org");
                ClientRsa = Ca.IssueClient("client-rsa");
                ClientEc = Ca.IssueClient("client-ec", ecdsa: true);
                ClientFromOtherCa = OtherCa.IssueClient("stranger");
                ContainerName = TestEngine.UniqueName("cttls");
                TestEngine.Docker("create", "--label", TestEngine.TestLabel + "=1", "--name", ContainerName, TestEngine.Image, "true");
            }

            public TestCertificateAuthority Ca { get; }

            public TestCertificateAuthority OtherCa { get; }

            public IssuedCertificate Server { get; }

            public IssuedCertificate ServerFromOtherCa { get; }

            public IssuedCertificate ServerForOtherHost { get; }

            public IssuedCertificate ClientRsa { get; }

            public IssuedCertificate ClientEc { get; }

            public IssuedCertificate ClientFromOtherCa { get; }

            /// <summary>A container created with the docker CLI, which a list through TLS must find.</summary>
            public string ContainerName { get; }

            public void Dispose()
            {
                TestEngine.DockerResult("rm", "-f", ContainerName);
                foreach (var c in new[] { Server, ServerFromOtherCa, ServerForOtherHost, ClientRsa, ClientEc, ClientFromOtherCa })
                {
                    c.Dispose();
                }

                Ca.Dispose();
                OtherCa.Dispose();
            }
        }

        private readonly Pki _pki;
        private readonly TlsFolders _folders = new TlsFolders();
        private readonly List<TlsEngineRelay> _relays = new List<TlsEngineRelay>();
        private readonly List<ContainerEngineConnection> _connections = new List<ContainerEngineConnection>();

        public TlsConnectionTests(Pki pki)
        {
            _pki = pki;
        }

        public void Dispose()
        {
            foreach (var connection in _connections)
            {
                connection.Reset();
            }

            foreach (var relay in _relays)
            {
                relay.Dispose();
            }

            _folders.Dispose();
        }

        /// <summary>A dockerd --tlsverify look-alike: the engine certificate given, client certificates of the test CA required.</summary>
        private TlsEngineRelay Relay(IssuedCertificate? server = null, bool requireClientCertificate = true)
        {
            var relay = new TlsEngineRelay((server ?? _pki.Server).Certificate, requireClientCertificate ? _pki.Ca.Certificate : null);
            _relays.Add(relay);
            return relay;
        }

        /// <summary>ca.pem, cert.pem and key.pem as `docker` expects them in DOCKER_CERT_PATH.</summary>
        private string GoodFolder(string name = "good", KeyFormat format = KeyFormat.RsaPkcs1)
        {
            var client = format == KeyFormat.EcSec1 || format == KeyFormat.EcSec1WithParameters || format == KeyFormat.EcPkcs8 ? _pki.ClientEc : _pki.ClientRsa;
            return _folders.Create(name, _pki.Ca.CertificatePem, client.CertificatePem, client.KeyPem(format));
        }

        private static TlsSettings VerifiedTls(string folder) =>
            new TlsSettings(Path.Combine(folder, "ca.pem"), Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"), verifyServer: true, folder);

        private ContainerEngineConnection Track(ContainerEngineConnection connection)
        {
            _connections.Add(connection);
            return connection;
        }

        private static string ExpectedApiVersion()
        {
            var serverApi = Version.Parse(TestEngine.Docker("version", "--format", "{{.Server.APIVersion}}"));
            return (serverApi < new Version(1, 52) ? serverApi : new Version(1, 52)).ToString(2);
        }

        /// <summary>Negotiated, answered by the real engine (its name, the container the CLI created), through the relay.</summary>
        private async Task AssertWorksThrough(ContainerEngineConnection connection, TlsEngineRelay relay)
        {
            await connection.ConnectAsync();
            Assert.Equal(ExpectedApiVersion(), connection.ApiVersion);
            Assert.True(connection.TlsEnabled);
            var info = await connection.System.GetInfoAsync();
            Assert.Equal(TestEngine.Docker("info", "--format", "{{.Name}}"), info.Name);
            var query = new ContainerQuery();
            query.Names.Add(_pki.ContainerName);
            var found = Assert.Single(await connection.Containers.ListAsync(query));
            Assert.Equal(_pki.ContainerName, found.Name);
            Assert.Equal(relay.Address, found.Engine.Address);
            Assert.True(relay.Handshakes > 0, "no TLS handshake reached the relay");
            Assert.Empty(relay.Refusals);
        }

        /// <summary>The docker CLI, with only the variables given (and a private DOCKER_CONFIG unless given).</summary>
        private (int ExitCode, string Output, string Error) Cli(IDictionary<string, string?> variables, params string[] args)
        {
            var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var name in new[] { "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONFIG" })
            {
                start.Environment.Remove(name);
            }

            start.Environment["DOCKER_CONFIG"] = Path.Combine(_folders.Root, "cli-config");
            foreach (var v in variables)
            {
                start.Environment[v.Key] = v.Value;
            }

            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30000))
            {
                process.Kill();
            }

            return (process.ExitCode, stdout.Result.Trim(), stderr.Result.Trim());
        }

        private static EngineEnvironment FakeEnvironment(IDictionary<string, string?> variables, string home) =>
            new EngineEnvironment(n => variables.TryGetValue(n, out var v) ? v : null, home, isWindows: false);

        private static void AssertNoStackTrace(Exception e)
        {
            Assert.DoesNotContain("   at ", e.Message);
            Assert.DoesNotContain("Exception", e.Message);
        }

        // 1. Verified TLS with the right CA and client certificate.

        [Fact]
        public async Task Verified_tls_with_the_right_ca_and_client_certificate_connects_and_lists()
        {
            var relay = Relay();
            var folder = GoodFolder();
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(relay.Address, EndpointSource.Parameter, VerifiedTls(folder))));
            await AssertWorksThrough(connection, relay);
        }

        [Fact]
        public async Task Docker_tls_verify_and_docker_cert_path_resolve_and_connect_as_for_the_docker_cli()
        {
            var relay = Relay();
            var folder = GoodFolder();
            var variables = new Dictionary<string, string?>
            {
                ["DOCKER_HOST"] = relay.Address,
                ["DOCKER_TLS_VERIFY"] = "1",
                ["DOCKER_CERT_PATH"] = folder,
            };
            var endpoint = new EndpointResolver(FakeEnvironment(variables, _folders.Root)).ResolveDefault();
            Assert.Equal(EndpointSource.Environment, endpoint.Source);
            Assert.True(endpoint.Tls!.VerifyServer);
            await AssertWorksThrough(Track(new ContainerEngineConnection(endpoint)), relay);

            var cli = Cli(variables, "version", "--format", "{{.Server.APIVersion}}");
            Assert.True(cli.ExitCode == 0, "the docker CLI failed with the same variables: " + cli.Error);
        }

        [Theory]
        [InlineData(KeyFormat.RsaPkcs8)]
        [InlineData(KeyFormat.RsaPkcs1)]
        [InlineData(KeyFormat.RsaPkcs1Crlf)]
        [InlineData(KeyFormat.EcSec1)]
        [InlineData(KeyFormat.EcSec1WithParameters)]
        [InlineData(KeyFormat.EcPkcs8)]
        public async Task Client_keys_as_openssl_go_and_dotnet_write_them_all_connect(KeyFormat format)
        {
            var relay = Relay();
            var folder = GoodFolder(format.ToString(), format);
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(relay.Address, EndpointSource.Parameter, VerifiedTls(folder))));
            await AssertWorksThrough(connection, relay);

            var cli = Cli(new Dictionary<string, string?> { ["DOCKER_HOST"] = relay.Address, ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = folder },
                "version", "--format", "{{.Server.APIVersion}}");
            Assert.True(cli.ExitCode == 0, $"the docker CLI refused the {format} layout: {cli.Error}");
        }

        // 2. A docker context with TLS files, on disk as the docker CLI stores it.

        [Fact]
        public async Task A_docker_context_with_tls_files_resolves_and_connects()
        {
            var relay = Relay();
            var config = Path.Combine(_folders.Root, "docker-config");
            const string name = "tls-lab";
            var id = DockerContextStore.ContextId(name);
            Directory.CreateDirectory(Path.Combine(config, "contexts", "meta", id));
            File.WriteAllText(Path.Combine(config, "contexts", "meta", id, "meta.json"),
                $"{{\"Name\":\"{name}\",\"Metadata\":{{\"Description\":\"TLS test engine\"}},\"Endpoints\":{{\"docker\":{{\"Host\":\"{relay.Address}\",\"SkipTLSVerify\":false}}}}}}");
            var tlsFolder = Path.Combine(config, "contexts", "tls", id, "docker");
            TlsFolders.Write(tlsFolder, _pki.Ca.CertificatePem, _pki.ClientRsa.CertificatePem, _pki.ClientRsa.KeyPem(KeyFormat.RsaPkcs1));

            // The docker CLI itself finds and uses the context from these files.
            var cli = Cli(new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config }, "--context", name, "version", "--format", "{{.Server.APIVersion}}");
            Assert.True(cli.ExitCode == 0, "the docker CLI did not accept the context: " + cli.Error);

            var variables = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config, ["DOCKER_CONTEXT"] = name, ["DOCKER_HOST"] = "unix:///nowhere.sock" };
            var resolver = new EndpointResolver(FakeEnvironment(variables, _folders.Root));
            var endpoint = resolver.ResolveDefault();
            Assert.Equal(EndpointSource.Context, endpoint.Source);
            Assert.Equal(name, endpoint.ContextName);
            Assert.Equal(Path.Combine(tlsFolder, "ca.pem"), endpoint.Tls!.CaCertificatePath);
            var connection = Track(new ContainerEngineConnection(endpoint));
            await AssertWorksThrough(connection, relay);
            Assert.Equal(name, connection.Name);

            // By name, as -Engine tls-lab.
            var byName = resolver.ResolveArgument(name);
            Assert.Equal(relay.Address, byName.Address);
            await Track(new ContainerEngineConnection(byName)).ConnectAsync();
        }

        // 3. The engine's certificate is not what ca.pem vouches for.

        [Fact]
        public async Task Engine_certificate_from_another_ca_fails_fast_naming_the_endpoint()
        {
            var relay = Relay(_pki.ServerFromOtherCa);
            var folder = GoodFolder();
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(relay.Address, EndpointSource.Parameter, VerifiedTls(folder))));
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Equal(relay.Address, e.Endpoint);
            Assert.Equal(EngineErrorKind.Unreachable, e.Kind);
            Assert.Contains(relay.Address, e.Message);
            Assert.Contains("TLS handshake failed", e.Message);
            Assert.Contains("not signed by the CA in " + Path.Combine(folder, "ca.pem"), e.Message);
            Assert.Contains("Some other CA", e.Message);
            AssertNoStackTrace(e);
            Assert.Equal(0, relay.BytesToEngine); // no request went to an engine that is not the one ca.pem vouches for

            var cli = Cli(new Dictionary<string, string?> { ["DOCKER_HOST"] = relay.Address, ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = folder }, "version");
            Assert.NotEqual(0, cli.ExitCode);
            Assert.Contains("certificate", cli.Error);
        }

        [Fact]
        public async Task Engine_certificate_for_another_host_is_refused_as_the_docker_cli_refuses_it()
        {
            var relay = Relay(_pki.ServerForOtherHost);
            var folder = GoodFolder();
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(relay.Address, EndpointSource.Parameter, VerifiedTls(folder))));
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.Contains("TLS handshake failed", e.Message);
            Assert.Contains("not issued for the address connected to", e.Message);
            Assert.Contains("engine.example.org", e.Message);

            var cli = Cli(new Dictionary<string, string?> { ["DOCKER_HOST"] = relay.Address, ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = folder }, "version");
            Assert.NotEqual(0, cli.ExitCode);
        }

        [Fact]
        public async Task Without_ca_pem_the_system_trust_store_decides_as_for_the_docker_cli()
        {
            // DOCKER_CERT_PATH with cert.pem and key.pem only: the engine's certificate must be trusted by the system, and the test CA is not.
            var relay = Relay();
            var folder = _folders.Create("no-ca", null, _pki.ClientRsa.CertificatePem, _pki.ClientRsa.KeyPem(KeyFormat.RsaPkcs8));
            var variables = new Dictionary<string, string?> { ["DOCKER_HOST"] = relay.Address, ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = folder };
            var connection = Track(ContainerEngineConnection.FromEnvironment(FakeEnvironment(variables, _folders.Root)));
            Assert.Null(connection.Endpoint.Tls!.CaCertificatePath);
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.Contains("TLS handshake failed", e.Message);
            Assert.Contains("this system does not trust, and no ca.pem was given", e.Message);
            Assert.Equal(0, relay.BytesToEngine);
            Assert.NotEqual(0, Cli(variables, "version").ExitCode);
        }

        // 4. The engine refuses the client.

        [Fact]
        public async Task Without_a_client_certificate_the_engine_refuses_and_the_error_says_so()
        {
            var relay = Relay();
            var folder = _folders.Create("ca-only", _pki.Ca.CertificatePem, null, null);
            var tls = new TlsSettings(Path.Combine(folder, "ca.pem"), null, null, verifyServer: true, folder);
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(relay.Address, EndpointSource.Parameter, tls)));
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Contains(relay.Address, e.Message);
            Assert.Contains("TLS handshake", e.Message);
            Assert.Contains("refuses a connection without a client certificate (there is no cert.pem and key.pem in " + folder + ")", e.Message);
            AssertNoStackTrace(e);
            Assert.Contains("no client certificate", relay.Refusals);
        }

        [Fact]
        public async Task A_client_certificate_from_another_ca_is_refused_by_the_engine()
        {
            var relay = Relay();
            var folder = _folders.Create("stranger", _pki.Ca.CertificatePem, _pki.ClientFromOtherCa.CertificatePem, _pki.ClientFromOtherCa.KeyPem(KeyFormat.RsaPkcs8));
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(relay.Address, EndpointSource.Parameter, VerifiedTls(folder))));
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Equal(relay.Address, e.Endpoint);
            Assert.Contains("TLS handshake", e.Message);
            Assert.Contains("refuses the client certificate (CN=stranger, issued by CN=Some other CA", e.Message);
            Assert.Contains(Path.Combine(folder, "cert.pem"), e.Message);
            AssertNoStackTrace(e);
            Assert.Contains(relay.Refusals, r => r.StartsWith("client certificate CN=stranger", StringComparison.Ordinal));
        }

        // 5. TLS files that cannot be used: one clear error naming the folder and the file, before any connection.

        public static TheoryData<string, string> BrokenFolders() => new TheoryData<string, string>
        {
            { "ca-not-pem", "ca.pem" },
            { "ca-corrupt", "ca.pem" },
            { "key-truncated", "key.pem" },
            { "key-missing", "key.pem is missing" },
            { "cert-missing", "cert.pem is missing" },
            { "key-of-another-certificate", "does not belong to the certificate" },
            { "key-encrypted", "encrypted" },
            { "files-swapped", "cert.pem: it holds no PEM certificate" },
        };

        [Theory]
        [MemberData(nameof(BrokenFolders))]
        public async Task Tls_files_that_cannot_be_used_are_a_clear_error_naming_the_folder(string broken, string expected)
        {
            var relay = Relay();
            var ca = _pki.Ca.CertificatePem;
            var cert = _pki.ClientRsa.CertificatePem;
            var key = _pki.ClientRsa.KeyPem(KeyFormat.RsaPkcs1);
            var folder = broken switch
            {
                "ca-not-pem" => _folders.Create(broken, "this is not a certificate\n", cert, key),
                "ca-corrupt" => _folders.Create(broken, ca.Replace(ca.Split('\n')[2], new string('A', 64)), cert, key),
                "key-truncated" => _folders.Create(broken, ca, cert, key.Substring(0, key.Length / 2)),
                "key-missing" => _folders.Create(broken, ca, cert, null),
                "cert-missing" => _folders.Create(broken, ca, null, key),
                "key-of-another-certificate" => _folders.Create(broken, ca, cert, _pki.ClientFromOtherCa.KeyPem(KeyFormat.RsaPkcs8)),
                "key-encrypted" => _folders.Create(broken, ca, cert, _pki.ClientRsa.KeyPem(KeyFormat.RsaEncryptedPkcs8)),
                "files-swapped" => _folders.Create(broken, ca, key, cert),
                _ => throw new ArgumentOutOfRangeException(nameof(broken)),
            };

            // Resolved as DOCKER_CERT_PATH is: files that do not exist are not passed on.
            var variables = new Dictionary<string, string?> { ["DOCKER_HOST"] = relay.Address, ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = folder };
            var connection = Track(ContainerEngineConnection.FromEnvironment(FakeEnvironment(variables, _folders.Root)));
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => connection.ConnectAsync());
            Assert.Equal("EngineTlsMaterialInvalid", e.ErrorId);
            Assert.Equal(EngineErrorKind.InvalidArgument, e.Kind);
            Assert.Contains(folder, e.Message);
            Assert.Contains(relay.Address, e.Message);
            Assert.Contains(expected, e.Message);
            AssertNoStackTrace(e);
            Assert.Equal(0, relay.Accepted);

            // The docker CLI refuses the same folder too.
            Assert.NotEqual(0, Cli(variables, "version").ExitCode);
        }

        [Fact]
        public void A_tls_certificate_folder_without_any_pem_file_is_refused_when_resolving()
        {
            var empty = _folders.Create("empty", null, null, null);
            var e = Assert.Throws<ContainerEngineException>(() =>
                new EndpointResolver(EngineEnvironment.Current).FromAddress("tcp://127.0.0.1:2376", empty, skipVerify: false, allowRemoteSkipVerify: false));
            Assert.Equal("EngineTlsMaterialInvalid", e.ErrorId);
            Assert.Contains(empty, e.Message);
            Assert.Contains("ca.pem, cert.pem and key.pem", e.Message);
        }

        // 6. TLS without checking the engine's certificate.

        [Fact]
        public async Task Skip_tls_verify_on_loopback_connects_to_an_engine_whose_ca_is_unknown()
        {
            var relay = Relay(_pki.ServerFromOtherCa, requireClientCertificate: false);
            var endpoint = new EndpointResolver(EngineEnvironment.Current).FromAddress(relay.Address, null, skipVerify: true, allowRemoteSkipVerify: false);
            Assert.False(endpoint.Tls!.VerifyServer);
            await AssertWorksThrough(Track(new ContainerEngineConnection(endpoint)), relay);
        }

        [Fact]
        public async Task Skip_tls_verify_still_presents_the_client_certificate_of_the_folder()
        {
            // The engine's certificate is from an unknown CA, but the engine requires our client certificate.
            var relay = Relay(_pki.ServerFromOtherCa);
            var folder = GoodFolder();
            var endpoint = new EndpointResolver(EngineEnvironment.Current).FromAddress(relay.Address, folder, skipVerify: true, allowRemoteSkipVerify: false);
            await AssertWorksThrough(Track(new ContainerEngineConnection(endpoint)), relay);
        }

        // Protocol mismatches.

        [Fact]
        public async Task Plain_http_to_a_tls_engine_says_to_turn_tls_on()
        {
            var relay = Relay();
            var connection = Track(ContainerEngineConnection.FromArgument(relay.Address, FakeEnvironment(new Dictionary<string, string?>(), _folders.Root)));
            Assert.False(connection.TlsEnabled);
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.Contains(relay.Address, e.Message);
            Assert.Contains("speaks TLS", e.Message);
            Assert.Contains("DOCKER_TLS_VERIFY", e.Message);
            Assert.Contains("plain HTTP", relay.Refusals);
        }

        [Fact]
        public async Task Tls_to_an_engine_without_tls_is_a_handshake_error_naming_the_endpoint()
        {
            // An engine on a plain tcp port: it answers HTTP, whatever it is sent.
            using var plain = new TcpListener(IPAddress.Loopback, 0);
            plain.Start();
            var port = ((IPEndPoint)plain.LocalEndpoint).Port;
            var server = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var client = await plain.AcceptSocketAsync();
                        await client.ReceiveAsync(new byte[4096], SocketFlags.None);
                        await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), SocketFlags.None);
                        client.Shutdown(SocketShutdown.Both);
                    }
                }
                catch (Exception)
                {
                }
            });
            var folder = GoodFolder();
            var address = $"tcp://127.0.0.1:{port}";
            var connection = Track(new ContainerEngineConnection(new EngineEndpoint(address, EndpointSource.Parameter, VerifiedTls(folder))));
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<EngineUnreachableException>(() => connection.ConnectAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Contains(address, e.Message);
            Assert.Contains("TLS handshake failed", e.Message);
            Assert.Contains("serves TLS", e.Message);
            plain.Stop();
            await server;
        }
    }
}
