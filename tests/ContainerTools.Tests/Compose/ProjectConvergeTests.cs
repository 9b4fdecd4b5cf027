using System;
using System.Collections;
using System.Linq;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using static ContainerTools.Tests.Compose.ComposeTestProject;

namespace ContainerTools.Tests.Compose
{
    /// <summary>Start-, Stop- and Remove-ContainerProject against the real engine, with the docker CLI as the oracle.</summary>
    public sealed class ProjectConvergeTests : IClassFixture<ProjectCmdletTests.Session>, IDisposable
    {
        private readonly PowerShellSession _ps;
        private readonly ComposeFolder _folder = new ComposeFolder("app");
        private readonly string _project = "ct-test-" + Guid.NewGuid().ToString("N").Substring(0, 8);

        public ProjectConvergeTests(ProjectCmdletTests.Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose()
        {
            // Whatever the test left: everything labelled with its unique project name.
            ComposeTestProject.RemoveEverythingOf(_project);
            _folder.Dispose();
        }

        private string Compose(string webRole) => $@"
services:
  db:
    image: {TestEngine.Image}
    command: [""sh"", ""-c"", ""trap 'exit 0' TERM; touch /data/ready; while true; do sleep 1; done""]
    volumes: [data:/data]
    networks: [back]
    environment: {{ROLE: db}}
    healthcheck:
      test: [""CMD-SHELL"", ""test -f /data/ready""]
      interval: 1s
      retries: 30
  web:
    image: {TestEngine.Image}
    command: [""sh"", ""-c"", ""trap 'exit 0' TERM; while true; do sleep 1; done""]
    ports: [""127.0.0.1::80""]
    networks: [front, back]
    environment: {{ROLE: {webRole}}}
    depends_on:
      db: {{condition: service_healthy}}
volumes:
  data: {{}}
networks:
  front: {{}}
  back: {{}}
";

        // name -> id of the project's containers, as docker ps -a sees them.
        private (string Name, string Id, string Service, string Number, string OneOff, string Hash)[] Oracle() =>
            Lines(TestEngine.Docker("ps", "-a", "--filter", "label=com.docker.compose.project=" + _project, "--format",
                    "{{.Names}}|{{.ID}}|{{.Label \"com.docker.compose.service\"}}|{{.Label \"com.docker.compose.container-number\"}}|{{.Label \"com.docker.compose.oneoff\"}}|{{.Label \"com.docker.compose.config-hash\"}}"))
                .Select(l => l.Split('|')).Select(p => (p[0], p[1], p[2], p[3], p[4], p[5])).OrderBy(p => p.Item1, StringComparer.Ordinal).ToArray();

        [Fact]
        public void Start_converges_leaves_unchanged_recreates_changed_and_Remove_leaves_nothing()
        {
            var file = _folder.Write("compose.yaml", Compose("web"));
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };

            var first = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -PassThru -Verbose", vars).AssertSuccess();
            var returned = first.Objects<Container>().ToList();
            Assert.Equal(new[] { _project + "-db-1", _project + "-web-1" }, returned.Select(c => c.Name));
            Assert.Contains(first.Verbose, v => v.Contains("Waiting for db to be service_healthy before web"));
            Assert.Contains(first.Progress, p => p.StatusDescription == "Service web");

            var seen = Oracle();
            Assert.Equal(new[] { _project + "-db-1", _project + "-web-1" }, seen.Select(c => c.Name));
            Assert.All(seen, c => Assert.Equal("1", c.Number));
            Assert.All(seen, c => Assert.Equal("False", c.OneOff));
            Assert.Equal(new[] { "db", "web" }, seen.Select(c => c.Service));
            Assert.Equal(returned.Select(c => c.Id.Substring(0, 12)), seen.Select(c => c.Id));
            Assert.Equal("healthy", TestEngine.Docker("inspect", "-f", "{{.State.Health.Status}}", _project + "-db-1").Trim());
            Assert.Equal(file, TestEngine.Docker("inspect", "-f", "{{index .Config.Labels \"com.docker.compose.project.config_files\"}}", _project + "-web-1").Trim());

            // Networks and the volume, named and labelled as compose does; web on both networks with its service name as alias.
            Assert.Equal(new[] { _project + "_back", _project + "_front" },
                Lines(TestEngine.Docker("network", "ls", "--filter", "label=com.docker.compose.project=" + _project, "--format", "{{.Name}}")).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal("front", TestEngine.Docker("network", "inspect", "-f", "{{index .Labels \"com.docker.compose.network\"}}", _project + "_front").Trim());
            Assert.Equal("data", TestEngine.Docker("volume", "inspect", "-f", "{{index .Labels \"com.docker.compose.volume\"}}", _project + "_data").Trim());
            var aliases = TestEngine.Docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{join $v.Aliases \",\"}};{{end}}", _project + "-web-1");
            Assert.Contains(_project + "_front=", aliases);
            Assert.Contains(_project + "_back=", aliases);
            Assert.Matches("_front=[^;]*\\bweb\\b", aliases);
            Assert.StartsWith("127.0.0.1:", TestEngine.Docker("port", _project + "-web-1", "80").Trim());

            // Again: nothing changes.
            var again = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -Verbose", vars).AssertSuccess();
            Assert.Equal(seen.Select(c => c.Id), Oracle().Select(c => c.Id));
            Assert.Contains(again.Verbose, v => v.StartsWith("Leave container " + _project + "-web-1", StringComparison.Ordinal));

            // One service's environment edited: only that one is recreated.
            _folder.Write("compose.yaml", Compose("frontend"));
            var whatIf = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -WhatIf", vars).AssertSuccess();
            Assert.Equal(seen.Select(c => c.Id), Oracle().Select(c => c.Id));
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var after = Oracle();
            Assert.Equal(seen[0].Id, after[0].Id);
            Assert.NotEqual(seen[1].Id, after[1].Id);
            Assert.NotEqual(seen[1].Hash, after[1].Hash);
            Assert.Contains("ROLE=frontend", TestEngine.Docker("inspect", "-f", "{{join .Config.Env \" \"}}", _project + "-web-1"));

            // Stopped, then started again by the next convergence (the same containers).
            _ps.Invoke("Stop-ContainerProject -ProjectName $p", vars).AssertSuccess();
            Assert.Empty(Lines(TestEngine.Docker("ps", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            Assert.Equal(after.Select(c => c.Id), Lines(TestEngine.Docker("ps", "-q", "--filter", "label=com.docker.compose.project=" + _project)).OrderBy(i => after.ToList().FindIndex(a => a.Id == i)));

            // down from the pipeline: containers and networks go, the volume stays; -Volumes removes it too.
            _ps.Invoke("Get-ContainerProject -Name $p | Remove-ContainerProject", vars).AssertSuccess();
            Assert.Empty(Oracle());
            Assert.Empty(Lines(TestEngine.Docker("network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
            Assert.Single(Lines(TestEngine.Docker("volume", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
            _ps.Invoke("Remove-ContainerProject -Path $file -ProjectName $p -Volumes", vars).AssertSuccess();
            Assert.Empty(Lines(TestEngine.Docker("volume", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
        }

        [Fact]
        public void WhatIf_changes_nothing_and_a_missing_image_names_the_service_and_the_next_start_repairs()
        {
            var file = _folder.Write("compose.yaml", $"services:\n  one:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    init: true\n  two:\n    image: containertools-test/absent:never\n    pull_policy: never\n    depends_on: [one]\n");
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };

            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -WhatIf", vars).AssertSuccess();
            Assert.Empty(Oracle());
            Assert.Empty(Lines(TestEngine.Docker("network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));

            var failed = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars);
            var error = Assert.Single(failed.Errors);
            Assert.Equal("ImageNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("Service 'two'", error.Exception.Message);
            Assert.Equal(new[] { _project + "-one-1" }, Oracle().Select(c => c.Name));

            _folder.Write("compose.yaml", $"services:\n  one:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    init: true\n  two:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    init: true\n    depends_on: [one]\n");
            var one = Oracle()[0].Id;
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var fixedUp = Oracle();
            Assert.Equal(new[] { _project + "-one-1", _project + "-two-1" }, fixedUp.Select(c => c.Name));
            Assert.Equal(one, fixedUp[0].Id);

            _ps.Invoke("Remove-ContainerProject -ProjectName $p", vars).AssertSuccess();
            Assert.Empty(Oracle());
            Assert.Empty(Lines(TestEngine.Docker("network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
        }

        [Fact]
        public void Service_subset_scales_waits_for_completion_and_RemoveOrphans_removes_what_left_the_files()
        {
            string File(int replicas, bool withExtra) => $@"
services:
  a:
    image: {TestEngine.Image}
    command: [sleep, '600']
    init: true
    deploy: {{replicas: {replicas}}}
  setup:
    image: {TestEngine.Image}
    command: [sh, -c, 'sleep 1; exit 0']
  b:
    image: {TestEngine.Image}
    command: [sleep, '600']
    init: true
    depends_on:
      setup: {{condition: service_completed_successfully}}
" + (withExtra ? $"  extra:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    init: true\n" : string.Empty);
            var file = _folder.Write("compose.yaml", File(3, true));
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };

            // Only b, and what it depends on: setup ran to completion first.
            var subset = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -Service b -Verbose", vars).AssertSuccess();
            Assert.Equal(new[] { _project + "-b-1", _project + "-setup-1" }, Oracle().Select(c => c.Name));
            Assert.Contains(subset.Verbose, v => v.Contains("Waiting for setup to be service_completed_successfully before b"));
            Assert.Equal("exited 0", TestEngine.Docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", _project + "-setup-1").Trim());

            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var all = Oracle();
            Assert.Equal(new[] { "a-1", "a-2", "a-3", "b-1", "extra-1", "setup-1" }.Select(n => _project + "-" + n), all.Select(c => c.Name));
            Assert.Equal(new[] { "1", "2", "3" }, all.Take(3).Select(c => c.Number));

            // Scaled down and extra gone from the file: without -RemoveOrphans, extra stays; with it, it goes.
            _folder.Write("compose.yaml", File(1, false));
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var scaled = Oracle();
            Assert.Equal(new[] { "a-1", "b-1", "extra-1", "setup-1" }.Select(n => _project + "-" + n), scaled.Select(c => c.Name));
            Assert.Equal(all[0].Id, scaled[0].Id);
            Assert.Equal(all[3].Id, scaled[1].Id);
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -RemoveOrphans", vars).AssertSuccess();
            Assert.Equal(new[] { "a-1", "b-1", "setup-1" }.Select(n => _project + "-" + n), Oracle().Select(c => c.Name));
            Assert.Equal(all[0].Id, Oracle()[0].Id);

            _ps.Invoke("Remove-ContainerProject -ProjectName $p", vars).AssertSuccess();
            Assert.Empty(Oracle());
        }
    }
}
