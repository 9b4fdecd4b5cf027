using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ContainerTools.Engine.Compose;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace ContainerTools.Tests.Compose
{
    /// <summary>
    /// docker-compose 1.29 (Compose v1, installed by tests/engine/test-engine.sh) as an independent peer, for what v1
    /// and the compose specification agree on: interpolation forms, double-quoted/exported/commented .env values,
    /// port and volume short syntax, merged files, durations and depends_on conditions. (v1 expands variables inside
    /// single-quoted .env values and has neither nested defaults nor :+ alternatives; those are covered by the unit tests instead.)
    /// </summary>
    public class ComposePeerTests
    {
        private static YamlMappingNode PeerConfig(ComposeFolder folder, Dictionary<string, string> environment, params string[] files)
        {
            var start = new ProcessStartInfo("docker-compose") { WorkingDirectory = folder.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var f in files)
            {
                start.ArgumentList.Add("-f");
                start.ArgumentList.Add(f);
            }

            start.ArgumentList.Add("config");
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("COMPOSE_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(key);
            }

            foreach (var pair in environment)
            {
                start.Environment[pair.Key] = pair.Value;
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "docker-compose config failed: " + stderr);
            var yaml = new YamlStream();
            yaml.Load(new StringReader(stdout.Result));
            return (YamlMappingNode)yaml.Documents[0].RootNode;
        }

        private static YamlNode At(YamlNode node, params string[] path) =>
            path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

        private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

        /// <summary>A v1 port entry (short string or long mapping) as our ToString() writes it.</summary>
        private static string PeerPort(YamlNode entry)
        {
            if (entry is YamlMappingNode long_)
            {
                var target = Text(long_, "target");
                var protocol = long_.Children.ContainsKey(new YamlScalarNode("protocol")) ? Text(long_, "protocol") : "tcp";
                return long_.Children.ContainsKey(new YamlScalarNode("published")) ? $"{Text(long_, "published")}->{target}/{protocol}" : $"{target}/{protocol}";
            }

            var text = ((YamlScalarNode)entry).Value!;
            var slash = text.Split('/');
            var parts = slash[0].Split(':');
            var proto = slash.Length > 1 ? slash[1] : "tcp";
            return parts.Length switch
            {
                1 => $"{parts[0]}/{proto}",
                2 => $"{parts[0]}->{parts[1]}/{proto}",
                _ => $"{parts[0]}:{parts[1]}->{parts[2]}/{proto}",
            };
        }

        [Fact]
        public void Resolves_as_docker_compose_v1_does_where_the_specifications_agree()
        {
            using var folder = new ComposeFolder();
            folder.Write(".env", "TAG=1.2\nQ=\"a ${TAG} b\\tc\"\nexport E=exp # a comment\nPORT=8080\n");
            folder.Write("compose.yaml", @"
services:
  web:
    image: ""web:${TAG:-x}""
    environment:
      Q: ${Q}
      E: ${E}
      LITERAL: ""$${NOT_INTERPOLATED}""
      DEF: ${UNSET-dflt}
      EMPTY_DEF: ${EMPTY:-fallback}
      FROM_SHELL: ${SHELL_ONLY}
    ports: [""127.0.0.1:${PORT}:80/udp"", ""8000-8001:90-91"", ""99""]
    volumes: [""data:/data:ro"", ""./site:/site""]
    depends_on:
      db: {condition: service_healthy}
  db:
    image: db
    healthcheck: {test: ""true"", interval: 1m30s, timeout: 10s}
volumes:
  data:
");
            folder.Write("override.yaml", @"
services:
  web:
    environment: [E=overridden]
    ports: [""99"", ""7000:70""]
    volumes: [""./other:/site""]
");
            var environment = new Dictionary<string, string> { ["SHELL_ONLY"] = "shell", ["EMPTY"] = string.Empty, ["TAG"] = "from-shell" };
            var peer = PeerConfig(folder, environment, "compose.yaml", "override.yaml");
            var ours = folder.Load(new[] { "compose.yaml", "override.yaml" }, environment);

            var web = ours.GetService("web")!;
            Assert.Equal(Text(peer, "services", "web", "image"), web.Image);
            foreach (var key in new[] { "Q", "E", "LITERAL", "DEF", "EMPTY_DEF", "FROM_SHELL" })
            {
                // v1 writes a literal '$' back as '$$' in its output.
                Assert.Equal(Text(peer, "services", "web", "environment", key).Replace("$$", "$"), web.Environment[key]);
            }

            var peerPorts = ((YamlSequenceNode)At(peer, "services", "web", "ports")).Children.Select(PeerPort).OrderBy(p => p, StringComparer.Ordinal);
            Assert.Equal(peerPorts, web.Ports.Select(p => p.ToString()).OrderBy(p => p, StringComparer.Ordinal));

            var peerVolumes = ((YamlSequenceNode)At(peer, "services", "web", "volumes")).Children.Select(v => ((YamlScalarNode)v).Value!.Replace(":rw", string.Empty));
            Assert.Equal(peerVolumes.OrderBy(v => v, StringComparer.Ordinal), web.Volumes.Select(v => v.ToString()).OrderBy(v => v, StringComparer.Ordinal));

            Assert.Equal(Text(peer, "services", "web", "depends_on", "db", "condition"), ComposeDependency.ConditionText(web.DependsOn.Single().Condition));
            var db = ours.GetService("db")!;
            Assert.Equal(Text(peer, "services", "db", "healthcheck", "interval"), ((int)db.Healthcheck!.Interval!.Value.TotalSeconds) + "s");
            Assert.Equal(Text(peer, "services", "db", "healthcheck", "timeout"), ((int)db.Healthcheck.Timeout!.Value.TotalSeconds) + "s");
        }

        [Fact]
        public void A_missing_required_variable_fails_in_both_with_its_message()
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", "services:\n  web:\n    image: \"web:${TAG:?set TAG first}\"\n");
            var start = new ProcessStartInfo("docker-compose", "config") { WorkingDirectory = folder.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment.Remove("TAG");
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.NotEqual(0, process.ExitCode);
            Assert.Contains("set TAG first", stderr);
            var ours = Assert.Throws<ComposeFileException>(() => folder.Load());
            Assert.Contains("set TAG first", ours.Message);
        }
    }
}
