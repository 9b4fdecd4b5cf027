using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Local;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>The *-ContainerMachine cmdlets and Connect-ContainerEngine -Machine in a hosted runspace, with a machine store and docker configuration of the test's own.</summary>
    [Collection(MachineCollection.Name)]
    public sealed class MachineCmdletTests : IDisposable
    {
        private readonly MachineLab _lab = new MachineLab();
        private readonly string? _previousStore = Environment.GetEnvironmentVariable(MachineStore.StoreVariable);
        private readonly string? _previousConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        private readonly PowerShellSession _shell;

        public MachineCmdletTests()
        {
            // Safe: the machine collection runs alone, apart from every other test.
            Environment.SetEnvironmentVariable(MachineStore.StoreVariable, _lab.StoreFolder);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _lab.DockerConfig);
            _shell = new PowerShellSession();
        }

        [Fact]
        public void MachineCmdletsCreateConnectRunStopStartAndRemoveALocalMachine()
        {
            var name = TestEngine.UniqueName("ctm");
            var created = _shell.Invoke($"New-ContainerMachine -Name {name} -PassThru").AssertSuccess();
            var machine = Assert.Single(created.Objects<ContainerMachine>());
            Assert.Equal(MachineState.Running, machine.State);
            Assert.Equal(MachineProviderKind.Local, machine.Provider);
            Assert.False(string.IsNullOrEmpty(machine.EngineVersion));
            Assert.NotEmpty(created.Progress);
            Assert.Equal(ProgressRecordType.Completed, created.Progress.Last().RecordType);

            // The table reads like docker-machine ls.
            var table = _shell.Render($"Get-ContainerMachine -Name '{name.Substring(0, 5)}*'");
            Assert.Matches(@"Name\s+Provider\s+State\s+Engine\s+Version\s+Cpus\s+Memory\s+Disk", table);
            Assert.Contains(name, table, StringComparison.Ordinal);
            Assert.Contains("Running", table, StringComparison.Ordinal);

            _lab.LoadTestImage(name);
            var container = TestEngine.UniqueName("ctm-c");
            var connected = _shell.Invoke($"Connect-ContainerEngine -Machine {name}").AssertSuccess();
            var connection = Assert.Single(connected.Objects<ContainerEngineConnection>());
            Assert.True(connection.TlsEnabled);
            Assert.Equal(machine.EngineAddress, connection.Address);
            try
            {
                _shell.Invoke($"New-Container -Image {TestEngine.Image} -Name {container} -Command sh, -c, 'sleep 60' -Start").AssertSuccess();
                var listed = _shell.Invoke($"Get-Container -Name {container}").AssertSuccess().Objects<Container>();
                Assert.Equal(ContainerState.Running, Assert.Single(listed).State);
            }
            finally
            {
                _shell.Invoke("Disconnect-ContainerEngine");
            }

            // The docker CLI sees it through the machine's context; the shared engine does not have it.
            Assert.Contains(container, _lab.DockerChecked("--context", name, "ps", "--format", "{{.Names}}"), StringComparison.Ordinal);
            Assert.False(TestEngine.ContainerExists(container));
            // A machine object is an -Engine value.
            var viaObject = _shell.Invoke($"Get-Container -Name {container} -Engine (Get-ContainerMachine {name})").AssertSuccess();
            Assert.Single(viaObject.Objects<Container>());

            // Machines pipe by Name into the other machine cmdlets.
            var stopped = _shell.Invoke($"Get-ContainerMachine {name} | Stop-ContainerMachine -PassThru").AssertSuccess();
            Assert.Equal(MachineState.Stopped, Assert.Single(stopped.Objects<ContainerMachine>()).State);
            var started = _shell.Invoke($"Get-ContainerMachine {name} | Start-ContainerMachine -PassThru").AssertSuccess();
            Assert.Equal(MachineState.Running, Assert.Single(started.Objects<ContainerMachine>()).State);
            Assert.Contains(container, _lab.DockerChecked("--context", name, "ps", "-a", "--format", "{{.Names}}"), StringComparison.Ordinal);

            var refused = _shell.Invoke($"Remove-ContainerMachine {name} -Confirm:$false");
            Assert.Equal("MachineRunning", Assert.Single(refused.Errors).FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ResourceUnavailable, refused.Errors[0].CategoryInfo.Category);

            var definition = _lab.Manager.Store.Find(name)!;
            _shell.Invoke($"Remove-ContainerMachine {name} -Force -Confirm:$false").AssertSuccess();
            _lab.AssertNothingLeftOf(definition, _lab.Manager.Store.MachineFolder(name));
            Assert.NotEqual(0, _lab.Docker("context", "inspect", name).ExitCode);
            var missing = _shell.Invoke($"Get-ContainerMachine {name}");
            Assert.Equal("MachineNotFound", Assert.Single(missing.Errors).FullyQualifiedErrorId.Split(',')[0]);
        }

        [Fact]
        public void AnIncompleteMachineIsShownResumedByNewContainerMachineAndRemovable()
        {
            var resumed = TestEngine.UniqueName("ctm");
            var abandoned = TestEngine.UniqueName("ctm");
            foreach (var name in new[] { resumed, abandoned })
            {
                _lab.Manager.Store.Save(new MachineDefinition
                {
                    Name = name,
                    Provider = MachineProviderKind.Local,
                    Created = DateTimeOffset.UtcNow,
                    CreationComplete = false,
                    ProviderSettings = { [LocalMachineProvider.IsolatedSetting] = "false" },
                });
            }

            var listed = _shell.Invoke("Get-ContainerMachine").AssertSuccess().Objects<ContainerMachine>().ToList();
            Assert.Equal(2, listed.Count);
            Assert.All(listed, m => Assert.Equal(MachineState.Incomplete, m.State));

            _shell.Invoke($"New-ContainerMachine {resumed} -WhatIf").AssertSuccess();
            Assert.False(_lab.Manager.Store.Find(resumed)!.CreationComplete);

            var machine = Assert.Single(_shell.Invoke($"New-ContainerMachine {resumed} -PassThru").AssertSuccess().Objects<ContainerMachine>());
            Assert.Equal(MachineState.Running, machine.State);
            Assert.True(_lab.Manager.Store.Find(resumed)!.CreationComplete);
            var again = _shell.Invoke($"New-ContainerMachine {resumed}");
            Assert.Equal("MachineExists", Assert.Single(again.Errors).FullyQualifiedErrorId.Split(',')[0]);

            _shell.Invoke($"Remove-ContainerMachine {abandoned} -Confirm:$false").AssertSuccess();
            Assert.Null(_lab.Manager.Store.Find(abandoned));
            Assert.False(Directory.Exists(_lab.Manager.Store.MachineFolder(abandoned)));
            _shell.Invoke($"Remove-ContainerMachine {resumed} -Force -Confirm:$false").AssertSuccess();
            Assert.Empty(_lab.Manager.Store.List());
        }

        [Fact]
        public void ProvidersThatCannotRunHereAreRefusedWithTheReasonAndCompletionListsMachineNames()
        {
            var failed = _shell.Invoke("New-ContainerMachine ctm-hyperv -Provider HyperV");
            var error = Assert.Single(failed.Errors);
            Assert.Equal("MachineProviderUnavailable", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.NotImplemented, error.CategoryInfo.Category);
            // Refused before anything was made: not even a definition.
            Assert.Null(_lab.Manager.Store.Find("ctm-hyperv"));

            var invalid = _shell.Invoke("New-ContainerMachine 'bad name'");
            Assert.Equal("InvalidMachineName", Assert.Single(invalid.Errors).FullyQualifiedErrorId.Split(',')[0]);

            _lab.Manager.Store.Save(new MachineDefinition { Name = "ctm-complete-me", Provider = MachineProviderKind.Local });
            var completions = _shell.Invoke("(TabExpansion2 -inputScript 'Start-ContainerMachine ctm-comp' -cursorColumn 31).CompletionMatches | ForEach-Object { $_.CompletionText }").AssertSuccess();
            Assert.Contains("ctm-complete-me", completions.Output.Select(o => o.BaseObject as string));
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
