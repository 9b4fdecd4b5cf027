using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Compose;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>Publish-/Get-/Remove-ContainerStack on a real two-node swarm (never on the shared test engine); the docker CLI is the oracle.</summary>
    [Collection(MachineCollection.Name)]
    public sealed class StackCmdletTests : IClassFixture<TwoNodeSwarm>, IDisposable
    {
        private const string Namespace = "com.docker.stack.namespace";
        private readonly TwoNodeSwarm _swarm;
        private readonly ComposeFolder _folder = new ComposeFolder("stackapp");

        public StackCmdletTests(TwoNodeSwarm swarm)
        {
            _swarm = swarm;
        }

        private PowerShellSession Shell => _swarm.Shell;

        private string Engine => _swarm.Manager;

        public void Dispose() => _folder.Dispose();

        private static string File(string webMode, int storeReplicas, bool withStore = true) => $@"
services:
  web:
    image: {TestEngine.Image}
    command: [sleep, '3600']
    environment: {{MODE: {webMode}}}
    ports: ['18090:80']
    volumes: [data:/data]
    networks:
      front: {{aliases: [www]}}
      back: {{}}
    labels: {{tier: web}}
    stop_grace_period: 1s
    deploy:
      replicas: 2
      labels: {{team: tools}}
      update_config: {{parallelism: 2}}
      restart_policy: {{condition: any, delay: 1s}}
      resources: {{limits: {{memory: 64M}}}}
" + (withStore ? $@"    depends_on: [store]
  store:
    image: {TestEngine.Image}
    command: [sleep, '3600']
    networks: [back]
    stop_grace_period: 1s
    deploy: {{replicas: {storeReplicas}, placement: {{constraints: [node.role==manager]}}}}
    healthcheck: {{test: [CMD, 'true'], interval: 1s}}
    hostname: store
    init: true
" : string.Empty) + @"
volumes:
  data: {}
networks:
  front: {}
  back: {}
";

        private string Docker(params string[] args) => _swarm.ManagerDocker(args);

        private long Version(string service) => _swarm.ServiceVersion(service);

        private PowerShellResult Publish(string stack, string extra = "") =>
            Shell.Invoke($"Publish-ContainerStack -Engine {Engine} -Path $path -Name {stack} {extra}", new Hashtable { ["path"] = System.IO.Path.Combine(_folder.Directory, "compose.yaml") });

        [Fact]
        public void StackIsPublishedConvergedPrunedAndRemoved()
        {
            var stack = TestEngine.UniqueName("stk");
            try
            {
                _folder.Write("compose.yaml", File("one", 1));
                var first = Publish(stack, "-Wait -PassThru -Verbose").AssertSuccess();
                var published = Assert.Single(first.Objects<ContainerStack>());
                Assert.Equal(stack, published.Name);
                Assert.Equal(2, published.Services);
                Assert.Equal(new[] { stack + "_store", stack + "_web" }, published.ServiceNames);
                Assert.Contains(first.Warnings, w => w.Contains("depends_on", StringComparison.Ordinal));

                // The CLI sees the stack, its services converged, and its tasks.
                Assert.Contains(stack + " 2", Docker("stack", "ls", "--format", "{{.Name}} {{.Services}}").Split('\n'));
                Assert.Equal(new[] { stack + "_store 1/1", stack + "_web 2/2" },
                    Docker("stack", "services", stack, "--format", "{{.Name}} {{.Replicas}}").Split('\n').OrderBy(l => l, StringComparer.Ordinal));
                Assert.Equal(3, Docker("stack", "ps", stack, "--filter", "desired-state=running", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

                // Networks: overlay, labelled, named STACK_KEY.
                Assert.Equal(new[] { stack + "_back overlay", stack + "_front overlay" },
                    Docker("network", "ls", "--filter", $"label={Namespace}={stack}", "--format", "{{.Name}} {{.Driver}}").Split('\n').OrderBy(l => l, StringComparer.Ordinal));
                var frontId = Docker("network", "inspect", stack + "_front", "--format", "{{.Id}}");
                var backId = Docker("network", "inspect", stack + "_back", "--format", "{{.Id}}");

                using (var inspect = JsonDocument.Parse(Docker("service", "inspect", stack + "_web", "--format", "{{json .Spec}}")))
                {
                    var spec = inspect.RootElement;
                    Assert.Equal(stack, spec.GetProperty("Labels").GetProperty(Namespace).GetString());
                    Assert.Equal(TestEngine.Image, spec.GetProperty("Labels").GetProperty("com.docker.stack.image").GetString());
                    Assert.Equal("tools", spec.GetProperty("Labels").GetProperty("team").GetString());
                    var container = spec.GetProperty("TaskTemplate").GetProperty("ContainerSpec");
                    Assert.Equal("web", container.GetProperty("Labels").GetProperty("tier").GetString());
                    Assert.Equal(stack, container.GetProperty("Labels").GetProperty(Namespace).GetString());
                    Assert.Equal(new[] { "MODE=one" }, container.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
                    var mount = Assert.Single(container.GetProperty("Mounts").EnumerateArray());
                    Assert.Equal(stack + "_data", mount.GetProperty("Source").GetString());
                    Assert.Equal(stack, mount.GetProperty("VolumeOptions").GetProperty("Labels").GetProperty(Namespace).GetString());
                    var networks = spec.GetProperty("TaskTemplate").GetProperty("Networks").EnumerateArray().ToList();
                    Assert.Equal(new[] { backId, frontId }, networks.Select(n => n.GetProperty("Target").GetString()));
                    Assert.Equal(new[] { "web", "www" }, networks[1].GetProperty("Aliases").EnumerateArray().Select(a => a.GetString()));
                    Assert.Equal(new[] { "web" }, networks[0].GetProperty("Aliases").EnumerateArray().Select(a => a.GetString()));
                    Assert.Equal(18090, spec.GetProperty("EndpointSpec").GetProperty("Ports")[0].GetProperty("PublishedPort").GetInt32());
                    Assert.Equal(2, spec.GetProperty("UpdateConfig").GetProperty("Parallelism").GetInt32());
                }

                // The volume a task created carries the stack's label (on whichever node ran it).
                var volumes = new[] { Engine, _swarm.Worker }.SelectMany(n => _swarm.Lab.DockerChecked("--context", n, "volume", "ls", "--filter", $"label={Namespace}={stack}", "--format", "{{.Name}}")
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList();
                Assert.Equal(new[] { stack + "_data" }, volumes);

                // The same file again: nothing is updated.
                var webVersion = Version(stack + "_web");
                var storeVersion = Version(stack + "_store");
                var again = Publish(stack, "-Verbose").AssertSuccess();
                Assert.Contains(again.Verbose, v => v.Contains("unchanged", StringComparison.Ordinal));
                Assert.DoesNotContain(again.Verbose, v => v.Contains("Update service", StringComparison.Ordinal));
                Assert.Equal(webVersion, Version(stack + "_web"));
                Assert.Equal(storeVersion, Version(stack + "_store"));

                // One service's environment changes: only it is updated.
                _folder.Write("compose.yaml", File("two", 1));
                Publish(stack, "-Wait").AssertSuccess();
                Assert.True(Version(stack + "_web") > webVersion);
                Assert.Equal(storeVersion, Version(stack + "_store"));
                Assert.Equal("[MODE=two]", Docker("service", "inspect", stack + "_web", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Env}}"));

                // Replicas change: scaled.
                _folder.Write("compose.yaml", File("two", 2));
                Publish(stack, "-Wait").AssertSuccess();
                Assert.Equal("2/2", Docker("service", "ls", "--filter", "name=" + stack + "_store", "--format", "{{.Replicas}}"));

                // Get by wildcard, and the docker stack ls table.
                var listed = Assert.Single(Shell.Invoke($"Get-ContainerStack -Engine {Engine} -Name '{stack.Substring(0, stack.Length - 2)}*'").AssertSuccess().Objects<ContainerStack>());
                Assert.Equal(2, listed.Services);
                Assert.Matches(@"NAME\s+SERVICES", Shell.Render($"Get-ContainerStack -Engine {Engine} -Name {stack}"));
                Assert.Equal("StackNotFound", Assert.Single(Shell.Invoke($"Get-ContainerStack -Engine {Engine} -Name {stack}-none").Errors).FullyQualifiedErrorId.Split(',')[0]);

                // A dropped service stays without -Prune, and goes with it.
                _folder.Write("compose.yaml", File("two", 2, withStore: false));
                Publish(stack).AssertSuccess();
                Assert.Equal(0, _swarm.Lab.Docker("--context", Engine, "service", "inspect", stack + "_store").ExitCode);
                Publish(stack, "-Prune").AssertSuccess();
                Assert.NotEqual(0, _swarm.Lab.Docker("--context", Engine, "service", "inspect", stack + "_store").ExitCode);

                // -WhatIf on Remove changes nothing; Remove by the pipeline leaves no service, network or (with -Volumes) volume here.
                Shell.Invoke($"Remove-ContainerStack -Engine {Engine} {stack} -WhatIf").AssertSuccess();
                Assert.Equal(0, _swarm.Lab.Docker("--context", Engine, "service", "inspect", stack + "_web").ExitCode);
                Shell.Invoke($"Get-ContainerStack -Engine {Engine} -Name {stack} | Remove-ContainerStack -Volumes -Confirm:$false").AssertSuccess();
                Assert.Equal(string.Empty, Docker("service", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
                Assert.Equal(string.Empty, Docker("network", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
                Assert.Equal(string.Empty, Docker("volume", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
                Assert.DoesNotContain(Shell.Invoke($"Get-ContainerStack -Engine {Engine}").AssertSuccess().Objects<ContainerStack>(), s => s.Name == stack);
                // Again: nothing to remove, no error.
                Shell.Invoke($"Remove-ContainerStack -Engine {Engine} -Name {stack} -Volumes -Confirm:$false").AssertSuccess();
            }
            finally
            {
                _swarm.Lab.Docker("--context", Engine, "stack", "rm", stack);
            }
        }

        [Fact]
        public void WhatSwarmCannotDoIsAClearError()
        {
            var stack = TestEngine.UniqueName("stk");
            try
            {
                _folder.Write("compose.yaml", "services:\n  app:\n    build: ./app\n");
                var build = Assert.Single(Publish(stack).Errors);
                Assert.Equal("StackImageRequired", build.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.InvalidArgument, build.CategoryInfo.Category);

                _folder.Write("compose.yaml", $"services:\n  app:\n    image: {TestEngine.Image}\n    networks: [corp]\nnetworks:\n  corp: {{external: true, name: {stack}-corp}}\n");
                var external = Assert.Single(Publish(stack).Errors);
                Assert.Equal("StackNetworkNotFound", external.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.ObjectNotFound, external.CategoryInfo.Category);
                Assert.Contains("New-ContainerNetwork", external.Exception.Message, StringComparison.Ordinal);

                _folder.Write("compose.yaml", $"services:\n  app:\n    image: {TestEngine.Image}\n");
                var worker = Assert.Single(Shell.Invoke($"Publish-ContainerStack -Engine {_swarm.Worker} -Path $path -Name {stack}",
                    new Hashtable { ["path"] = System.IO.Path.Combine(_folder.Directory, "compose.yaml") }).Errors);
                Assert.Equal("NotSwarmManager", worker.FullyQualifiedErrorId.Split(',')[0]);

                // -WhatIf creates nothing.
                Publish(stack, "-WhatIf").AssertSuccess();
                Assert.Equal(string.Empty, Docker("service", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
                Assert.Equal(string.Empty, Docker("network", "ls", "--filter", $"label={Namespace}={stack}", "-q"));
            }
            finally
            {
                _swarm.Lab.Docker("--context", Engine, "stack", "rm", stack);
            }
        }
    }
}
