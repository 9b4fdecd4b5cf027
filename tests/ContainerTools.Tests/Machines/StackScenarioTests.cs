using System;
using System.Collections;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Compose;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>
    /// The multi-node scenario of stacks: the example compose app deployed as a stack, then a stack spread over a manager
    /// and a worker, scaled, rolled to a new image, and rescheduled on the manager when the worker's engine stops. Its own
    /// swarm (the worker ends stopped); never the shared test engine.
    /// </summary>
    [Collection(MachineCollection.Name)]
    public sealed class StackScenarioTests : IClassFixture<TwoNodeSwarm>, IDisposable
    {
        private const string Namespace = "com.docker.stack.namespace";
        private readonly TwoNodeSwarm _swarm;
        private readonly ComposeFolder _folder = new ComposeFolder("scenario");

        public StackScenarioTests(TwoNodeSwarm swarm)
        {
            _swarm = swarm;
        }

        private PowerShellSession Shell => _swarm.Shell;

        private string Manager => _swarm.Manager;

        public void Dispose() => _folder.Dispose();

        private string Docker(params string[] args) => _swarm.ManagerDocker(args);

        private long Version(string service) => _swarm.ServiceVersion(service);

        private PowerShellResult Publish(string stack, string path, string extra = "") =>
            Shell.Invoke($"Publish-ContainerStack -Engine {Manager} -Path $path -Name {stack} {extra}", new Hashtable { ["path"] = path });

        // "NODEID state image" of each task the swarm wants running (by node id, which is what the engine records).
        private string[] RunningTasks(string service)
        {
            var ids = Docker("service", "ps", service, "--filter", "desired-state=running", "--no-trunc", "--format", "{{.ID}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return ids.Length == 0 ? ids : Docker(new[] { "inspect", "--format", "{{.NodeID}} {{.Status.State}} {{.Spec.ContainerSpec.Image}}" }.Concat(ids).ToArray())
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        private static string Spread(int replicas, string image) => $@"
services:
  spread:
    image: {image}
    command: [sleep, '3600']
    stop_grace_period: 1s
    networks: [mesh]
    deploy:
      replicas: {replicas}
      update_config: {{parallelism: 1}}
  other:
    image: {TestEngine.Image}
    command: [sleep, '3600']
    stop_grace_period: 1s
    networks: [mesh]
    deploy:
      placement: {{constraints: [node.role==manager]}}
networks:
  mesh: {{}}
";

        [Fact]
        public void StacksSpreadScaleRollAndSurviveALostWorker()
        {
            var app = TestEngine.UniqueName("app");
            var stack = TestEngine.UniqueName("stk");
            var managerNode = Docker("info", "--format", "{{.Swarm.NodeID}}");
            var workerNode = _swarm.Lab.DockerChecked("--context", _swarm.Worker, "info", "--format", "{{.Swarm.NodeID}}");
            try
            {
                // Nodes notice a lost peer after a few heartbeats: 1 s instead of 5 s.
                Docker("swarm", "update", "--dispatcher-heartbeat", "1s");

                // The example compose app, unchanged, plus an override naming the images (machines cannot pull or share
                // images): its web image is built on each node, where busybox is the test image.
                var example = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "examples", "compose-app"));
                var webImage = app + "-web:1";
                foreach (var node in new[] { Manager, _swarm.Worker })
                {
                    _swarm.Lab.DockerChecked("--context", node, "tag", TestEngine.Image, "busybox:latest");
                    Shell.Invoke($"New-ContainerImage -Engine {node} -Path $web -Tag {webImage}", new Hashtable { ["web"] = Path.Combine(example, "web") }).AssertSuccess();
                }

                var overrideFile = _folder.Write("images.yaml", $"services:\n  web:\n    image: {webImage}\n");
                var deployed = Shell.Invoke($"Publish-ContainerStack -Engine {Manager} -Path $files -Name {app} -Wait -PassThru",
                    new Hashtable { ["files"] = new[] { Path.Combine(example, "compose.yaml"), overrideFile } }).AssertSuccess();
                Assert.Equal(2, Assert.Single(deployed.Objects<ContainerStack>()).Services);
                Assert.Contains(deployed.Warnings, w => w.StartsWith("Service 'web': build ", StringComparison.Ordinal));
                Assert.Contains(deployed.Warnings, w => w.StartsWith("Service 'web': depends_on ", StringComparison.Ordinal));
                Assert.Equal(new[] { app + "_store 1/1", app + "_web 1/1" },
                    Docker("stack", "services", app, "--format", "{{.Name}} {{.Replicas}}").Split('\n').OrderBy(l => l, StringComparer.Ordinal));
                Assert.Equal(new[] { app + "_back", app + "_front" },
                    Docker("network", "ls", "--filter", $"label={Namespace}={app}", "--format", "{{.Name}}").Split('\n').OrderBy(l => l, StringComparer.Ordinal));
                Shell.Invoke($"Remove-ContainerStack -Engine {Manager} {app} -Volumes").AssertSuccess();
                Assert.Equal(string.Empty, Docker("service", "ls", "--filter", $"label={Namespace}={app}", "-q"));

                // Four replicas spread over both nodes.
                var file = _folder.Write("compose.yaml", Spread(4, TestEngine.Image));
                Publish(stack, file, "-Wait").AssertSuccess();
                var tasks = RunningTasks(stack + "_spread");
                Assert.Equal(4, tasks.Length);
                Assert.Contains(tasks, t => t.StartsWith(managerNode + " ", StringComparison.Ordinal));
                Assert.Contains(tasks, t => t.StartsWith(workerNode + " ", StringComparison.Ordinal));
                var otherVersion = Version(stack + "_other");

                // Scaled by the file.
                _folder.Write("compose.yaml", Spread(6, TestEngine.Image));
                Publish(stack, file, "-Wait").AssertSuccess();
                Assert.Equal(6, RunningTasks(stack + "_spread").Count(t => t.Contains(" running ", StringComparison.Ordinal)));
                Assert.Equal(otherVersion, Version(stack + "_other"));

                // A rolling update to a new image, one task at a time; the other service is untouched.
                _folder.Write("compose.yaml", Spread(6, TwoNodeSwarm.SecondImage));
                var rolled = Publish(stack, file, "-Wait -Verbose").AssertSuccess();
                Assert.Contains(rolled.Verbose, v => v.Contains("TaskTemplate.ContainerSpec.Image", StringComparison.Ordinal));
                tasks = RunningTasks(stack + "_spread");
                Assert.Equal(6, tasks.Length);
                Assert.All(tasks, t => Assert.EndsWith(" " + TwoNodeSwarm.SecondImage, t, StringComparison.Ordinal));
                Assert.Equal("1", Docker("service", "inspect", stack + "_spread", "--format", "{{.Spec.UpdateConfig.Parallelism}}"));
                Assert.Equal("completed", Docker("service", "inspect", stack + "_spread", "--format", "{{.UpdateStatus.State}}"));
                Assert.Equal(otherVersion, Version(stack + "_other"));

                // The worker's engine stops: its tasks are rescheduled on the manager, back to six running.
                Shell.Invoke($"Stop-ContainerMachine {_swarm.Worker}").AssertSuccess();
                var watch = Stopwatch.StartNew();
                while (true)
                {
                    tasks = RunningTasks(stack + "_spread");
                    var running = tasks.Where(t => t.Contains(" running ", StringComparison.Ordinal)).ToList();
                    if (running.Count == 6 && tasks.Length == 6 && running.All(t => t.StartsWith(managerNode + " ", StringComparison.Ordinal)))
                    {
                        break;
                    }

                    Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), "The worker's tasks were not rescheduled on the manager: " + string.Join("; ", tasks));
                    Thread.Sleep(1000);
                }

                Assert.Equal("down", Docker("node", "inspect", workerNode, "--format", "{{.Status.State}}"));

                // Teardown leaves nothing of the stack on the swarm.
                Shell.Invoke($"Get-ContainerStack -Engine {Manager} -Name {stack} | Remove-ContainerStack -Volumes").AssertSuccess();
                Assert.Equal(string.Empty, Docker("service", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
                Assert.Equal(string.Empty, Docker("network", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
                Assert.DoesNotContain(Shell.Invoke($"Get-ContainerStack -Engine {Manager}").AssertSuccess().Objects<ContainerStack>(), s => s.Name == stack || s.Name == app);
            }
            finally
            {
                _swarm.Lab.Docker("--context", Manager, "stack", "rm", app);
                _swarm.Lab.Docker("--context", Manager, "stack", "rm", stack);
            }
        }
    }
}
