using System;
using System.Collections.Generic;
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
    /// <summary>The parts of machines that need no daemon: names, the daemon's command line, the docker context layout, the process runner.</summary>
    public sealed class MachinePlanTests
    {
        private static MachineContext Context(bool isolated)
        {
            var definition = new MachineDefinition
            {
                Name = "m1",
                Provider = MachineProviderKind.Local,
                ProviderSettings =
                {
                    [LocalMachineProvider.IsolatedSetting] = isolated ? "true" : "false",
                    [LocalMachineProvider.IdSetting] = "0123456789",
                    [LocalMachineProvider.AddressSetting] = "10.231.0.7",
                    [LocalMachineProvider.PortSetting] = "40123",
                    [LocalMachineProvider.BridgeSubnetSetting] = "10.232.3.0/24",
                },
            };
            return new MachineContext(definition, "/store/m1", "/store/m1/tls");
        }

        [Fact]
        public void ADaemonInTheHostNamespaceNeverUsesDocker0OrBridgeNoneAndLeavesIptablesAlone()
        {
            var arguments = LocalMachineProvider.DaemonArguments(Context(isolated: false)).ToList();

            // '--bridge none' in the host's namespace makes dockerd delete the host's docker0.
            Assert.Equal("ctmb01234567", arguments[arguments.IndexOf("--bridge") + 1]);
            Assert.Contains("--iptables=false", arguments);
            Assert.Contains("tcp://127.0.0.1:40123", arguments);
            Assert.Contains("--tlsverify", arguments);
            Assert.Equal("/store/m1/tls/ca.pem", arguments[arguments.IndexOf("--tlscacert") + 1]);
            Assert.Equal("/store/m1/data", arguments[arguments.IndexOf("--data-root") + 1]);
            Assert.Equal("base=10.232.128.0/17,size=24", arguments[arguments.IndexOf("--default-address-pool") + 1]);
            Assert.DoesNotContain(arguments, a => a.Contains("docker0", StringComparison.Ordinal) || a.Contains("172.17.", StringComparison.Ordinal));
        }

        [Fact]
        public void AnIsolatedDaemonListensOnItsAddressWithoutABridge()
        {
            var arguments = LocalMachineProvider.DaemonArguments(Context(isolated: true)).ToList();

            Assert.Contains("tcp://10.231.0.7:2376", arguments);
            Assert.Equal("none", arguments[arguments.IndexOf("--bridge") + 1]);
            Assert.DoesNotContain("--iptables=false", arguments);
            Assert.Equal("/run/containertools/0123456789/docker.pid", arguments[arguments.IndexOf("--pidfile") + 1]);
            Assert.Equal("ctm-0123456789", LocalMachineProvider.NamespaceName(Context(true).Definition));
        }

        [Fact]
        public async Task TwoIsolatedMachinesPlannedAtTheSameMomentGetDifferentAddresses()
        {
            var root = Directory.CreateTempSubdirectory("ct-store-").FullName;
            try
            {
                // 'ip netns list' waits (up to a second) for the other plan to get there too: without the store lock both then
                // read a store without addresses and take .2; with it the second arrives only after the first has saved.
                using var bothPlanning = new Barrier(2);
                var runner = new RecordingHostRunner().On(c => c.FileName == "ip" && c.Arguments.Contains("netns"), c =>
                {
                    bothPlanning.SignalAndWait(TimeSpan.FromSeconds(1));
                    return new HostCommandResult(0, string.Empty, string.Empty);
                });
                var manager = new MachineManager(new MachineStore(root), new DockerContextStore(EngineEnvironment.Current), runner);
                var provider = new LocalMachineProvider(runner);
                MachineContext Isolated(string name)
                {
                    var definition = new MachineDefinition { Name = name, Provider = MachineProviderKind.Local, ProviderSettings = { [LocalMachineProvider.IsolatedSetting] = "true" } };
                    manager.Store.Save(definition);
                    return manager.Store.ContextFor(definition);
                }

                var first = Isolated("lock-a");
                var second = Isolated("lock-b");
                Task PlanOnAThreadOfItsOwn(MachineContext context) =>
                    Task.Factory.StartNew(() => manager.PlanAsync(provider, context, CancellationToken.None), CancellationToken.None,
                        TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
                await Task.WhenAll(PlanOnAThreadOfItsOwn(first), PlanOnAThreadOfItsOwn(second));

                var addresses = new[] { "lock-a", "lock-b" }.Select(n => LocalMachineProvider.Address(manager.Store.Find(n)!)).ToList();
                Assert.All(addresses, a => Assert.StartsWith("10.231.0.", a));
                Assert.NotEqual(addresses[0], addresses[1]);
            }
            finally
            {
                Directory.Delete(root, true);
            }
        }

        [Fact]
        public void AMachineWithoutAnEngineAddressHasNoConnectionAndSaysHowToFinishIt()
        {
            var root = Directory.CreateTempSubdirectory("ct-store-").FullName;
            try
            {
                var manager = new MachineManager(new MachineStore(root), new DockerContextStore(EngineEnvironment.Current), new RecordingHostRunner());
                manager.Store.Save(new MachineDefinition { Name = "half", Provider = MachineProviderKind.Local });
                var e = Assert.Throws<ContainerEngineException>(() => manager.RequireConnection("half"));
                Assert.Equal("MachineIncomplete", e.ErrorId);
                Assert.Contains("New-ContainerMachine half", e.Message);
                Assert.Equal("MachineNotFound", Assert.Throws<ContainerEngineException>(() => manager.RequireConnection("gone")).ErrorId);

                manager.Store.Save(new MachineDefinition { Name = "done", Provider = MachineProviderKind.Local, EngineAddress = "tcp://127.0.0.1:40999" });
                Assert.Contains("127.0.0.1:40999", manager.RequireConnection("done").Address);
            }
            finally
            {
                Directory.Delete(root, true);
            }
        }

        [Fact]
        public async Task AHeldStoreLockMakesTheNextWaitAndGivesUpWithAClearError()
        {
            var store = new MachineStore(Directory.CreateTempSubdirectory("ct-store-").FullName);
            try
            {
                using (await store.LockAsync(TimeSpan.FromSeconds(5), CancellationToken.None))
                {
                    var e = await Assert.ThrowsAsync<ContainerEngineException>(() => store.LockAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
                    Assert.Equal("MachineStoreLocked", e.ErrorId);
                    Assert.Equal(EngineErrorKind.Timeout, e.Kind);
                    using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
                    await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.LockAsync(TimeSpan.FromSeconds(30), cancel.Token));
                }

                // Released with its holder.
                using (await store.LockAsync(TimeSpan.FromSeconds(1), CancellationToken.None))
                {
                }
            }
            finally
            {
                Directory.Delete(store.Root, true);
            }
        }

        [Theory]
        [InlineData("")]
        [InlineData("-lead")]
        [InlineData("has space")]
        [InlineData("slash/name")]
        [InlineData("ünicode")]
        public void InvalidMachineNamesAreRefused(string name)
        {
            var e = Assert.Throws<InvalidSpecException>(() => MachineStore.ValidateName(name));
            Assert.Equal("InvalidMachineName", e.ErrorId);
        }

        [Fact]
        public void AWrittenContextIsReadBackInTheDockerCliLayoutAndRemoved()
        {
            var config = Directory.CreateTempSubdirectory("ct-context-").FullName;
            try
            {
                var tls = Path.Combine(config, "src");
                Directory.CreateDirectory(tls);
                foreach (var file in new[] { "ca.pem", "cert.pem", "key.pem" })
                {
                    File.WriteAllText(Path.Combine(tls, file), file);
                }

                var store = new DockerContextStore(new EngineEnvironment(v => v == "DOCKER_CONFIG" ? config : null, config, false));
                store.Write("m1", "tcp://10.231.0.7:2376", Path.Combine(tls, "ca.pem"), Path.Combine(tls, "cert.pem"), Path.Combine(tls, "key.pem"), "test");

                var id = DockerContextStore.ContextId("m1");
                Assert.True(File.Exists(Path.Combine(config, "contexts", "meta", id, "meta.json")));
                Assert.Equal("key.pem", File.ReadAllText(Path.Combine(config, "contexts", "tls", id, "docker", "key.pem")));
                var read = store.Find("m1")!;
                Assert.Equal("tcp://10.231.0.7:2376", read.Host);
                Assert.False(read.SkipTlsVerify);
                Assert.Equal(Path.Combine(config, "contexts", "tls", id, "docker"), read.TlsDirectory);

                Assert.True(store.Remove("m1"));
                Assert.Null(store.Find("m1"));
                Assert.False(Directory.Exists(Path.Combine(config, "contexts", "tls", id)));
                Assert.False(store.Remove("m1"));
            }
            finally
            {
                Directory.Delete(config, recursive: true);
            }
        }

        [Fact]
        public async Task TheHostCommandRunnerPassesEveryArgumentUnchanged()
        {
            var tricky = new[] { "a b", "c\"d", "e\\f", "g\\\"h", string.Empty, "tail\\" };
            var result = await HostCommandRunner.Instance.RunAsync(
                new HostCommand("/bin/sh", new[] { "-c", "for a in \"$@\"; do printf '[%s]' \"$a\"; done", "sh" }.Concat(tricky).ToList()), CancellationToken.None);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(string.Concat(tricky.Select(a => "[" + a + "]")), result.StandardOutput.Trim());
        }

        [Fact]
        public async Task AMissingProgramIsAHostProgramNotFoundError()
        {
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                HostCommandRunner.Instance.RunAsync(new HostCommand("ct-no-such-program", Array.Empty<string>()), CancellationToken.None));
            Assert.Equal("HostProgramNotFound", e.ErrorId);
        }
    }
}
