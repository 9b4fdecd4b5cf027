using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ContainerTools.Engine;
using ContainerTools.Engine.Swarm;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    public sealed class ServiceSpecificationTests
    {
        [Fact]
        public void PortsParseWithDockersShortSyntaxAndRefuseAHostAddress()
        {
            var port = Assert.Single(ServicePort.Parse("8080:80/udp"));
            Assert.Equal((80, 8080, "udp", ServicePortMode.Ingress), (port.Target, port.Published!.Value, port.Protocol, port.Mode));
            Assert.Null(Assert.Single(ServicePort.Parse("80")).Published);
            Assert.Equal(new[] { 80, 81 }, ServicePort.Parse("8080-8081:80-81").Select(p => p.Target));
            var error = Assert.Throws<InvalidSpecException>(() => ServicePort.Parse("127.0.0.1:8080:80"));
            Assert.Equal("InvalidPublish", error.ErrorId);
        }

        [Fact]
        public void ASpecRoundTripsThroughTheEnginesJsonAndDifferencesNameTheChangedSettings()
        {
            var spec = new ServiceSpecification
            {
                Name = "web",
                Image = "busybox",
                Replicas = 3,
                Args = new List<string> { "sleep", "60" },
                Ports = new List<ServicePort> { new ServicePort(80, 8080) },
                Constraints = new List<string> { "node.role==worker" },
                MemoryLimit = 64L << 20,
                UpdateConfig = new ServiceUpdateConfig { Parallelism = 2, Delay = TimeSpan.FromSeconds(5), FailureAction = "rollback" },
                StopGracePeriod = TimeSpan.FromSeconds(1),
            };
            spec.Environment["B"] = "2";
            spec.Environment["A"] = "1";
            spec.Mounts.Add(new ServiceMount(ContainerTools.Engine.Containers.MountKind.Volume, "data", "/data", readOnly: true));

            var json = JsonSerializer.Serialize(ServiceSpecJson.ToEngine(spec));
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            Assert.Equal(3, root.GetProperty("Mode").GetProperty("Replicated").GetProperty("Replicas").GetInt32());
            Assert.Equal(new[] { "A=1", "B=2" }, root.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(5_000_000_000L, root.GetProperty("UpdateConfig").GetProperty("Delay").GetInt64());
            Assert.Equal("ingress", root.GetProperty("EndpointSpec").GetProperty("Ports")[0].GetProperty("PublishMode").GetString());

            var back = ServiceSpecJson.FromEngine(root);
            Assert.Empty(spec.Differences(back));
            var changed = back.Clone();
            changed.Image = "busybox:2";
            changed.Replicas = 1;
            Assert.Equal(new[] { "Mode", "TaskTemplate.ContainerSpec.Image" }, spec.Differences(changed).OrderBy(d => d, StringComparer.Ordinal));
            Assert.Equal("busybox", back.Image); // a clone is a copy
        }

        [Fact]
        public void AnUpdateWritesOnlyWhatChangedAndKeepsWhatTheEngineAdded()
        {
            const string stored = @"{""Name"":""web"",""Mode"":{""Replicated"":{""Replicas"":2}},""EndpointSpec"":{""Mode"":""vip""},
                ""TaskTemplate"":{""ContainerSpec"":{""Image"":""busybox"",""Env"":[""Z=1"",""A=2""],""Isolation"":""default""},""ForceUpdate"":0,""Runtime"":""container""}}";
            using var doc = JsonDocument.Parse(stored);
            var current = ServiceSpecJson.FromEngine(doc.RootElement);
            var tree = (SortedDictionary<string, object?>)ServiceSpecJson.Tree(doc.RootElement)!;
            // Env in another order is the same environment: nothing to send.
            Assert.False(ServiceSpecJson.Apply(tree, current, current.Clone()));

            var desired = current.Clone();
            desired.Replicas = 4;
            Assert.True(ServiceSpecJson.Apply(tree, current, desired));
            using var updated = JsonDocument.Parse(JsonSerializer.Serialize(tree));
            Assert.Equal(4, updated.RootElement.GetProperty("Mode").GetProperty("Replicated").GetProperty("Replicas").GetInt32());
            Assert.Equal("default", updated.RootElement.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Isolation").GetString());
            Assert.Equal("vip", updated.RootElement.GetProperty("EndpointSpec").GetProperty("Mode").GetString());
            Assert.Equal(new[] { "Z=1", "A=2" }, updated.RootElement.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        }
    }
}
