using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using static ContainerTools.Tests.Compose.ComposeTestProject;

namespace ContainerTools.Tests.Compose
{
    /// <summary>Compose projects with build: on one engine, end to end, with the docker CLI as the oracle.</summary>
    public sealed class ProjectBuildTests : IClassFixture<ProjectCmdletTests.Session>, IDisposable
    {
        private readonly PowerShellSession _ps;
        private readonly ComposeFolder _folder = new ComposeFolder("Build App");
        private readonly string _project = "ct-build-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        private readonly string _argVariable = "CT_BUILD_ARG_" + Guid.NewGuid().ToString("N").Substring(0, 8).ToUpperInvariant();

        public ProjectBuildTests(ProjectCmdletTests.Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose()
        {
            ComposeTestProject.RemoveEverythingOf(_project);

            foreach (var id in Lines(TestEngine.Docker("image", "ls", "-q", "--filter", "label=containertools.compose.project=" + _project)).Distinct())
            {
                TestEngine.DockerResult("image", "rm", "-f", id);
            }

            Environment.SetEnvironmentVariable(_argVariable, null);
            _folder.Dispose();
        }

        private string Compose(string workerRole) => $@"
services:
  db:
    image: {TestEngine.Image}
    command: [""sh"", ""-c"", ""trap 'exit 0' TERM; touch /data/ready; while true; do sleep 1; done""]
    volumes: [data:/data]
    networks: [back]
    healthcheck:
      test: [""CMD-SHELL"", ""test -f /data/ready""]
      interval: 1s
      retries: 30
  api:
    build:
      context: ./api
      args: {{GREETING: hello, {_argVariable}: null, UNSET_ARG: null}}
      labels: {{com.example.part: api}}
    ports: [""127.0.0.1::8080""]
    networks: [front, back]
    volumes: [cache:/cache]
    depends_on:
      db: {{condition: service_healthy}}
  worker:
    build:
      context: ./api
      args: {{GREETING: hello, {_argVariable}: null, UNSET_ARG: null}}
      labels: {{com.example.part: api}}
    networks: [back]
    environment: {{ROLE: {workerRole}}}
volumes:
  data: {{}}
  cache: {{}}
networks:
  front: {{}}
  back: {{}}
";

        private static string Dockerfile(string extra) => $@"FROM {TestEngine.Image}
ARG GREETING
ARG {{0}}
ARG UNSET_ARG=default
RUN echo ""$GREETING ${{0}} $UNSET_ARG"" > /greeting{extra}
CMD [""sh"", ""-c"", ""trap 'exit 0' TERM; while true; do sleep 1; done""]
";

        // name|id|service|image label of the project's containers, as docker ps -a sees them.
        private (string Name, string Id, string Service, string Image)[] Oracle() =>
            Lines(TestEngine.Docker("ps", "-a", "--no-trunc", "--filter", "label=com.docker.compose.project=" + _project, "--format",
                    "{{.Names}}|{{.ID}}|{{.Label \"com.docker.compose.service\"}}|{{.Label \"com.docker.compose.image\"}}"))
                .Select(l => l.Split('|')).Select(p => (p[0], p[1], p[2], p[3])).OrderBy(p => p.Item1, StringComparer.Ordinal).ToArray();

        private string ImageId(string reference) => TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", reference).Trim();

        [Fact]
        public void Up_builds_what_is_missing_recreates_only_what_changed_and_down_leaves_nothing()
        {
            Environment.SetEnvironmentVariable(_argVariable, "from-env");
            var file = _folder.Write("compose.yaml", Compose("one"));
            _folder.Write("api/Dockerfile", string.Format(Dockerfile(string.Empty), _argVariable));
            _folder.Write("api/.dockerignore", "secret.txt\n");
            _folder.Write("api/secret.txt", "not in the context\n");
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };

            // Up: the missing image is built once for both services that share the build, before anything is created.
            var up = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -Verbose", vars).AssertSuccess();
            Assert.Single(up.Verbose, v => v.StartsWith("Building image ", StringComparison.Ordinal));
            Assert.Contains(up.Information, i => i.Tags.Contains("Step") && i.MessageData.ToString()!.Contains("RUN echo"));
            Assert.Contains(up.Progress, p => p.Activity.StartsWith("Building image " + _project + "-api", StringComparison.Ordinal));
            var imageId = ImageId(_project + "-api:latest");
            Assert.Equal(imageId, ImageId(_project + "-worker:latest"));
            Assert.Equal("api|" + _project + "|True", TestEngine.Docker("image", "inspect", "-f",
                "{{index .Config.Labels \"com.example.part\"}}|{{index .Config.Labels \"containertools.compose.project\"}}|{{index .Config.Labels \"containertools.compose.local\"}}", imageId).Trim());

            var seen = Oracle();
            Assert.Equal(new[] { _project + "-api-1", _project + "-db-1", _project + "-worker-1" }, seen.Select(c => c.Name));
            Assert.Equal(new[] { "api", "db", "worker" }, seen.Select(c => c.Service));
            Assert.Equal(imageId, seen[0].Image);
            Assert.Equal(ImageId(TestEngine.Image), seen[1].Image);
            Assert.Equal(_project + "-api", TestEngine.Docker("inspect", "-f", "{{.Config.Image}}", _project + "-api-1").Trim());
            // Arguments: a value, one from the environment, and one unset in the environment left out (the Dockerfile's default).
            Assert.Equal("hello from-env default", TestEngine.Docker("exec", _project + "-api-1", "cat", "/greeting").Trim());
            Assert.Equal("healthy", TestEngine.Docker("inspect", "-f", "{{.State.Health.Status}}", _project + "-db-1").Trim());
            Assert.Equal(new[] { _project + "_back", _project + "_front" },
                Lines(TestEngine.Docker("network", "ls", "--filter", "label=com.docker.compose.project=" + _project, "--format", "{{.Name}}")).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(new[] { _project + "_cache", _project + "_data" },
                Lines(TestEngine.Docker("volume", "ls", "--filter", "label=com.docker.compose.project=" + _project, "--format", "{{.Name}}")).OrderBy(n => n, StringComparer.Ordinal));
            var apiNetworks = TestEngine.Docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}};{{end}}", _project + "-api-1");
            Assert.Contains(_project + "_front;", apiNetworks);
            Assert.Contains(_project + "_back;", apiNetworks);
            Assert.StartsWith("127.0.0.1:", TestEngine.Docker("port", _project + "-api-1", "8080").Trim());

