using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>The engine core's container operations against the real engine, checked with docker inspect.</summary>
    public sealed class ContainerOperationsTests : IDisposable
    {
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();
        private static ContainerOperations Containers => TestEngine.Connection.Containers;

        public void Dispose() => _cleanup.Dispose();

        private ContainerCreateSpec Spec(string name, params string[] command)
        {
            var spec = new ContainerCreateSpec { Image = TestEngine.Image, Name = name, Command = command.Length == 0 ? new[] { "sleep", "600" } : command, Init = true };
            spec.Labels[TestEngine.TestLabel] = "1";
            return spec;
        }

        private static JsonElement Inspect(string name) =>
            JsonDocument.Parse(TestEngine.Docker("container", "inspect", name)).RootElement[0];

        [Fact]
        public async Task Create_sends_every_option_where_docker_puts_it()
        {
            var name = _cleanup.NewName();
            var host = Directory.CreateTempSubdirectory("ct-bind-").FullName;
            var envFile = Path.Combine(host, "app.env");
            File.WriteAllLines(envFile, new[] { "FROM_FILE=file", "OVERRIDDEN=file" });
            var spec = Spec(name);
            spec.Environment["PLAIN"] = "1";
            spec.Environment["OVERRIDDEN"] = "param";
            spec.EnvironmentFiles.Add(envFile);
            spec.Publish.Add("127.0.0.1::80");
            spec.Publish.Add("5353:53/udp");
            spec.Volumes.Add(host + ":/host:ro");
            spec.Volumes.Add(name + "-vol:/data");
            spec.Volumes.Add("/anon");
            spec.Mounts.Add("type=tmpfs,target=/scratch,tmpfs-size=1m");
            spec.Tmpfs.Add("/run/t:size=2m");
            spec.RestartPolicy = RestartPolicy.OnFailure;
            spec.MaximumRetryCount = 3;
            spec.Memory = "64m";
            spec.Cpus = 0.5;
            spec.User = "1000:1000";
            spec.WorkingDirectory = "/tmp";
            spec.Hostname = "box";
            spec.HealthCommand = "true";
            spec.HealthInterval = TimeSpan.FromSeconds(5);
            spec.HealthRetries = 2;
            spec.ReadOnly = true;
            spec.CapAdd.Add("NET_ADMIN");
            spec.CapDrop.Add("MKNOD");
            spec.Labels["tier"] = "web";
            spec.Entrypoint = new[] { "/bin/sh", "-c" };
            spec.Command = new[] { "sleep 600" };

            ContainerTools.Engine.Model.Container created;
            try
            {
                created = await Containers.CreateAsync(spec);
            }
            finally
            {
                _cleanup.TrackVolume(name + "-vol");
                // The container is only created, never started: its bind source is not needed after this.
                Directory.Delete(host, recursive: true);
            }

            Assert.Equal(name, created.Name);
            Assert.Equal(ContainerState.Created, created.State);

            var c = Inspect(name);
            var config = c.GetProperty("Config");
            var hostConfig = c.GetProperty("HostConfig");
            var env = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("PLAIN=1", env);
            Assert.Contains("FROM_FILE=file", env);
            Assert.Contains("OVERRIDDEN=param", env);
            Assert.DoesNotContain("OVERRIDDEN=file", env);
            var ports = hostConfig.GetProperty("PortBindings");
            Assert.Equal("127.0.0.1", ports.GetProperty("80/tcp")[0].GetProperty("HostIp").GetString());
            Assert.Equal("5353", ports.GetProperty("53/udp")[0].GetProperty("HostPort").GetString());
            var binds = hostConfig.GetProperty("Binds").EnumerateArray().Select(b => b.GetString()).ToList();
            Assert.Contains(host + ":/host:ro", binds);
            Assert.Contains(name + "-vol:/data", binds);
            Assert.True(config.GetProperty("Volumes").TryGetProperty("/anon", out _));
            Assert.False(config.GetProperty("Volumes").TryGetProperty("/host", out _)); // a bind is never an anonymous volume
            Assert.Equal("tmpfs", hostConfig.GetProperty("Mounts")[0].GetProperty("Type").GetString());
            Assert.Equal("size=2m", hostConfig.GetProperty("Tmpfs").GetProperty("/run/t").GetString());
            Assert.Equal("on-failure", hostConfig.GetProperty("RestartPolicy").GetProperty("Name").GetString());
            Assert.Equal(3, hostConfig.GetProperty("RestartPolicy").GetProperty("MaximumRetryCount").GetInt32());
            Assert.Equal(64L * 1024 * 1024, hostConfig.GetProperty("Memory").GetInt64());
            Assert.Equal(500_000_000L, hostConfig.GetProperty("NanoCpus").GetInt64());
            Assert.Equal("1000:1000", config.GetProperty("User").GetString());
            Assert.Equal("/tmp", config.GetProperty("WorkingDir").GetString());
            Assert.Equal("box", config.GetProperty("Hostname").GetString());
            Assert.Equal(new[] { "CMD-SHELL", "true" }, config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(5_000_000_000L, config.GetProperty("Healthcheck").GetProperty("Interval").GetInt64());
            Assert.Equal(2, config.GetProperty("Healthcheck").GetProperty("Retries").GetInt32());
            Assert.True(hostConfig.GetProperty("ReadonlyRootfs").GetBoolean());
            Assert.True(hostConfig.GetProperty("Init").GetBoolean());
            Assert.Contains("NET_ADMIN", hostConfig.GetProperty("CapAdd").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("MKNOD", hostConfig.GetProperty("CapDrop").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("web", config.GetProperty("Labels").GetProperty("tier").GetString());
            Assert.Equal(new[] { "/bin/sh", "-c" }, config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(new[] { "sleep 600" }, config.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        }

        [Fact]
        public async Task Network_and_aliases_reach_the_engine()
        {
            var name = _cleanup.NewName();
            var network = name + "-net";
            TestEngine.Docker("network", "create", network);
            try
            {
                var spec = Spec(name);
                spec.Network = network;
                spec.NetworkAliases.Add("api");
                await Containers.CreateAsync(spec);
                var aliases = Inspect(name).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(network).GetProperty("Aliases");
                Assert.Contains("api", aliases.EnumerateArray().Select(a => a.GetString()));
            }
            finally
            {
                TestEngine.DockerResult("rm", "-f", name);
                TestEngine.DockerResult("network", "rm", network);
            }
        }

        [Fact]
        public async Task Lifecycle_verbs_are_idempotent()
        {
            var name = _cleanup.NewName();
            await Containers.CreateAsync(Spec(name));
            Assert.True(await Containers.StartAsync(name));
            Assert.False(await Containers.StartAsync(name));
            Assert.True(await Containers.PauseAsync(name));
            Assert.False(await Containers.PauseAsync(name));
            Assert.Equal("paused", TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name));
            Assert.True(await Containers.UnpauseAsync(name));
            Assert.False(await Containers.UnpauseAsync(name));
            Assert.True(await Containers.StopAsync(name, 1));
            Assert.False(await Containers.StopAsync(name, 1));
            Assert.Equal("exited", TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name));
            Assert.False(await Containers.KillAsync(name, "KILL"));
            Assert.True(await Containers.RemoveAsync(name));
            Assert.False(TestEngine.ContainerExists(name));
            Assert.False(await Containers.RemoveAsync(name, force: true));
            var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Containers.RemoveAsync(name));
            Assert.Equal("ContainerNotFound", e.ErrorId);
        }

        [Fact]
        public async Task Get_finds_by_name_full_id_and_unique_prefix()
        {
            var name = _cleanup.NewName();
            var created = await Containers.CreateAsync(Spec(name));
            Assert.Equal(created.Id, (await Containers.GetAsync(name)).Id);
            Assert.Equal(created.Id, (await Containers.GetAsync(created.Id)).Id);
            Assert.Equal(created.Id, (await Containers.GetAsync(created.Id.Substring(0, 12))).Id);
            Assert.Equal(created.Id, (await Containers.GetAsync("/" + name)).Id);
            var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Containers.GetAsync(name + "-missing"));
            Assert.Contains(name + "-missing", e.Message);
            Assert.Null(await Containers.TryGetAsync("ffffffffffff" + "0123456789"));
        }

        [Fact]
        public async Task List_filters_by_state_label_and_wildcard_name()
        {
            var prefix = TestEngine.UniqueName("ctl");
            var label = "io.containertools.test.list=" + prefix;
            var names = new[] { prefix + "-a", prefix + "-b", prefix + "-c" };
            foreach (var n in names)
            {
                _cleanup.Track(n);
                var spec = Spec(n);
                spec.Labels["io.containertools.test.list"] = prefix;
                await Containers.CreateAsync(spec);
            }

            await Containers.StartAsync(names[0]);
            var query = new ContainerQuery();
            query.Labels.Add(label);
            Assert.Equal(3, (await Containers.ListAsync(query)).Count);
            query.States.Add(ContainerState.Running);
            Assert.Equal(names[0], Assert.Single(await Containers.ListAsync(query)).Name);

            var byPattern = new ContainerQuery();
            byPattern.Names.Add(prefix + "-[bc]");
            Assert.Equal(new[] { names[1], names[2] }, (await Containers.ListAsync(byPattern)).Select(c => c.Name).OrderBy(n => n));
        }

        [Fact]
        public async Task Ports_come_back_typed_as_docker_ps_shows_them()
        {
            var name = _cleanup.NewName();
            var spec = Spec(name);
            spec.Publish.Add("127.0.0.1::80");
            var c = await Containers.CreateAndStartAsync(spec);
            var port = Assert.Single(c.Ports);
            Assert.Equal(80, port.PrivatePort);
            Assert.Equal("127.0.0.1", port.HostIP);
            var cliPort = TestEngine.Docker("port", name, "80/tcp").Split('\n')[0].Trim();
            Assert.Equal($"127.0.0.1:{port.PublicPort}", cliPort);
            Assert.Equal($"127.0.0.1:{port.PublicPort}->80/tcp", port.ToString());
        }

        [Fact]
        public async Task A_port_already_taken_is_a_clear_error_and_leaves_nothing_behind()
        {
            using var taken = new TcpListener(IPAddress.Loopback, 0);
            taken.Start();
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var name = _cleanup.NewName();
            var spec = Spec(name);
            spec.Publish.Add($"127.0.0.1:{port}:80");
            var e = await Assert.ThrowsAnyAsync<ContainerEngineException>(() => Containers.CreateAndStartAsync(spec));
            Assert.Equal(EngineErrorKind.Conflict, e.Kind);
            Assert.Equal("PortAlreadyAllocated", e.ErrorId);
            Assert.Contains(port.ToString(), e.Message);
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public async Task Invalid_input_is_rejected_before_the_engine_is_asked()
        {
            var name = _cleanup.NewName();
            var spec = Spec(name);
            spec.Publish.Add("80:80:80:80");
            await Assert.ThrowsAsync<InvalidSpecException>(() => Containers.CreateAsync(spec));
            spec.Publish.Clear();
            spec.MaximumRetryCount = 2;
            spec.RestartPolicy = RestartPolicy.Always;
            Assert.Equal("MaximumRetryCountNeedsOnFailure", (await Assert.ThrowsAsync<InvalidSpecException>(() => Containers.CreateAsync(spec))).ErrorId);
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public async Task Missing_image_is_reported_as_an_image_not_found()
        {
            var spec = Spec(_cleanup.NewName());
            spec.Image = "containertools-test/does-not-exist:1";
            var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Containers.CreateAsync(spec));
            Assert.Equal("ImageNotFound", e.ErrorId);
            Assert.Contains("Install-ContainerImage", e.Message);
        }

        [Fact]
        public async Task Run_returns_output_lines_and_exit_code_and_removes_the_container()
        {
            var name = _cleanup.NewName();
            var seen = new List<string>();
            var result = await Containers.RunAsync(Spec(name, "sh", "-c", "echo one; echo two; echo bad >&2; printf no-newline; exit 7"),
                onLine: (s, l) => { lock (seen) { seen.Add(l); } });
            Assert.Equal(7, result.ExitCode);
            Assert.False(result.Succeeded);
            Assert.Equal(new[] { "one", "two", "no-newline" }, result.Output);
            Assert.Equal(new[] { "bad" }, result.ErrorOutput);
            Assert.Equal(4, seen.Count);
            Assert.True(result.Removed);
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public async Task Run_with_tty_and_keep_container()
        {
            var name = _cleanup.NewName();
            var spec = Spec(name, "sh", "-c", "echo tty-line");
            spec.Tty = true;
            var result = await Containers.RunAsync(spec, keepContainer: true);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(new[] { "tty-line" }, result.Output);
            Assert.False(result.Removed);
            Assert.Equal("exited", TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name));
        }

        [Fact]
        public async Task Cancelling_a_run_removes_its_container()
        {
            var name = _cleanup.NewName();
            using var cts = new CancellationTokenSource();
            var run = Containers.RunAsync(Spec(name, "sh", "-c", "echo started; sleep 600"), onLine: (_, _) => cts.Cancel(), cancellationToken: cts.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public async Task Wait_returns_the_exit_code_and_honours_a_timeout()
        {
            var name = _cleanup.NewName();
            await Containers.CreateAndStartAsync(Spec(name, "sh", "-c", "sleep 1; exit 4"));
            var exit = await Containers.WaitAsync(name);
            Assert.Equal(4, exit.ExitCode);
            Assert.Equal(name, exit.Name);
            Assert.Equal(ContainerState.Exited, exit.Container.State);

            var sleeper = _cleanup.NewName();
            await Containers.CreateAndStartAsync(Spec(sleeper));
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.WaitAsync(sleeper, WaitCondition.NotRunning, TimeSpan.FromMilliseconds(500)));
            Assert.Equal(EngineErrorKind.Timeout, e.Kind);
            Assert.Equal("WaitTimeout", e.ErrorId);
        }

        [Fact]
        public async Task Wait_for_next_exit_and_for_removal()
        {
            var name = _cleanup.NewName();
            await Containers.CreateAndStartAsync(Spec(name));
            var nextExit = Containers.WaitAsync(name, WaitCondition.NextExit, TimeSpan.FromSeconds(30));
            await Task.Delay(200);
            await Containers.KillAsync(name, "KILL");
            Assert.Equal(137, (await nextExit).ExitCode);

            var removed = Containers.WaitAsync(name, WaitCondition.Removed, TimeSpan.FromSeconds(30));
            await Task.Delay(200);
            Assert.False(removed.IsCompleted);
            await Containers.RemoveAsync(name, force: true);
            await removed;
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public async Task Update_and_rename_reach_the_engine()
        {
            var name = _cleanup.NewName();
            await Containers.CreateAndStartAsync(Spec(name));
            await Containers.UpdateAsync(name, "96m", 0.25, RestartPolicy.UnlessStopped, null);
            var hc = Inspect(name).GetProperty("HostConfig");
            Assert.Equal(96L * 1024 * 1024, hc.GetProperty("Memory").GetInt64());
            Assert.Equal(250_000_000L, hc.GetProperty("NanoCpus").GetInt64());
            Assert.Equal("unless-stopped", hc.GetProperty("RestartPolicy").GetProperty("Name").GetString());
            var newName = _cleanup.NewName();
            await Containers.RenameAsync(name, newName);
            Assert.True(TestEngine.ContainerExists(newName));
            Assert.False(TestEngine.ContainerExists(name));
        }
    }
}
