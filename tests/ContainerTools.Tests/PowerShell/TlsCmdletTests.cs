using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Connect-ContainerEngine over tcp + TLS in a hosted runspace, against the real engine behind a TLS relay.</summary>
    public sealed class TlsCmdletTests : IClassFixture<TlsCmdletTests.Fixture>, IDisposable
    {
        public sealed class Fixture : IDisposable
        {
            public Fixture()
            {
                Ca = new TestCertificateAuthority("ContainerTools test engine CA");
                OtherCa = new TestCertificateAuthority("Some other CA");
                Server = Ca.IssueServer("engine", "127.0.0.1", "localhost");
                ServerFromOtherCa = OtherCa.IssueServer("impostor", "127.0.0.1", "localhost");
                Client = Ca.IssueClient("client");
            }

            public PowerShellSession Shell { get; } = new PowerShellSession();

            public TestCertificateAuthority Ca { get; }

            public TestCertificateAuthority OtherCa { get; }

            public IssuedCertificate Server { get; }

            public IssuedCertificate ServerFromOtherCa { get; }

            public IssuedCertificate Client { get; }

            public void Dispose()
            {
                Shell.Dispose();
                Server.Dispose();
                ServerFromOtherCa.Dispose();
                Client.Dispose();
                Ca.Dispose();
                OtherCa.Dispose();
            }
        }

        private readonly Fixture _f;
        private readonly PowerShellSession _ps;
        private readonly TlsFolders _folders = new TlsFolders();
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();
        private readonly List<TlsEngineRelay> _relays = new List<TlsEngineRelay>();

        public TlsCmdletTests(Fixture fixture)
        {
            _f = fixture;
            _ps = fixture.Shell;
        }

        public void Dispose()
        {
            _ps.Invoke("Disconnect-ContainerEngine");
            foreach (var relay in _relays)
            {
                relay.Dispose();
            }

            _cleanup.Dispose();
            _folders.Dispose();
        }

        private TlsEngineRelay Relay(IssuedCertificate server, bool requireClientCertificate = true)
        {
            var relay = new TlsEngineRelay(server.Certificate, requireClientCertificate ? _f.Ca.Certificate : null);
            _relays.Add(relay);
            return relay;
        }

        private string GoodFolder(string name) =>
            _folders.Create(name, _f.Ca.CertificatePem, _f.Client.CertificatePem, _f.Client.KeyPem(KeyFormat.RsaPkcs1));

        /// <summary>A stopped container made with the docker CLI, for Get-Container to find.</summary>
        private string NewContainer()
        {
            var name = _cleanup.NewName("cttls");
            TestEngine.Docker("create", "--label", TestEngine.TestLabel + "=1", "--name", name, TestEngine.Image, "true");
            return name;
        }

        private static Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable();
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        [Fact]
        public void Connect_with_a_tls_certificate_path_becomes_the_default_that_get_container_uses()
        {
            var relay = Relay(_f.Server);
            var folder = GoodFolder("good");
            var name = NewContainer();

            var connected = _ps.Invoke("Connect-ContainerEngine -Uri $uri -TlsCertificatePath $folder", Vars("uri", relay.Address, "folder", folder)).AssertSuccess();
            var connection = Assert.Single(connected.Objects<ContainerEngineConnection>());
            Assert.True(connection.TlsEnabled);
            Assert.Equal(relay.Address, connection.Address);
            Assert.True(connection.Endpoint.Tls!.VerifyServer);
            Assert.Equal(Path.Combine(folder, "ca.pem"), connection.Endpoint.Tls.CaCertificatePath);
            Assert.NotNull(connection.ApiVersion);
            var sent = relay.BytesToEngine;

            // No -Engine: the session default, not DOCKER_HOST (the test engine's unix socket), answers.
            var listed = _ps.Invoke("Get-Container -Name $name", Vars("name", name)).AssertSuccess();
            var container = Assert.Single(listed.Objects<Container>());
            Assert.Equal(name, container.Name);
            Assert.Equal(relay.Address, container.Engine.Address);
            Assert.True(container.Engine.TlsEnabled);
            Assert.True(relay.BytesToEngine > sent, "Get-Container did not go through the TLS engine");
            Assert.Empty(relay.Refusals);

            // After Disconnect-ContainerEngine, DOCKER_HOST applies again.
            _ps.Invoke("Disconnect-ContainerEngine").AssertSuccess();
            var again = Assert.Single(_ps.Invoke("Get-Container -Name $name", Vars("name", name)).AssertSuccess().Objects<Container>());
            Assert.Equal(TestEngine.Host, again.Engine.Address);
        }

        [Fact]
        public void Connect_with_skip_tls_verify_on_loopback_accepts_an_engine_whose_ca_is_unknown()
        {
            var relay = Relay(_f.ServerFromOtherCa, requireClientCertificate: false);
            var name = NewContainer();
            var connection = Assert.Single(_ps.Invoke("Connect-ContainerEngine -Uri $uri -SkipTlsVerify", Vars("uri", relay.Address))
                .AssertSuccess().Objects<ContainerEngineConnection>());
            Assert.True(connection.TlsEnabled);
            Assert.False(connection.Endpoint.Tls!.VerifyServer);
            var container = Assert.Single(_ps.Invoke("Get-Container -Name $name", Vars("name", name)).AssertSuccess().Objects<Container>());
            Assert.Equal(relay.Address, container.Engine.Address);
        }

        [Fact]
        public void Connect_to_an_engine_whose_certificate_is_from_another_ca_is_a_connection_error_and_sets_no_default()
        {
            var relay = Relay(_f.ServerFromOtherCa);
            var folder = GoodFolder("good");
            var name = NewContainer();
            var watch = Stopwatch.StartNew();
            var result = _ps.Invoke("Connect-ContainerEngine -Uri $uri -TlsCertificatePath $folder", Vars("uri", relay.Address, "folder", folder));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Empty(result.Objects<ContainerEngineConnection>());
            var error = Assert.Single(result.AllErrors);
            Assert.StartsWith("EngineUnreachable,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.Contains(relay.Address, error.Exception.Message);
            Assert.Contains("TLS handshake failed", error.Exception.Message);
            Assert.Contains("not signed by the CA in " + Path.Combine(folder, "ca.pem"), error.Exception.Message);
            Assert.Equal(0, relay.BytesToEngine);

            var container = Assert.Single(_ps.Invoke("Get-Container -Name $name", Vars("name", name)).AssertSuccess().Objects<Container>());
            Assert.Equal(TestEngine.Host, container.Engine.Address);
        }

        [Fact]
        public void Connect_with_unusable_tls_files_is_an_invalid_argument_error_naming_the_folder()
        {
            var relay = Relay(_f.Server);
            var broken = _folders.Create("broken", _f.Ca.CertificatePem, _f.Client.CertificatePem, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
            var result = _ps.Invoke("Connect-ContainerEngine -Uri $uri -TlsCertificatePath $folder", Vars("uri", relay.Address, "folder", broken));
            var error = Assert.Single(result.AllErrors);
            Assert.StartsWith("EngineTlsMaterialInvalid,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains(broken, error.Exception.Message);
            Assert.Contains("key.pem: its private key is corrupt", error.Exception.Message);
            Assert.DoesNotContain("   at ", error.Exception.Message);

            var empty = _folders.Create("empty", null, null, null);
            error = Assert.Single(_ps.Invoke("Connect-ContainerEngine -Uri $uri -TlsCertificatePath $folder", Vars("uri", relay.Address, "folder", empty)).AllErrors);
            Assert.StartsWith("EngineTlsMaterialInvalid,", error.FullyQualifiedErrorId);
            Assert.Contains(empty, error.Exception.Message);
            Assert.Equal(0, relay.Accepted);
        }

        [Fact]
        public async System.Threading.Tasks.Task The_shipped_module_in_ctpwsh_connects_over_tls_with_its_own_netstandard_assemblies()
        {
            // ctpwsh loads the module folder's netstandard2.0 assemblies (Docker.DotNet.X509, BouncyCastle), as pwsh
            // and Windows PowerShell do, where this test process already has the net10 builds loaded.
            var relay = Relay(_f.Server);
            var folder = _folders.Create("ctpwsh", _f.Ca.CertificatePem, _f.Client.CertificatePem, _f.Client.KeyPem(KeyFormat.RsaPkcs8));
            var name = NewContainer();
            var script = Path.Combine(_folders.Root, "tls.ps1");
            File.WriteAllText(script, string.Join("\n",
                "$ErrorActionPreference = 'Stop'",
                $"$c = Connect-ContainerEngine -Uri '{relay.Address}' -TlsCertificatePath '{folder}'",
                "'tls=' + $c.TlsEnabled",
                $"'container=' + (Get-Container -Name '{name}').Engine.Address",
                "'x509=' + [Docker.DotNet.X509.CertificateCredentials].Assembly.Location",
                "'bc=' + [Org.BouncyCastle.Pkcs.Pkcs12Store].Assembly.Location"));
            var host = Ctpwsh.Executable;
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-File");
            start.ArgumentList.Add(script);
            start.Environment["DOCKER_HOST"] = TestEngine.Host;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using (var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await process.WaitForExitAsync(timeout.Token);
            }

            var output = await stdout + await stderr;
            Assert.True(process.ExitCode == 0, $"ctpwsh exited {process.ExitCode}:\n{output}");
            var moduleFolder = Path.GetDirectoryName(TestEngine.ModuleManifest)!;
            Assert.Contains("tls=True", output);
            Assert.Contains("container=" + relay.Address, output);
            Assert.Contains("x509=" + Path.Combine(moduleFolder, "Docker.DotNet.X509.dll"), output);
            Assert.Contains("bc=" + Path.Combine(moduleFolder, "BouncyCastle.Cryptography.dll"), output);
        }
    }
}