            // Again, without -Build: the image exists, nothing is built or changed.
            var again = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -Verbose", vars).AssertSuccess();
            Assert.DoesNotContain(again.Verbose, v => v.StartsWith("Building image ", StringComparison.Ordinal));
            Assert.Equal(seen.Select(c => c.Id), Oracle().Select(c => c.Id));

            // One service edited: only its container is recreated.
            _folder.Write("compose.yaml", Compose("two"));
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var edited = Oracle();
            Assert.Equal((seen[0].Id, seen[1].Id), (edited[0].Id, edited[1].Id));
            Assert.NotEqual(seen[2].Id, edited[2].Id);

            // -Build with nothing changed: the cached build gives the same image, nothing is recreated.
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -Build", vars).AssertSuccess();
            Assert.Equal(edited.Select(c => c.Id), Oracle().Select(c => c.Id));

            // The Dockerfile edited, -Build: a new image, and the services built from it are recreated; db stays.
            _folder.Write("api/Dockerfile", string.Format(Dockerfile("\nRUN echo v2 > /version"), _argVariable));
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p -Build", vars).AssertSuccess();
            var rebuilt = Oracle();
            var newImageId = ImageId(_project + "-api:latest");
            Assert.NotEqual(imageId, newImageId);
            Assert.Equal(edited[1].Id, rebuilt[1].Id);
            Assert.NotEqual(edited[0].Id, rebuilt[0].Id);
            Assert.NotEqual(edited[2].Id, rebuilt[2].Id);
            Assert.Equal(new[] { newImageId, newImageId }, new[] { rebuilt[0].Image, rebuilt[2].Image });
            Assert.Equal("v2", TestEngine.Docker("exec", _project + "-api-1", "cat", "/version").Trim());

