using System;
using System.Collections;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using PS = System.Management.Automation.PowerShell;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>The container cmdlets through real pipelines in a hosted runspace, checked with the docker CLI.</summary>
    public sealed class ContainerCmdletTests : IClassFixture<ContainerCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private const string Label = "-Label @{ 'io.containertools.test' = '1' }";
        private readonly PowerShellSession _ps;
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();

        public ContainerCmdletTests(Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose() => _cleanup.Dispose();

        private static string Image => TestEngine.Image;

        private static string State(string name) => TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name);

        private static Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable();
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        private string NewRunning(string? name = null)
        {
            name ??= _cleanup.NewName();
            _ps.Invoke($"New-Container -Image $image -Name $name -Command sleep,600 -Init -Start {Label}", Vars("image", Image, "name", name)).AssertSuccess();
            return name;
        }

        [Fact]
        public void New_container_with_options_is_seen_by_docker_inspect()
        {
            var name = _cleanup.NewName();
            var result = _ps.Invoke(
                $"New-Container -Image $image -Name $name -Command sleep,600 -Publish '127.0.0.1::80','127.0.0.1::53/udp' -Environment @{{ A = 1; B = 'two words' }} -Volume '/tmp:/host:ro' -RestartPolicy OnFailure -MaximumRetryCount 2 -Memory 32m -Cpus 0.5 -Init -Start {Label}",
                Vars("image", Image, "name", name)).AssertSuccess();
            var container = Assert.Single(result.Objects<Container>());
            Assert.Equal(name, container.Name);
            Assert.Equal(ContainerState.Running, container.State);
            Assert.Equal(2, container.Ports.Count);
            Assert.Equal(TestEngine.Host, container.Engine.Address);

            var c = JsonDocument.Parse(TestEngine.Docker("inspect", name)).RootElement[0];
            var env = c.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("A=1", env);
            Assert.Contains("B=two words", env);
            Assert.Contains("/tmp:/host:ro", c.GetProperty("HostConfig").GetProperty("Binds").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(32L << 20, c.GetProperty("HostConfig").GetProperty("Memory").GetInt64());
            var published = TestEngine.Docker("port", name, "80/tcp").Split('\n')[0].Trim();
            Assert.Equal($"127.0.0.1:{container.Ports.Single(p => p.PrivatePort == 80).PublicPort}", published);
        }

        [Fact]
        public void Exited_containers_piped_to_remove_container_are_removed_and_only_they()
        {
            var tag = TestEngine.UniqueName("sel");
            var exited1 = _cleanup.NewName();
            var exited2 = _cleanup.NewName();
            var running = _cleanup.NewName();
            var vars = Vars("image", Image, "tag", tag, "e1", exited1, "e2", exited2, "r", running);
            _ps.Invoke(@"
                $labels = @{ 'io.containertools.test' = '1'; 'io.containertools.test.sel' = $tag }
                New-Container -Image $image -Name $e1 -Command true -Label $labels -Start | Out-Null
                New-Container -Image $image -Name $e2 -Command true -Label $labels -Start | Out-Null
                New-Container -Image $image -Name $r -Command sleep,600 -Init -Label $labels -Start | Out-Null
                Wait-Container -Name $e1, $e2 | Out-Null", vars).AssertSuccess();

            var exited = _ps.Invoke("Get-Container -State Exited -Label \"io.containertools.test.sel=$tag\"", vars).AssertSuccess().Objects<Container>().ToList();
            Assert.Equal(new[] { exited1, exited2 }.OrderBy(n => n), exited.Select(c => c.Name).OrderBy(n => n));

            _ps.Invoke("Get-Container -State Exited -Label \"io.containertools.test.sel=$tag\" | Remove-Container", vars).AssertSuccess();
            Assert.False(TestEngine.ContainerExists(exited1));
            Assert.False(TestEngine.ContainerExists(exited2));
            Assert.Equal("running", State(running));
        }

        [Fact]
        public void Wildcard_get_stop_passthru_start_round_trip()
        {
            var prefix = TestEngine.UniqueName("web");
            var names = new[] { _cleanup.Track(prefix + "-1"), _cleanup.Track(prefix + "-2") };
            foreach (var n in names)
            {
                NewRunning(n);
            }

            var stopped = _ps.Invoke("Get-Container \"$prefix-*\" | Stop-Container -Timeout 1 -PassThru", Vars("prefix", prefix)).AssertSuccess()
                .Objects<Container>().ToList();
            Assert.Equal(names, stopped.Select(c => c.Name).OrderBy(n => n));
            Assert.All(stopped, c => Assert.Equal(ContainerState.Exited, c.State));
            Assert.All(names, n => Assert.Equal("exited", State(n)));

            var started = _ps.Invoke("Get-Container \"$prefix-*\" | Stop-Container -PassThru | Start-Container -PassThru", Vars("prefix", prefix))
                .AssertSuccess().Objects<Container>().ToList();
            Assert.Equal(2, started.Count);
            Assert.All(names, n => Assert.Equal("running", State(n)));
        }

        [Fact]
        public void Names_ids_prefixes_and_wildcards_all_reach_the_same_container()
        {
            var name = NewRunning();
            var id = TestEngine.Docker("inspect", "-f", "{{.Id}}", name);
            var vars = Vars("name", name, "id", id, "short", id.Substring(0, 10), "pattern", name.Substring(0, name.Length - 2) + "*");
            Assert.Equal(id, _ps.Invoke("(Get-Container -Id $short).Id", vars).AssertSuccess().Output.Single().BaseObject);
            Assert.Equal(id, _ps.Invoke("(Get-Container $pattern).Id", vars).AssertSuccess().Output.Single().BaseObject);
            Assert.Equal(name, _ps.Invoke("(Get-Container $id).Name", vars).AssertSuccess().Output.Single().BaseObject);
            _ps.Invoke("Stop-Container -Id $short -Timeout 1", vars).AssertSuccess();
            Assert.Equal("exited", State(name));
            _ps.Invoke("$id | Start-Container", vars).AssertSuccess();
            Assert.Equal("running", State(name));
        }

        [Fact]
        public void Verbs_are_idempotent()
        {
            var name = NewRunning();
            var vars = Vars("name", name);
            _ps.Invoke("Start-Container $name; Start-Container $name", vars).AssertSuccess();
            _ps.Invoke("Suspend-Container $name; Suspend-Container $name", vars).AssertSuccess();
            Assert.Equal("paused", State(name));
            _ps.Invoke("Resume-Container $name; Resume-Container $name", vars).AssertSuccess();
            Assert.Equal("running", State(name));
            _ps.Invoke("Stop-Container $name -Timeout 1; Stop-Container $name -Timeout 1", vars).AssertSuccess();
            Assert.Equal("exited", State(name));
            _ps.Invoke("Remove-Container $name; Remove-Container $name -Force", vars).AssertSuccess();
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public void An_unknown_container_is_an_object_not_found_error_and_the_rest_goes_on()
        {
            var name = NewRunning();
            var missing = name + "-missing";
            var result = _ps.Invoke("Stop-Container $missing, $name -Timeout 1 -PassThru", Vars("name", name, "missing", missing));
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.StartsWith("ContainerNotFound,", error.FullyQualifiedErrorId);
            Assert.Equal(missing, error.TargetObject);
            Assert.Contains(missing, error.Exception.Message);
            Assert.Equal(name, Assert.Single(result.Objects<Container>()).Name);
            Assert.Equal("exited", State(name));

            var get = _ps.Invoke("Get-Container $missing", Vars("missing", missing));
            var getError = Assert.Single(get.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, getError.CategoryInfo.Category);
            Assert.Equal("ContainerNotFound,ContainerTools.Cmdlets.Container.GetContainerCommand", getError.FullyQualifiedErrorId);
            Assert.Empty(_ps.Invoke("Get-Container \"$missing*\"", Vars("missing", missing)).AssertSuccess().Output);
        }

        [Fact]
        public void A_malformed_publish_value_is_an_invalid_argument_error_and_creates_nothing()
        {
            var name = _cleanup.NewName();
            var result = _ps.Invoke($"New-Container -Image $image -Name $name -Publish '80:abc' -Start {Label}", Vars("image", Image, "name", name));
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.StartsWith("InvalidPublishSpec,", error.FullyQualifiedErrorId);
            Assert.Equal("80:abc", error.TargetObject);
            Assert.Contains("'80:abc'", error.Exception.Message);
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public void A_port_already_taken_is_a_clear_error_and_leaves_no_container()
        {
            using var taken = new TcpListener(IPAddress.Loopback, 0);
            taken.Start();
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var name = _cleanup.NewName();
            var result = _ps.Invoke($"New-Container -Image $image -Name $name -Command sleep,600 -Publish \"127.0.0.1:$($port):80\" -Start {Label}",
                Vars("image", Image, "name", name, "port", port));
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("PortAlreadyAllocated,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
            Assert.Contains("-Publish", error.Exception.Message);
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public void An_unreachable_engine_is_one_terminating_connection_error_within_five_seconds()
        {
            int port;
            using (var l = new TcpListener(IPAddress.Loopback, 0))
            {
                l.Start();
                port = ((IPEndPoint)l.LocalEndpoint).Port;
            }

            var watch = Stopwatch.StartNew();
            var result = _ps.Invoke("Get-Container -Engine \"tcp://127.0.0.1:$port\"", Vars("port", port));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            var error = result.AllErrors.Single();
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.StartsWith("EngineUnreachable,", error.FullyQualifiedErrorId);
            Assert.Contains($"tcp://127.0.0.1:{port}", error.Exception.Message);
            Assert.Empty(result.Output);

            // Terminating: try/catch sees it without -ErrorAction Stop, and the command's later input is not tried.
            var caught = _ps.Invoke("try { 'a', 'b' | Get-Container -Engine \"tcp://127.0.0.1:$port\" } catch { 'caught ' + $_.FullyQualifiedErrorId }", Vars("port", port));
            Assert.Equal("caught EngineUnreachable,ContainerTools.Cmdlets.Container.GetContainerCommand", Assert.Single(caught.Output).BaseObject);
        }

        [Fact]
        public void Whatif_changes_nothing()
        {
            var name = _cleanup.NewName();
            _ps.Invoke($"New-Container -Image $image -Name $name -Start -WhatIf {Label}", Vars("image", Image, "name", name)).AssertSuccess();
            Assert.False(TestEngine.ContainerExists(name));
            NewRunning(name);
            _ps.Invoke("Remove-Container $name -Force -WhatIf; Stop-Container $name -WhatIf", Vars("name", name)).AssertSuccess();
            Assert.Equal("running", State(name));
        }

        [Fact]
        public void Invoke_container_image_returns_output_and_exit_code_and_leaves_nothing()
        {
            var name = _cleanup.NewName();
            var result = _ps.Invoke($"Invoke-ContainerImage $image -Name $name -Command sh,-c,'echo out1; echo err1 >&2; echo out2; exit 5' {Label}",
                Vars("image", Image, "name", name)).AssertSuccess();
            var run = Assert.Single(result.Objects<ContainerRunResult>());
            Assert.Equal(5, run.ExitCode);
            Assert.False(run.Succeeded);
            Assert.Equal(new[] { "out1", "out2" }, run.Output);
            Assert.Equal(new[] { "err1" }, run.ErrorOutput);
            Assert.False(TestEngine.ContainerExists(name));

            var kept = _cleanup.NewName();
            _ps.Invoke($"Invoke-ContainerImage $image -Name $name -Command true -KeepContainer {Label}", Vars("image", Image, "name", kept)).AssertSuccess();
            Assert.Equal("exited", State(kept));
        }

        [Fact]
        public void Wait_container_returns_exit_codes_and_times_out_with_a_timeout_error()
        {
            var quick = _cleanup.NewName();
            _ps.Invoke($"New-Container $image -Name $name -Command sh,-c,'exit 3' -Start {Label} | Out-Null", Vars("image", Image, "name", quick)).AssertSuccess();
            var exit = _ps.Invoke("Wait-Container $name", Vars("name", quick)).AssertSuccess().Objects<ContainerExit>().Single();
            Assert.Equal(3, exit.ExitCode);

            var slow = NewRunning();
            var result = _ps.Invoke("Wait-Container $name -Timeout 1", Vars("name", slow));
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
            Assert.StartsWith("WaitTimeout,", error.FullyQualifiedErrorId);
        }

        [Fact]
        public void Wait_timeout_is_honoured_while_the_container_still_runs()
        {
            var name = _cleanup.NewName();
            _ps.Invoke($"New-Container $image -Name $name -Command sh,-c,'sleep 6; exit 5' -Init -Start {Label} | Out-Null", Vars("image", Image, "name", name)).AssertSuccess();
            var watch = Stopwatch.StartNew();
            var result = _ps.Invoke("Wait-Container $name -Timeout 1", Vars("name", name));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
            Assert.StartsWith("WaitTimeout,", Assert.Single(result.Errors).FullyQualifiedErrorId);
            Assert.Empty(result.Output);
        }

        [Fact]
        public void Stop_with_timeout_zero_kills_at_once()
        {
            // A main process that ignores SIGTERM: only the kill after the timeout stops it.
            var name = _cleanup.NewName();
            _ps.Invoke($"New-Container $image -Name $name -Command sh,-c,'trap \"\" TERM; while true; do sleep 1; done' -Start {Label} | Out-Null",
                Vars("image", Image, "name", name)).AssertSuccess();
            var watch = Stopwatch.StartNew();
            _ps.Invoke("Stop-Container $name -Timeout 0", Vars("name", name)).AssertSuccess();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
            Assert.Equal("exited", State(name));
            _ps.Invoke("Start-Container $name; Restart-Container $name -Timeout 0", Vars("name", name)).AssertSuccess();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        }

        [Fact]
        public void Results_of_wait_and_run_pipe_into_lifecycle_cmdlets()
        {
            var name = _cleanup.NewName();
            _ps.Invoke($"New-Container $image -Name $name -Command true {Label} -Start | Wait-Container | Remove-Container", Vars("image", Image, "name", name)).AssertSuccess();
            Assert.False(TestEngine.ContainerExists(name));
            var kept = _cleanup.NewName();
            _ps.Invoke($"Invoke-ContainerImage $image -Name $name -Command true -KeepContainer {Label} | Remove-Container", Vars("image", Image, "name", kept)).AssertSuccess();
            Assert.False(TestEngine.ContainerExists(kept));
        }

        [Fact]
        public void Stopping_the_pipeline_cancels_a_wait_promptly()
        {
            var name = NewRunning();
            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddCommand("Wait-Container").AddParameter("Name", name);
            var async = ps.BeginInvoke();
            Thread.Sleep(500);
            var watch = Stopwatch.StartNew();
            ps.Stop();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"stop took {watch.Elapsed}");
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
            Assert.Equal("running", State(name));
        }

        [Fact]
        public void Rename_and_set_container_reach_the_engine()
        {
            var name = NewRunning();
            var newName = _cleanup.NewName();
            var renamed = _ps.Invoke("Rename-Container $name -NewName $newName -PassThru | Set-Container -Memory 48m -RestartPolicy Always -PassThru",
                Vars("name", name, "newName", newName)).AssertSuccess().Objects<Container>().Single();
            Assert.Equal(newName, renamed.Name);
            Assert.Equal((48L << 20).ToString(), TestEngine.Docker("inspect", "-f", "{{.HostConfig.Memory}}", newName));
            Assert.Equal("always", TestEngine.Docker("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", newName));
            var nothing = _ps.Invoke("Set-Container $n", Vars("n", newName));
            Assert.StartsWith("NothingToSet,", nothing.AllErrors.Single().FullyQualifiedErrorId);
        }

        [Fact]
        public void Restart_container_restarts_it()
        {
            var name = NewRunning();
            var before = TestEngine.Docker("inspect", "-f", "{{.State.StartedAt}}", name);
            var restarted = _ps.Invoke("Restart-Container $name -Timeout 1 -PassThru", Vars("name", name)).AssertSuccess().Objects<Container>().Single();
            Assert.Equal(ContainerState.Running, restarted.State);
            Assert.NotEqual(before, TestEngine.Docker("inspect", "-f", "{{.State.StartedAt}}", name));
        }

        [Fact]
        public void Stop_with_a_signal_kills()
        {
            var name = NewRunning();
            _ps.Invoke("Stop-Container $name -Signal KILL", Vars("name", name)).AssertSuccess();
            Assert.Equal("137", TestEngine.Docker("wait", name));
        }

        [Fact]
        public void Objects_carry_their_engine_and_connect_sets_the_session_default()
        {
            using var own = new PowerShellSession();
            var connection = own.Invoke("Connect-ContainerEngine -Uri $uri", Vars("uri", TestEngine.Host)).AssertSuccess().Output.Single().BaseObject;
            Assert.Equal(TestEngine.Host, (string)((dynamic)connection).Address);
            Assert.NotNull(((dynamic)connection).ApiVersion);
            var name = NewRunning();
            var engineName = own.Invoke("(Get-Container $n).Engine.Address", Vars("n", name)).AssertSuccess().Output.Single().BaseObject;
            Assert.Equal(TestEngine.Host, engineName);
            own.Invoke("Disconnect-ContainerEngine").AssertSuccess();

            var unreachable = own.Invoke("Connect-ContainerEngine -Uri tcp://127.0.0.1:1");
            Assert.Equal(ErrorCategory.ConnectionError, unreachable.AllErrors.Single().CategoryInfo.Category);
            var skip = own.Invoke("Connect-ContainerEngine -Uri tcp://10.9.8.7:2376 -SkipTlsVerify");
            Assert.StartsWith("SkipTlsVerifyNotLoopback,", skip.AllErrors.Single().FullyQualifiedErrorId);
        }

        [Fact]
        public void Get_container_table_reads_like_docker_ps()
        {
            var name = _cleanup.NewName();
            _ps.Invoke($"New-Container $image -Name $name -Command sleep,600 -Init -Publish '127.0.0.1::80' -Start {Label} | Out-Null", Vars("image", Image, "name", name)).AssertSuccess();
            var port = TestEngine.Docker("port", name, "80/tcp").Split('\n')[0].Trim();
            var text = _ps.Render($"Get-Container {name}");
            var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.Matches(@"^Id\s+Image\s+Command\s+Created\s+Status\s+Ports\s+Name$", lines[0]);
            Assert.Contains($"{port}->80/tcp", lines[2]);
            Assert.EndsWith(name, lines[2]);
            Assert.Contains("\"sleep 600\"", lines[2]);
            Assert.Matches(@"Up (Less than a second|\d+ seconds?)", lines[2]);
        }

        [Fact]
        public void Tab_completion_offers_live_container_names()
        {
            var name = NewRunning();
            var prefix = name.Substring(0, name.Length - 3);
            var input = "Stop-Container -Name " + prefix;
            var matches = _ps.Invoke("[System.Management.Automation.CommandCompletion]::CompleteInput($in, $in.Length, $null).CompletionMatches.CompletionText",
                Vars("in", input)).AssertSuccess().Output.Select(o => (string)o.BaseObject).ToList();
            Assert.Contains(name, matches);
        }

        [Fact]
        public void Verbose_says_what_the_engine_is_asked()
        {
            var name = NewRunning();
            var result = _ps.Invoke("Stop-Container $name -Timeout 1 -Verbose", Vars("name", name)).AssertSuccess();
            Assert.Contains(result.Verbose, v => v.Contains(name) && v.Contains(TestEngine.Host));
        }
    }
}
