using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Local;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>Local machines for real: dockerd processes with TLS, network namespaces on our bridge, a two-node swarm.</summary>
    [Collection(MachineCollection.Name)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public sealed class LocalMachineTests
    {
        private static MachineDefinition Local(string name, bool isolated) => new MachineDefinition
        {
            Name = name,
            Provider = MachineProviderKind.Local,
            ProviderSettings = { [LocalMachineProvider.IsolatedSetting] = isolated ? "true" : "false" },
        };

        [Fact]
        public async Task LocalMachineRunsContainersOverVerifiedTlsKeepsItsDataAcrossARestartAndLeavesNothingWhenRemoved()
        {
            using var lab = new MachineLab();
            var name = TestEngine.UniqueName("ctm");
            var definition = await lab.Manager.CreateAsync(Local(name, isolated: false), null, CancellationToken.None);
            var folder = lab.Manager.Store.MachineFolder(name);

            Assert.True(definition.CreationComplete);
            Assert.Contains(" docker0:", lab.Run("ip", new[] { "-o", "link", "show" }).Output, StringComparison.Ordinal);
            Assert.StartsWith("tcp://127.0.0.1:", definition.EngineAddress, StringComparison.Ordinal);
            // Keys and the store are private to their owner.
            Assert.Equal(Convert.ToInt32("600", 8), (int)File.GetUnixFileMode(Path.Combine(folder, "tls", "key.pem")));
            Assert.Equal(Convert.ToInt32("600", 8), (int)File.GetUnixFileMode(Path.Combine(folder, "tls", "ca-key.pem")));
            Assert.Equal(Convert.ToInt32("600", 8), (int)File.GetUnixFileMode(Path.Combine(folder, "tls", "server-key.pem")));
            Assert.Equal(Convert.ToInt32("700", 8), (int)File.GetUnixFileMode(Path.Combine(folder, "tls")));
            Assert.Equal(Convert.ToInt32("700", 8), (int)File.GetUnixFileMode(folder));

            var machine = await lab.Manager.DescribeAsync(definition, CancellationToken.None);
            Assert.Equal(MachineState.Running, machine.State);
            Assert.False(string.IsNullOrEmpty(machine.EngineVersion));
            Assert.True(machine.Engine!.TlsEnabled);

            // The docker CLI uses the context the machine wrote, with TLS verified both ways.
            var context = lab.DockerChecked("context", "inspect", name, "--format", "{{.Endpoints.docker.Host}}");
            Assert.Equal(definition.EngineAddress, context);
            lab.LoadTestImage(name);
            Assert.Equal("hello from the machine", lab.DockerChecked("--context", name, "run", "--rm", TestEngine.Image, "echo", "hello from the machine"));
            lab.DockerChecked("--context", name, "volume", "create", "kept-across-restart");
            // Not on the shared engine: the machine is an engine of its own.
            Assert.NotEqual(0, TestEngine.DockerResult("volume", "inspect", "kept-across-restart").ExitCode);

            await lab.Manager.StopAsync(definition, null, CancellationToken.None);
            Assert.Equal(MachineState.Stopped, (await lab.Manager.DescribeAsync(definition, CancellationToken.None)).State);
            Assert.Null(LocalMachineProvider.ReadLivePid(definition));
            await lab.Manager.StopAsync(definition, null, CancellationToken.None); // idempotent

            // A start that fails (its port taken) says why, from the daemon's log, and leaves no daemon behind.
            var port = int.Parse(definition.ProviderSettings[LocalMachineProvider.PortSetting], System.Globalization.CultureInfo.InvariantCulture);
            using (var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port))
            {
                squatter.Start();
                var failed = await Assert.ThrowsAsync<ContainerEngineException>(() => lab.Manager.StartAsync(definition, null, CancellationToken.None));
                Assert.Equal("MachineStartFailed", failed.ErrorId);
                Assert.Contains("address already in use", failed.Message, StringComparison.Ordinal);
                Assert.Null(LocalMachineProvider.ReadLivePid(definition));
                Assert.Equal(MachineState.Stopped, (await lab.Manager.DescribeAsync(definition, CancellationToken.None)).State);
            }

            await lab.Manager.StartAsync(definition, null, CancellationToken.None);
            Assert.Equal(MachineState.Running, (await lab.Manager.DescribeAsync(definition, CancellationToken.None)).State);
            Assert.Equal("kept-across-restart", lab.DockerChecked("--context", name, "volume", "ls", "-q", "--filter", "name=kept-across-restart"));
            Assert.Contains(TestEngine.Image.Split(':')[0], lab.DockerChecked("--context", name, "image", "ls", "--format", "{{.Repository}}"), StringComparison.Ordinal);

            var running = await Assert.ThrowsAsync<ContainerEngineException>(() => lab.Manager.RemoveAsync(definition, force: false, null, CancellationToken.None));
            Assert.Equal("MachineRunning", running.ErrorId);

            await lab.Manager.RemoveAsync(definition, force: true, null, CancellationToken.None);
            lab.AssertNothingLeftOf(definition, folder);
            Assert.NotEqual(0, lab.Docker("context", "inspect", name).ExitCode);
            Assert.Empty(lab.Manager.Store.List());
        }

        [Fact]
        public async Task TwoIsolatedMachinesFormASwarmAndRefuseAClientCertificateOfAnotherMachine()
        {
            using var lab = new MachineLab();
            var first = TestEngine.UniqueName("ctm");
            var second = TestEngine.UniqueName("ctm");
            var one = await lab.Manager.CreateAsync(Local(first, isolated: true), null, CancellationToken.None);
            var two = await lab.Manager.CreateAsync(Local(second, isolated: true), null, CancellationToken.None);
            var oneAddress = LocalMachineProvider.Address(one)!;
            var twoAddress = LocalMachineProvider.Address(two)!;

            Assert.StartsWith("10.231.0.", oneAddress, StringComparison.Ordinal);
            Assert.NotEqual(oneAddress, twoAddress);
            Assert.Equal($"tcp://{oneAddress}:2376", one.EngineAddress);
            Assert.True(File.Exists("/var/run/netns/" + LocalMachineProvider.NamespaceName(one)));

            // A client certificate from the other machine's CA is refused by the engine.
            var tlsOne = lab.Manager.Store.TlsFolder(first);
            var tlsTwo = lab.Manager.Store.TlsFolder(second);
            var wrong = new ContainerEngineConnection(new EngineEndpoint(one.EngineAddress!, EndpointSource.Parameter,
                new TlsSettings(Path.Combine(tlsOne, "ca.pem"), Path.Combine(tlsTwo, "cert.pem"), Path.Combine(tlsTwo, "key.pem"), true)));
            await Assert.ThrowsAnyAsync<ContainerEngineException>(() => wrong.ConnectAsync(CancellationToken.None));
            var right = lab.Manager.Connection(one)!;
            await right.ConnectAsync(CancellationToken.None);
            Assert.False(string.IsNullOrEmpty(right.ServerVersion));
            // And the docker CLI with the wrong pair fails the same way.
            var cli = lab.Docker("--tlsverify", "--tlscacert", Path.Combine(tlsOne, "ca.pem"), "--tlscert", Path.Combine(tlsTwo, "cert.pem"),
                "--tlskey", Path.Combine(tlsTwo, "key.pem"), "-H", one.EngineAddress!, "version", "--format", "{{.Server.Version}}");
            Assert.NotEqual(0, cli.ExitCode);

            // Containers on each machine, and one machine reaches the other at its own address (a real two-host network).
            lab.LoadTestImage(first);
            lab.LoadTestImage(second);
            lab.DockerChecked("--context", second, "run", "-d", "--name", "web", "--network", "host", TestEngine.Image,
                "sh", "-c", "mkdir -p /srv/machine && echo served-by-the-second-machine > /srv/machine/index.html && exec httpd -f -p " + twoAddress + ":8080 -h /srv/machine");
            var fetched = (0, string.Empty, string.Empty);
            for (var attempt = 0; attempt < 20 && !fetched.Item2.Contains("served-by-the-second-machine", StringComparison.Ordinal); attempt++)
            {
                fetched = lab.Docker("--context", first, "run", "--rm", "--network", "host", TestEngine.Image, "wget", "-qO-", $"http://{twoAddress}:8080/");
            }

            Assert.True(fetched.Item2.Contains("served-by-the-second-machine", StringComparison.Ordinal),
                $"wget from the first machine: {fetched.Item3}; the server's log: {lab.Docker("--context", second, "logs", "web").Error}{lab.Docker("--context", second, "ps", "-a").Output}");
            // Beyond the bridge: a machine reaches what its host reaches (forwarded and masqueraded), here a web server in a
            // container of the shared engine, on a network of its own (172.17/16 is the machine's own docker0 too).
            var outside = TestEngine.UniqueName("ct-outside");
            var subnet = $"10.239.{Random.Shared.Next(1, 250)}.0/24";
            TestEngine.Docker("network", "create", "--subnet", subnet, outside);
            TestEngine.Docker("run", "-d", "--name", outside, "--network", outside, TestEngine.Image,
                "sh", "-c", "mkdir -p /srv/out && echo reached-beyond-the-bridge > /srv/out/index.html && exec httpd -f -p 8080 -h /srv/out");
            try
            {
                var outsideAddress = TestEngine.Docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", outside).Trim();
                var reached = (0, string.Empty, string.Empty);
                for (var attempt = 0; attempt < 20 && !reached.Item2.Contains("reached-beyond-the-bridge", StringComparison.Ordinal); attempt++)
                {
                    reached = lab.Docker("--context", first, "run", "--rm", "--network", "host", TestEngine.Image, "wget", "-qO-", $"http://{outsideAddress}:8080/");
                }

                Assert.True(reached.Item2.Contains("reached-beyond-the-bridge", StringComparison.Ordinal), $"wget from a container of the first machine to {outsideAddress}: {reached.Item3}");
            }
            finally
            {
                TestEngine.Docker("rm", "-f", outside);
                TestEngine.Docker("network", "rm", outside);
            }

            try
            {
                lab.DockerChecked("--context", first, "swarm", "init", "--advertise-addr", oneAddress);
                var token = lab.DockerChecked("--context", first, "swarm", "join-token", "-q", "worker");
                lab.DockerChecked("--context", second, "swarm", "join", "--advertise-addr", twoAddress, "--token", token, oneAddress + ":2377");
                var nodes = lab.DockerChecked("--context", first, "node", "ls", "--format", "{{.Status}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(2, nodes.Length);
                Assert.All(nodes, n => Assert.Equal("Ready", n.Trim()));
            }
            finally
            {
                lab.Docker("--context", second, "swarm", "leave", "--force");
                lab.Docker("--context", first, "swarm", "leave", "--force");
            }

            await lab.Manager.RemoveAsync(one, force: true, null, CancellationToken.None);
            // The bridge stays while another machine is on it.
            Assert.Equal(0, lab.Run("ip", new[] { "link", "show", LocalMachineProvider.BridgeName }).ExitCode);
            await lab.Manager.RemoveAsync(two, force: true, null, CancellationToken.None);
            lab.AssertNothingLeftOf(one, lab.Manager.Store.MachineFolder(first));
            lab.AssertNothingLeftOf(two, lab.Manager.Store.MachineFolder(second));
            Assert.NotEqual(0, lab.Run("ip", new[] { "link", "show", LocalMachineProvider.BridgeName }).ExitCode);
            Assert.All(LocalMachineProvider.BridgeRules, rule => Assert.True(lab.Run("iptables", rule.Command("-C")).ExitCode != 0, $"{rule} is still there"));
        }
    }
}
