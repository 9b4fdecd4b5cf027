using System;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>The swarm cmdlets on a real two-node swarm of two isolated Local machines (never on the shared test engine).</summary>
    [Collection(MachineCollection.Name)]
    public sealed class SwarmCmdletTests : IDisposable
    {
        private readonly MachineLab _lab = new MachineLab();
        private readonly string? _previousStore = Environment.GetEnvironmentVariable(MachineStore.StoreVariable);
        private readonly string? _previousConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        private readonly PowerShellSession _shell;

        public SwarmCmdletTests()
        {
            // Safe: the machine collection runs alone, apart from every other test.
            Environment.SetEnvironmentVariable(MachineStore.StoreVariable, _lab.StoreFolder);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _lab.DockerConfig);
            _shell = new PowerShellSession();
        }

        [Fact]
        public void TwoMachinesFormASwarmThroughTheCmdletsIdempotentlyAndLeaveIt()
        {
            var first = TestEngine.UniqueName("ctm");
            var second = TestEngine.UniqueName("ctm");
            var machines = _shell.Invoke($"New-ContainerMachine {first} -Isolated -PassThru; New-ContainerMachine {second} -Isolated -PassThru").AssertSuccess().Objects<ContainerMachine>().ToList();
            Assert.Equal(2, machines.Count);
            var firstAddress = machines[0].NetworkAddress!;
            var secondAddress = machines[1].NetworkAddress!;
            try
            {
                // In no swarm yet: listing nodes is a clear error with the fix; leaving is no error.
                var notManager = _shell.Invoke($"Get-ContainerSwarmNode -Engine {first}");
                var error = Assert.Single(notManager.Errors);
                Assert.Equal("SwarmNotActive", error.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
                Assert.Contains("not a swarm manager", error.Exception.Message, StringComparison.Ordinal);
                Assert.Contains("Initialize-ContainerSwarm", error.Exception.Message, StringComparison.Ordinal);
                _shell.Invoke($"Exit-ContainerSwarm -Engine {first}").AssertSuccess();

                var swarm = Assert.Single(_shell.Invoke($"Initialize-ContainerSwarm -Engine {first} -AdvertiseAddress {firstAddress} -PassThru").AssertSuccess().Objects<ContainerSwarm>());
                Assert.StartsWith("SWMTKN-1-", swarm.JoinTokens.Worker, StringComparison.Ordinal);
                Assert.NotEqual(swarm.JoinTokens.Worker, swarm.JoinTokens.Manager);
                Assert.Equal(new[] { firstAddress + ":2377" }, swarm.ManagerAddresses);
                Assert.Equal(swarm.JoinTokens.Worker, _lab.DockerChecked("--context", first, "swarm", "join-token", "-q", "worker"));
                // Again: the same swarm, no error.
                var again = Assert.Single(_shell.Invoke($"Initialize-ContainerSwarm -Engine {first} -PassThru").AssertSuccess().Objects<ContainerSwarm>());
                Assert.Equal(swarm.Id, again.Id);

                var badToken = _shell.Invoke($"Join-ContainerSwarm -Engine {second} -Token SWMTKN-1-not-a-token -RemoteAddress {firstAddress}");
                var joinError = Assert.Single(badToken.Errors);
                Assert.Equal("SwarmJoinTokenInvalid", joinError.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.InvalidArgument, joinError.CategoryInfo.Category);
                Assert.Contains("Get-ContainerSwarm", joinError.Exception.Message, StringComparison.Ordinal);
                Assert.Equal("inactive", _lab.DockerChecked("--context", second, "info", "--format", "{{.Swarm.LocalNodeState}}"));

                // The manager's engine (a machine object here) gives the token and address.
                _shell.Invoke($"Join-ContainerSwarm -Engine {second} -Manager (Get-ContainerMachine {first}) -AdvertiseAddress {secondAddress}").AssertSuccess();
                _shell.Invoke($"Join-ContainerSwarm -Engine {second} -Token {swarm.JoinTokens.Worker} -RemoteAddress {firstAddress}").AssertSuccess();

                var nodes = _shell.Invoke($"Get-ContainerSwarmNode -Engine {first}").AssertSuccess().Objects<ContainerSwarmNode>().ToList();
                Assert.Equal(2, nodes.Count);
                Assert.All(nodes, n => Assert.Equal("Ready", n.Status));
                Assert.Equal(SwarmNodeRole.Manager, nodes[0].Role);
                Assert.Equal("Leader", nodes[0].ManagerStatus);
                Assert.True(nodes[0].Self);
                Assert.Equal(SwarmNodeRole.Worker, nodes[1].Role);
                Assert.Equal(string.Empty, nodes[1].ManagerStatus);
                Assert.Equal(secondAddress, nodes[1].Address);
                // Isolated machines have host names of their own (their names), so the nodes are told apart.
                Assert.Equal(first.ToLowerInvariant(), nodes[0].Hostname);
                Assert.Equal(second.ToLowerInvariant(), nodes[1].Hostname);
                // The docker CLI, the independent oracle, sees the same nodes.
                var cli = _lab.DockerChecked("--context", first, "node", "ls", "--format", "{{.ID}} {{.Status}} {{.ManagerStatus}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(nodes.Select(n => n.Id).OrderBy(i => i, StringComparer.Ordinal), cli.Select(l => l.Split(' ')[0]).OrderBy(i => i, StringComparer.Ordinal));
                Assert.Contains(cli, l => l.StartsWith(nodes[0].Id + " Ready Leader", StringComparison.Ordinal));

                var workers = _shell.Invoke($"Get-ContainerSwarmNode -Engine {first} -Role Worker").AssertSuccess().Objects<ContainerSwarmNode>();
                Assert.Equal(nodes[1].Id, Assert.Single(workers).Id);
                var byId = _shell.Invoke($"Get-ContainerSwarmNode -Engine {first} -Name {nodes[1].Id.Substring(0, 8)}").AssertSuccess().Objects<ContainerSwarmNode>();
                Assert.Equal(nodes[1].Id, Assert.Single(byId).Id);
                var missing = _shell.Invoke($"Get-ContainerSwarmNode -Engine {first} -Name no-such-node");
                Assert.Equal("SwarmNodeNotFound", Assert.Single(missing.Errors).FullyQualifiedErrorId.Split(',')[0]);
                var table = _shell.Render($"Get-ContainerSwarmNode -Engine {first}");
                Assert.Matches(@"ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION", table);
                Assert.Contains(nodes[0].Id + " *", table, StringComparison.Ordinal);

                // A worker: not a manager (clear error), and not free to start a swarm of its own.
                var fromWorker = _shell.Invoke($"Get-ContainerSwarmNode -Engine {second}");
                Assert.Equal("NotSwarmManager", Assert.Single(fromWorker.Errors).FullyQualifiedErrorId.Split(',')[0]);
                var initWorker = _shell.Invoke($"Initialize-ContainerSwarm -Engine {second}");
                Assert.Equal("SwarmAlreadyJoined", Assert.Single(initWorker.Errors).FullyQualifiedErrorId.Split(',')[0]);

                // A manager leaves only with -Force.
                var refused = _shell.Invoke($"Exit-ContainerSwarm -Engine {first} -Confirm:$false");
                Assert.Equal("SwarmLeaveRefused", Assert.Single(refused.Errors).FullyQualifiedErrorId.Split(',')[0]);
                _shell.Invoke($"Exit-ContainerSwarm -Engine {second} -Confirm:$false").AssertSuccess();
                _shell.Invoke($"Exit-ContainerSwarm -Engine {first} -Force -Confirm:$false").AssertSuccess();
                _shell.Invoke($"Exit-ContainerSwarm -Engine {first} -Force -Confirm:$false").AssertSuccess();
                Assert.Equal("inactive", _lab.DockerChecked("--context", first, "info", "--format", "{{.Swarm.LocalNodeState}}"));
                Assert.Equal("inactive", _lab.DockerChecked("--context", second, "info", "--format", "{{.Swarm.LocalNodeState}}"));
            }
            finally
            {
                _lab.Docker("--context", second, "swarm", "leave", "--force");
                _lab.Docker("--context", first, "swarm", "leave", "--force");
            }

            var definitions = _lab.Manager.Store.List().ToList();
            _shell.Invoke($"Remove-ContainerMachine {first},{second} -Force -Confirm:$false").AssertSuccess();
            foreach (var definition in definitions)
            {
                _lab.AssertNothingLeftOf(definition, _lab.Manager.Store.MachineFolder(definition.Name));
            }
        }

        [Fact]
        public void SwarmCmdletsWhatIfChangeNothing()
        {
            var name = TestEngine.UniqueName("ctm");
            _shell.Invoke($"New-ContainerMachine {name}").AssertSuccess();
            _shell.Invoke($"Initialize-ContainerSwarm -Engine {name} -WhatIf").AssertSuccess();
            Assert.Equal("inactive", _lab.DockerChecked("--context", name, "info", "--format", "{{.Swarm.LocalNodeState}}"));
            var joined = _shell.Invoke($"Join-ContainerSwarm -Engine {name} -Token SWMTKN-1-x -RemoteAddress 127.0.0.1 -WhatIf").AssertSuccess();
            Assert.Equal("inactive", _lab.DockerChecked("--context", name, "info", "--format", "{{.Swarm.LocalNodeState}}"));
            _shell.Invoke($"Remove-ContainerMachine {name} -Force -Confirm:$false").AssertSuccess();
        }

        public void Dispose()
        {
            _shell.Dispose();
            _lab.Dispose();
            Environment.SetEnvironmentVariable(MachineStore.StoreVariable, _previousStore);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _previousConfig);
        }
    }
}
