using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>The service cmdlets on a real two-node swarm (never on the shared test engine); the docker CLI is the oracle.</summary>
    [Collection(MachineCollection.Name)]
    public sealed class ServiceCmdletTests : IClassFixture<TwoNodeSwarm>
    {
        private readonly TwoNodeSwarm _swarm;

        public ServiceCmdletTests(TwoNodeSwarm swarm)
        {
            _swarm = swarm;
        }

        private PowerShellSession Shell => _swarm.Shell;

        private string Engine => _swarm.Manager;

        [Fact]
        public void ServiceIsCreatedScaledUpdatedRolledAndRemoved()
        {
            var name = TestEngine.UniqueName("svc");
            try
            {
                var service = Assert.Single(Shell.Invoke(
                    $"New-ContainerService -Engine {Engine} -Name {name} -Image {TestEngine.Image} -Replicas 2 -Command sleep,3600 -Publish '18080:80','18081:81/udp' " +
                    "-Environment @{ GREETING = 'hello'; LEVEL = '1' } -Label @{ team = 'tools' } -ContainerLabel 'tier=web' -Constraint 'node.role==worker' " +
                    "-UpdateParallelism 2 -UpdateFailureAction continue -Limit @{ Memory = '64m' } -StopGracePeriod 00:00:01 -Wait -PassThru").AssertSuccess().Objects<ContainerService>());
                Assert.Equal(2, service.Replicas);
                Assert.Equal(2, service.RunningTasks);
                Assert.Equal("Replicated", service.Mode);

                using (var inspect = JsonDocument.Parse(_swarm.ManagerDocker("service", "inspect", name, "--format", "{{json .Spec}}")))
                {
                    var spec = inspect.RootElement;
                    Assert.Equal(2, spec.GetProperty("Mode").GetProperty("Replicated").GetProperty("Replicas").GetInt32());
                    var container = spec.GetProperty("TaskTemplate").GetProperty("ContainerSpec");
                    Assert.Equal(new[] { "GREETING=hello", "LEVEL=1" }, container.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
                    Assert.Equal(new[] { "sleep", "3600" }, container.GetProperty("Args").EnumerateArray().Select(e => e.GetString()));
                    Assert.Equal("web", container.GetProperty("Labels").GetProperty("tier").GetString());
                    Assert.Equal("tools", spec.GetProperty("Labels").GetProperty("team").GetString());
                    Assert.Equal("node.role==worker", spec.GetProperty("TaskTemplate").GetProperty("Placement").GetProperty("Constraints")[0].GetString());
                    Assert.Equal(64L << 20, spec.GetProperty("TaskTemplate").GetProperty("Resources").GetProperty("Limits").GetProperty("MemoryBytes").GetInt64());
                    var ports = spec.GetProperty("EndpointSpec").GetProperty("Ports").EnumerateArray().ToList();
                    Assert.Contains(ports, p => p.GetProperty("PublishedPort").GetInt32() == 18080 && p.GetProperty("TargetPort").GetInt32() == 80 && p.GetProperty("Protocol").GetString() == "tcp");
                    Assert.Contains(ports, p => p.GetProperty("PublishedPort").GetInt32() == 18081 && p.GetProperty("Protocol").GetString() == "udp");
                    Assert.Equal(2, spec.GetProperty("UpdateConfig").GetProperty("Parallelism").GetInt32());
                }

                // The constraint put both tasks on the worker; the CLI lists the same running tasks.
                var tasks = Shell.Invoke($"Get-ContainerServiceTask -Engine {Engine} -Service {name} -DesiredState Running").AssertSuccess().Objects<ContainerServiceTask>().ToList();
                Assert.Equal(2, tasks.Count);
                Assert.All(tasks, t => Assert.Equal(_swarm.WorkerHostname, t.Node));
                Assert.All(tasks, t => Assert.Equal("Running", t.CurrentState));
                Assert.Equal(new[] { name + ".1", name + ".2" }, tasks.Select(t => t.Name));
                var cliTasks = _swarm.ManagerDocker("service", "ps", name, "--filter", "desired-state=running", "--no-trunc", "--format", "{{.ID}}")
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(i => i, StringComparer.Ordinal);
                Assert.Equal(cliTasks, tasks.Select(t => t.Id).OrderBy(i => i, StringComparer.Ordinal));
                // By the pipeline, from the service object.
                var piped = Shell.Invoke($"Get-ContainerService -Engine {Engine} -Name {name} | Get-ContainerServiceTask -DesiredState Running").AssertSuccess().Objects<ContainerServiceTask>();
                Assert.Equal(2, piped.Count());
                Assert.Matches(@"ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS", Shell.Render($"Get-ContainerService -Engine {Engine} -Name {name}"));
                Assert.Matches(@"ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR", Shell.Render($"Get-ContainerServiceTask -Engine {Engine} -Service {name}"));
                var byLabel = Shell.Invoke($"Get-ContainerService -Engine {Engine} -Label team=tools").AssertSuccess().Objects<ContainerService>();
                Assert.Contains(byLabel, s => s.Name == name);
                Assert.Empty(Shell.Invoke($"Get-ContainerService -Engine {Engine} -Label team=nobody").AssertSuccess().Output);

                // The same name again: a ServiceExists error naming the fix; the service is untouched.
                var again = Shell.Invoke($"New-ContainerService -Engine {Engine} -Name {name} -Image {TestEngine.Image}");
                var exists = Assert.Single(again.Errors);
                Assert.Equal("ServiceExists", exists.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.ResourceExists, exists.CategoryInfo.Category);
                Assert.Contains("Set-ContainerService", exists.Exception.Message, StringComparison.Ordinal);

                // Scale up and down.
                var scaled = Assert.Single(Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Replicas 3 -Wait -PassThru").AssertSuccess().Objects<ContainerService>());
                Assert.Equal(3, scaled.RunningTasks);
                Assert.Equal("3", _swarm.ManagerDocker("service", "inspect", name, "--format", "{{.Spec.Mode.Replicated.Replicas}}"));
                scaled = Assert.Single(Shell.Invoke($"Get-ContainerService -Engine {Engine} {name} | Set-ContainerService -Replicas 1 -Wait -PassThru").AssertSuccess().Objects<ContainerService>());
                Assert.Equal(1, scaled.Replicas);
                Assert.Equal(1, scaled.RunningTasks);

                // Nothing to change: no update is sent (the version stays), and verbose says so.
                var noop = Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Replicas 1 -Environment @{{ LEVEL = '1' }} -Verbose -PassThru").AssertSuccess();
                Assert.Equal(scaled.Version, Assert.Single(noop.Objects<ContainerService>()).Version);
                Assert.Contains(noop.Verbose, v => v.Contains("no update sent", StringComparison.Ordinal));
                Assert.Equal(scaled.Version, _swarm.ServiceVersion(name));

                // Environment: add one, remove one; the running task has the new environment.
                Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Environment @{{ COLOR = 'blue' }} -RemoveEnvironment GREETING -Wait").AssertSuccess();
                Assert.Equal("[COLOR=blue LEVEL=1]", _swarm.ManagerDocker("service", "inspect", name, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Env}}"));
                var running = Assert.Single(Shell.Invoke($"Get-ContainerServiceTask -Engine {Engine} -Service {name} -DesiredState Running").AssertSuccess().Objects<ContainerServiceTask>());
                Assert.Equal("[COLOR=blue LEVEL=1]", _swarm.ManagerDocker("inspect", running.Id, "--format", "{{.Spec.ContainerSpec.Env}}"));
                Assert.Contains(Shell.Invoke($"Get-ContainerServiceTask -Engine {Engine} -Service {name} -DesiredState Shutdown").AssertSuccess().Objects<ContainerServiceTask>(),
                    t => t.DesiredState == "Shutdown");

                // A rolling image update, two at a time as the service's update config says.
                Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Replicas 2 -Wait").AssertSuccess();
                var rolled = Assert.Single(Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Image {TwoNodeSwarm.SecondImage} -Wait -PassThru")
                    .AssertSuccess().Objects<ContainerService>());
                Assert.Equal(TwoNodeSwarm.SecondImage, rolled.Image);
                Assert.Equal(2, rolled.RunningTasks);
                Assert.Equal(2, rolled.UpdateConfig!.Parallelism);
                Assert.Equal("completed", rolled.UpdateState);
                var newTasks = Shell.Invoke($"Get-ContainerServiceTask -Engine {Engine} -Service {name} -DesiredState Running").AssertSuccess().Objects<ContainerServiceTask>().ToList();
                Assert.Equal(2, newTasks.Count);
                Assert.All(newTasks, t => Assert.Equal(TwoNodeSwarm.SecondImage, t.Image));
                Assert.Equal(TwoNodeSwarm.SecondImage, _swarm.ManagerDocker("service", "inspect", name, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}"));

                // -Force redeploys even without a change.
                var before = rolled.Version;
                var forced = Assert.Single(Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Force -Wait -PassThru").AssertSuccess().Objects<ContainerService>());
                Assert.True(forced.Version > before);

                // Removing is idempotent; afterwards the service is not found.
                Shell.Invoke($"Remove-ContainerService -Engine {Engine} -Name {name} -Confirm:$false").AssertSuccess();
                Assert.NotEqual(0, _swarm.Lab.Docker("--context", Engine, "service", "inspect", name).ExitCode);
                var gone = Shell.Invoke($"Remove-ContainerService -Engine {Engine} -Name {name} -Confirm:$false -Verbose").AssertSuccess();
                Assert.Contains(gone.Verbose, v => v.Contains("nothing to remove", StringComparison.Ordinal));
                var missing = Assert.Single(Shell.Invoke($"Get-ContainerService -Engine {Engine} -Name {name}").Errors);
                Assert.Equal("ServiceNotFound", missing.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.ObjectNotFound, missing.CategoryInfo.Category);
                Assert.Equal("ServiceNotFound", Assert.Single(Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Replicas 2").Errors).FullyQualifiedErrorId.Split(',')[0]);
            }
            finally
            {
                _swarm.Lab.Docker("--context", Engine, "service", "rm", name);
            }
        }

        [Fact]
        public void AConstraintNoNodeSatisfiesFailsTheWaitAndLeavesTheServiceToFix()
        {
            var name = TestEngine.UniqueName("svc");
            try
            {
                var result = Shell.Invoke($"New-ContainerService -Engine {Engine} -Name {name} -Image {TestEngine.Image} -Command sleep,3600 -Constraint 'node.labels.nobody==here' -StopGracePeriod 00:00:01 -Wait -Timeout 60");
                var error = Assert.Single(result.Errors);
                Assert.Equal("ServiceConvergeFailed", error.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("no suitable node", error.Exception.Message, StringComparison.Ordinal);
                Assert.Contains("Remove-ContainerService", error.Exception.Message, StringComparison.Ordinal);
                // Left there to fix: dropping the constraint lets it converge.
                Assert.Equal(0, _swarm.Lab.Docker("--context", Engine, "service", "inspect", name).ExitCode);
                var fixedService = Assert.Single(Shell.Invoke($"Set-ContainerService -Engine {Engine} -Name {name} -Constraint @() -Wait -PassThru").AssertSuccess().Objects<ContainerService>());
                Assert.Equal(1, fixedService.RunningTasks);

                // -WhatIf creates nothing.
                var other = TestEngine.UniqueName("svc");
                Shell.Invoke($"New-ContainerService -Engine {Engine} -Name {other} -Image {TestEngine.Image} -WhatIf").AssertSuccess();
                Assert.NotEqual(0, _swarm.Lab.Docker("--context", Engine, "service", "inspect", other).ExitCode);
            }
            finally
            {
                _swarm.Lab.Docker("--context", Engine, "service", "rm", name);
            }
        }

        [Fact]
        public void AWorkerOrAnEngineInNoSwarmIsAClearError()
        {
            var fromWorker = Assert.Single(Shell.Invoke($"Get-ContainerService -Engine {_swarm.Worker}").Errors);
            Assert.Equal("NotSwarmManager", fromWorker.FullyQualifiedErrorId.Split(',')[0]);

            var lone = TestEngine.UniqueName("ctm");
            Shell.Invoke($"New-ContainerMachine {lone}").AssertSuccess();
            try
            {
                var error = Assert.Single(Shell.Invoke($"New-ContainerService -Engine {lone} -Name x -Image {TestEngine.Image}").Errors);
                Assert.Equal("SwarmNotActive", error.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("Initialize-ContainerSwarm", error.Exception.Message, StringComparison.Ordinal);
                Assert.Equal("SwarmNotActive", Assert.Single(Shell.Invoke($"Get-ContainerServiceTask -Engine {lone}").Errors).FullyQualifiedErrorId.Split(',')[0]);
            }
            finally
            {
                Shell.Invoke($"Remove-ContainerMachine {lone} -Force -Confirm:$false");
            }
        }
    }
}
