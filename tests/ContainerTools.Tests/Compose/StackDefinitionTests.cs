using System;
using System.Linq;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Swarm;
using Xunit;

namespace ContainerTools.Tests.Compose
{
    /// <summary>Compose projects converted to stacks as docker stack deploy converts them (no engine needed).</summary>
    public sealed class StackDefinitionTests : IDisposable
    {
        private readonly ComposeFolder _folder = new ComposeFolder("stackproj");

        public void Dispose() => _folder.Dispose();

        [Fact]
        public void ServicesNetworksAndVolumesAreNamespacedAndLabelled()
        {
            _folder.Write("compose.yaml", @"
services:
  web:
    image: web:1
    build: ./web
    entrypoint: [/bin/sh, -c]
    command: [echo hi]
    environment: {MODE: demo}
    labels: {tier: web}
    ports: ['8080:80', {target: 53, published: 5353, protocol: udp, mode: host}]
    volumes: [data:/data:ro, shared:/shared, /srv:/srv]
    networks:
      front: {aliases: [www]}
      outside: {}
    depends_on: [db]
    restart: always
    container_name: fixed
    deploy:
      replicas: 3
      labels: {team: tools}
      resources: {limits: {cpus: '0.5', memory: 64M}}
      restart_policy: {condition: on-failure, max_attempts: 2}
      placement: {constraints: [node.role==worker]}
      update_config: {parallelism: 2, order: start-first}
    healthcheck: {test: [CMD, true], interval: 2s, retries: 3}
    stop_grace_period: 3s
  db:
    image: db:1
    deploy: {mode: global}
volumes:
  data: {labels: {kind: data}}
  shared: {external: true, name: common}
networks:
  front: {}
  outside: {external: true, name: corp}
");
            var stack = StackDefinition.FromCompose(_folder.Load(), "shop");
            Assert.Equal("shop", stack.Name);
            Assert.Equal(new[] { "shop_web", "shop_db" }, stack.Services.Select(s => s.Name).OrderByDescending(n => n));

            var web = stack.Services.Single(s => s.Name == "shop_web");
            Assert.Equal("web:1", web.Image);
            Assert.Equal(3, web.Replicas);
            Assert.Equal("shop", web.Labels[StackDefinition.NamespaceLabel]);
            Assert.Equal("web:1", web.Labels[StackDefinition.ImageLabel]);
            Assert.Equal("tools", web.Labels["team"]);
            Assert.False(web.Labels.ContainsKey("tier"));
            Assert.Equal("web", web.ContainerLabels["tier"]);
            Assert.Equal("shop", web.ContainerLabels[StackDefinition.NamespaceLabel]);
            Assert.Equal(new[] { "/bin/sh", "-c" }, web.Command);
            Assert.Equal(new[] { "echo hi" }, web.Args);
            Assert.Equal("demo", web.Environment["MODE"]);
            Assert.Equal(0.5, web.CpuLimit);
            Assert.Equal(64L << 20, web.MemoryLimit);
            Assert.Equal("on-failure", web.RestartPolicy!.Condition);
            Assert.Equal(2, web.RestartPolicy.MaxAttempts);
            Assert.Equal(new[] { "node.role==worker" }, web.Constraints);
            Assert.Equal(2, web.UpdateConfig!.Parallelism);
            Assert.Equal("start-first", web.UpdateConfig.Order);
            Assert.Equal(new[] { "CMD", "true" }, web.Healthcheck!.Test);
            Assert.Equal(TimeSpan.FromSeconds(3), web.StopGracePeriod);

            Assert.Contains(web.Ports, p => p.Published == 8080 && p.Target == 80 && p.Mode == ServicePortMode.Ingress);
            Assert.Contains(web.Ports, p => p.Published == 5353 && p.Protocol == "udp" && p.Mode == ServicePortMode.Host);

            var data = web.Mounts.Single(m => m.Target == "/data");
            Assert.Equal("shop_data", data.Source);
            Assert.True(data.ReadOnly);
            Assert.Equal("shop", data.VolumeLabels[StackDefinition.NamespaceLabel]);
            Assert.Equal("data", data.VolumeLabels["kind"]);
            var shared = web.Mounts.Single(m => m.Target == "/shared");
            Assert.Equal("common", shared.Source);
            Assert.Empty(shared.VolumeLabels);
            Assert.Equal(MountKind.Bind, web.Mounts.Single(m => m.Target == "/srv").Type);
            Assert.Equal(new[] { "shop_data" }, stack.Volumes);

            // Networks by name (ids come later), the service's name first among its aliases; external ones by their name.
            Assert.Equal(new[] { "shop_front", "corp" }, web.Networks.Select(n => n.Target));
            Assert.Equal(new[] { "web", "www" }, web.Networks[0].Aliases);
            var front = stack.Networks.Single(n => n.Name == "shop_front");
            Assert.False(front.External);
            Assert.Equal("overlay", front.CreateSpec!.Driver);
            Assert.Equal("shop", front.CreateSpec.Labels[StackDefinition.NamespaceLabel]);
            Assert.True(stack.Networks.Single(n => n.Name == "corp").External);

            // db names no network: it joins the stack's default network.
            var db = stack.Services.Single(s => s.Name == "shop_db");
            Assert.True(db.Global);
            Assert.Equal("shop_default", Assert.Single(db.Networks).Target);
            Assert.Contains(stack.Networks, n => n.Name == "shop_default" && !n.External);

            foreach (var option in new[] { "build", "depends_on", "restart", "container_name" })
            {
                Assert.Contains(stack.Warnings, w => w.StartsWith("Service 'web': " + option + " ", StringComparison.Ordinal));
            }

            Assert.Contains(stack.Warnings, w => w.Contains("deploy.restart_policy", StringComparison.Ordinal));
        }

        [Fact]
        public void TheStackNameDefaultsToTheProjectName()
        {
            _folder.Write("compose.yaml", "services:\n  app:\n    image: app:1\n");
            var stack = StackDefinition.FromCompose(_folder.Load());
            Assert.Equal("stackproj", stack.Name);
            Assert.Equal("stackproj_app", Assert.Single(stack.Services).Name);
            Assert.Equal(1, stack.Services[0].Replicas);
            Assert.Empty(stack.Warnings);
        }

        [Fact]
        public void BuildWithoutImageIsAClearError()
        {
            _folder.Write("compose.yaml", "services:\n  app:\n    build: ./app\n");
            var error = Assert.Throws<InvalidSpecException>(() => StackDefinition.FromCompose(_folder.Load(), "s"));
            Assert.Equal("StackImageRequired", error.ErrorId);
            Assert.Contains("image:", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AJobModeIsAClearError()
        {
            _folder.Write("compose.yaml", "services:\n  app:\n    image: app:1\n    deploy: {mode: replicated-job}\n");
            Assert.Equal("StackModeNotSupported", Assert.Throws<InvalidSpecException>(() => StackDefinition.FromCompose(_folder.Load(), "s")).ErrorId);
        }
    }
}