            // down with volumes and the project's own images: nothing is left.
            _ps.Invoke("Remove-ContainerProject -Path $file -ProjectName $p -Volumes -RemoveImages Local", vars).AssertSuccess();
            Assert.Empty(Oracle());
            Assert.Empty(Lines(TestEngine.Docker("network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
            Assert.Empty(Lines(TestEngine.Docker("volume", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));
            Assert.Empty(Lines(TestEngine.Docker("image", "ls", "-q", _project + "-api")));
            Assert.Empty(Lines(TestEngine.Docker("image", "ls", "-q", _project + "-worker")));
            Assert.NotEmpty(Lines(TestEngine.Docker("image", "ls", "-q", TestEngine.Image)));
        }

        [Fact]
        public void A_failed_build_names_the_service_and_step_creates_nothing_and_the_next_start_repairs()
        {
            var file = _folder.Write("compose.yaml", $"services:\n  cache:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    init: true\n    networks: [back]\n  app:\n    build: ./app\n    image: {_project}-custom:1\n    depends_on: [cache]\n    networks: [back]\nnetworks:\n  back: {{}}\n");
            _folder.Write("app/Dockerfile", $"FROM {TestEngine.Image}\nRUN echo building\nRUN exit 3\nCMD [\"sleep\", \"600\"]\n");
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };

            var failed = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars);
            var error = Assert.Single(failed.Errors);
            Assert.Equal("ImageBuildFailed", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("Service 'app'", error.Exception.Message);
            Assert.Contains("RUN exit 3", error.Exception.Message);
            Assert.Empty(Oracle());
            Assert.Empty(Lines(TestEngine.Docker("network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + _project)));

            _folder.Write("app/Dockerfile", $"FROM {TestEngine.Image}\nRUN echo building\nCMD [\"sleep\", \"600\"]\n");
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            Assert.Equal(new[] { _project + "-app-1", _project + "-cache-1" }, Oracle().Select(c => c.Name));
            Assert.Equal(_project + "-custom:1", TestEngine.Docker("inspect", "-f", "{{.Config.Image}}", _project + "-app-1").Trim());
            Assert.Equal("False", TestEngine.Docker("image", "inspect", "-f", "{{index .Config.Labels \"containertools.compose.local\"}}", _project + "-custom:1").Trim());
        }

        [Fact]
        public void RemoveImages_reports_an_image_still_in_use_keeps_it_and_is_idempotent()
        {
            var file = _folder.Write("compose.yaml", $"services:\n  app:\n    build: ./app\n    init: true\n  base:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    init: true\n");
            _folder.Write("app/Dockerfile", $"FROM {TestEngine.Image}\nLABEL purpose=remove-images\nCMD [\"sleep\", \"600\"]\n");
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var image = _project + "-app:latest";
            var user = _project + "-user";
            TestEngine.Docker("create", "--name", user, image);
            try
            {
                // -WhatIf lists the project's own image, not the shared base image (Local), and removes nothing.
                var whatIf = _ps.Invoke("Remove-ContainerProject -ProjectName $p -RemoveImages Local -WhatIf -Verbose", vars).AssertSuccess();
                Assert.Equal(2, Oracle().Length);
                Assert.NotEmpty(Lines(TestEngine.Docker("image", "ls", "-q", image)));

                var removed = _ps.Invoke("Remove-ContainerProject -ProjectName $p -RemoveImages Local", vars);
                var error = Assert.Single(removed.Errors);
                Assert.Equal("ImageInUse", error.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
                Assert.Equal(image, error.TargetObject);
                Assert.Empty(Oracle());
                Assert.NotEmpty(Lines(TestEngine.Docker("image", "ls", "-q", image)));
                Assert.NotEmpty(Lines(TestEngine.Docker("image", "ls", "-q", TestEngine.Image)));
            }
            finally
            {
                TestEngine.DockerResult("rm", "-f", user);
            }

            // The project is gone; the image is still found by its label, and removed; then there is nothing left to do.
            _ps.Invoke("Remove-ContainerProject -ProjectName $p -RemoveImages Local", vars).AssertSuccess();
            Assert.Empty(Lines(TestEngine.Docker("image", "ls", "-q", image)));
            _ps.Invoke("Remove-ContainerProject -ProjectName $p -RemoveImages All", vars).AssertSuccess();
        }

        [Fact]
        public void Service_keys_dns_extra_hosts_stop_signal_grace_period_and_platform_reach_the_container()
        {
            var platform = TestEngine.Docker("image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", TestEngine.Image).Trim();
            var file = _folder.Write("compose.yaml", $@"
services:
  keys:
    image: {TestEngine.Image}
    command: [sleep, '600']
    dns: [10.0.0.53, 10.0.0.54]
    extra_hosts: [""db.example:10.1.2.3"", ""api.example=10.1.2.4""]
    stop_signal: SIGINT
    stop_grace_period: 7s
    platform: {platform}
");
            var vars = new Hashtable { ["file"] = file, ["p"] = _project };
            _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars).AssertSuccess();
            var name = _project + "-keys-1";
            Assert.Equal("[10.0.0.53 10.0.0.54]|[db.example:10.1.2.3 api.example:10.1.2.4]|SIGINT|7",
                TestEngine.Docker("inspect", "-f", "{{.HostConfig.Dns}}|{{.HostConfig.ExtraHosts}}|{{.Config.StopSignal}}|{{.Config.StopTimeout}}", name).Trim());
            Assert.Contains("10.1.2.3\tdb.example", TestEngine.Docker("exec", name, "cat", "/etc/hosts"));

            // A platform the image is not for: the engine refuses it, so platform: really reaches it.
            var other = platform.EndsWith("/s390x", StringComparison.Ordinal) ? "linux/ppc64le" : "linux/s390x";
            _folder.Write("compose.yaml", $"services:\n  keys:\n    image: {TestEngine.Image}\n    command: [sleep, '600']\n    pull_policy: never\n    platform: {other}\n");
            var failed = _ps.Invoke("Start-ContainerProject -Path $file -ProjectName $p", vars);
            var error = Assert.Single(failed.Errors);
            Assert.Contains("Service 'keys'", error.Exception.Message);
            Assert.Contains("platform", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        }
    }
}
