using System;
using System.Collections;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using PS = System.Management.Automation.PowerShell;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Invoke-ContainerCommand and Enter-Container through real pipelines in a hosted runspace (and ctpwsh), checked with docker exec.</summary>
    public sealed class ExecCmdletTests : IClassFixture<ExecCmdletTests.Session>
    {
        public sealed class Session : IDisposable
        {
            private readonly ContainerCleanup _cleanup = new ContainerCleanup();

            public Session()
            {
                Container = _cleanup.NewName("ctt-psexec");
                TestEngine.Docker("run", "-d", "--init", "--name", Container, "--label", TestEngine.TestLabel + "=1", TestEngine.Image, "sleep", "3600");
            }

            public PowerShellSession Shell { get; } = new PowerShellSession();

            /// <summary>A running container the tests run commands in.</summary>
            public string Container { get; }

            public void Dispose()
            {
                Shell.Dispose();
                _cleanup.Dispose();
            }
        }

        private readonly PowerShellSession _ps;
        private readonly string _name;

        public ExecCmdletTests(Session session)
        {
            _ps = session.Shell;
            _name = session.Container;
        }

        private Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable { ["c"] = _name };
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        [Fact]
        public void A_failing_command_is_a_result_with_its_exit_code_not_an_error_as_with_Invoke_ContainerImage()
        {
            var result = _ps.Invoke("Invoke-ContainerCommand $c sh, -c, 'echo out; echo err >&2; exit 5'", Vars());
            Assert.Empty(result.AllErrors);
            var exec = result.Objects<ContainerCommandResult>().Single();
            Assert.Equal(5, exec.ExitCode);
            Assert.False(exec.Succeeded);
            Assert.Equal(new[] { "out" }, exec.Output);
            Assert.Equal(new[] { "err" }, exec.ErrorOutput);
            var run = _ps.Invoke("Invoke-ContainerImage $image -Command sh, -c, 'exit 5'", Vars("image", TestEngine.Image));
            Assert.Empty(run.AllErrors);
            Assert.Equal(5, run.Objects<ContainerRunResult>().Single().ExitCode);
            Assert.Equal(5, TestEngine.DockerResult("exec", _name, "sh", "-c", "exit 5").ExitCode);
        }

        [Fact]
        public void Strings_piped_in_are_standard_input_and_containers_piped_in_are_where_it_runs()
        {
            var cat = _ps.Invoke("'a', 'b c', '' | Invoke-ContainerCommand $c cat", Vars()).AssertSuccess().Objects<ContainerCommandResult>().Single();
            Assert.Equal(new[] { "a", "b c", string.Empty }, cat.Output);
            Assert.Equal(0, cat.ExitCode);

            var hostname = TestEngine.Docker("exec", _name, "hostname");
            var byObject = _ps.Invoke("Get-Container -Name $c | Invoke-ContainerCommand -Command hostname", Vars()).AssertSuccess()
                .Objects<ContainerCommandResult>().Single();
            Assert.Equal(new[] { hostname }, byObject.Output);

            // A result (Name, ContainerId, Engine) binds by property name: the next command runs in the same container.
            var chained = _ps.Invoke("Invoke-ContainerCommand $c true | Invoke-ContainerCommand -Command hostname", Vars()).AssertSuccess()
                .Objects<ContainerCommandResult>().Single();
            Assert.Equal(new[] { hostname }, chained.Output);

            var byId = _ps.Invoke("Invoke-ContainerCommand -Id $id -Command cat -StandardInput 'given'", Vars("id", TestEngine.Docker("inspect", "-f", "{{.Id}}", _name).Substring(0, 12)))
                .AssertSuccess().Objects<ContainerCommandResult>().Single();
            Assert.Equal(new[] { "given" }, byId.Output);

            // Nothing piped in (an empty pipeline) is an empty input, not a hang.
            var empty = _ps.Invoke("@() | Invoke-ContainerCommand $c wc, -l", Vars()).AssertSuccess().Objects<ContainerCommandResult>().Single();
            Assert.Equal("0", empty.Output.Single().Trim());
        }

        [Fact]
        public void Options_reach_the_command()
        {
            var result = _ps.Invoke("Invoke-ContainerCommand $c -Command sh, -c, 'echo $A-$(pwd)-$(id -u)' -Environment @{ A = 42 } -WorkingDirectory /etc -User 65534",
                Vars()).AssertSuccess().Objects<ContainerCommandResult>().Single();
            Assert.Equal(new[] { "42-/etc-65534" }, result.Output);
            var tty = _ps.Invoke("Invoke-ContainerCommand $c -Tty -Command sh, -c, 'echo err >&2; tty'", Vars()).AssertSuccess().Objects<ContainerCommandResult>().Single();
            Assert.Equal("err", tty.Output[0]);
            Assert.StartsWith("/dev/pts/", tty.Output[1]);
        }

        [Fact]
        public void Errors_have_stable_ids_and_categories()
        {
            var notFound = _ps.Invoke("Invoke-ContainerCommand $c no-such-program-ct; 'went on'", Vars());
            var error = notFound.Errors.Single();
            Assert.StartsWith("ContainerCommandNotFound,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(_name, error.TargetObject);
            Assert.Equal("went on", notFound.Output.Last().BaseObject);

            using var cleanup = new ContainerCleanup();
            var stopped = cleanup.NewName();
            TestEngine.Docker("create", "--name", stopped, "--label", TestEngine.TestLabel + "=1", TestEngine.Image, "true");
            var notRunning = _ps.Invoke("Invoke-ContainerCommand $s true", Vars("s", stopped)).Errors.Single();
            Assert.StartsWith("ContainerNotRunning,", notRunning.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceUnavailable, notRunning.CategoryInfo.Category);
            Assert.Contains("Start-Container", notRunning.Exception.Message);

            var missing = _ps.Invoke("Invoke-ContainerCommand $s true", Vars("s", stopped + "-none")).Errors.Single();
            Assert.StartsWith("ContainerNotFound,", missing.FullyQualifiedErrorId);

            var detachInput = _ps.Invoke("'x' | Invoke-ContainerCommand $c cat -Detach", Vars()).AllErrors.Single();
            Assert.StartsWith("DetachWithStandardInput,", detachInput.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, detachInput.CategoryInfo.Category);
        }

        [Fact]
        public void Detach_returns_the_exec_id_and_WhatIf_runs_nothing()
        {
            var marker = "/tmp/ps-" + Guid.NewGuid().ToString("N");
            var detached = _ps.Invoke("Invoke-ContainerCommand $c -Command touch, $m -WhatIf", Vars("m", marker)).AssertSuccess();
            Assert.Empty(detached.Output);
            Assert.NotEqual(0, TestEngine.DockerResult("exec", _name, "test", "-e", marker).ExitCode);

            var started = _ps.Invoke("Invoke-ContainerCommand $c -Command sh, -c, \"sleep 1; touch $m\" -Detach", Vars("m", marker)).AssertSuccess()
                .Objects<ContainerCommandResult>().Single();
            Assert.True(started.Detached);
            Assert.Null(started.ExitCode);
            Assert.Contains(started.ExecId, TestEngine.Docker("inspect", "-f", "{{range .ExecIDs}}{{.}} {{end}}", _name));
            var found = false;
            for (var i = 0; i < 50 && !found; i++)
            {
                found = TestEngine.DockerResult("exec", _name, "test", "-e", marker).ExitCode == 0;
                Thread.Sleep(found ? 0 : 100);
            }

            Assert.True(found, "the detached command did not run");
        }

        [Fact]
        public void Verbose_shows_the_lines_and_the_view_reads_like_a_table()
        {
            var verbose = _ps.Invoke("Invoke-ContainerCommand $c sh, -c, 'echo one; echo two >&2' -Verbose", Vars()).AssertSuccess().Verbose;
            Assert.Contains("stdout: one", verbose);
            Assert.Contains("stderr: two", verbose);
            var text = _ps.Render($"Invoke-ContainerCommand {_name} sh, -c, 'echo shown; exit 7'");
            Assert.Matches(@"Name\s+Command\s+ExitCode\s+Duration\s+Output", text);
            Assert.Matches($@"{_name}\s+sh -c echo shown; exit 7\s+7\s+\d+\.\ds\s+shown", text);
        }

        [Fact]
        public void Stopping_the_pipeline_returns_promptly()
        {
            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddCommand("Invoke-ContainerCommand").AddParameter("Name", _name).AddParameter("Command", new[] { "sleep", "300" });
            var async = ps.BeginInvoke();
            Thread.Sleep(1000);
            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
            TestEngine.DockerResult("exec", _name, "pkill", "-f", "sleep 300");
        }

        [Fact]
        public void Enter_container_refuses_at_once_in_a_hosted_runspace()
        {
            var result = _ps.Invoke("Enter-Container $c", Vars());
            var error = result.AllErrors.Single();
            Assert.StartsWith("ConsoleRequired,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
            Assert.Contains("Invoke-ContainerCommand", error.Exception.Message);
            // Refused before anything is asked of the engine: a container that does not exist gets the same answer.
            var missing = _ps.Invoke("Enter-Container -Name no-such-container-ct -Command sh", Vars()).AllErrors.Single();
            Assert.StartsWith("ConsoleRequired,", missing.FullyQualifiedErrorId);
            // -WhatIf only says what would run: that needs no console.
            Assert.Empty(_ps.Invoke("Enter-Container $c -WhatIf", Vars()).AssertSuccess().Output);
        }

        [Fact]
        public async System.Threading.Tasks.Task Enter_container_refuses_in_ctpwsh_with_redirected_input()
        {
            var start = new ProcessStartInfo(Ctpwsh.Executable)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-Module", TestEngine.ModuleManifest, "-Command", $"Enter-Container {_name}; 'after'" })
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["DOCKER_HOST"] = TestEngine.Host;
            start.Environment.Remove("DOCKER_CONTEXT");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Nothing is written to its input: a cmdlet that waited for keys would never end.
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("Enter-Container waited for input in a host without a console");
            }

            var output = await stdout + await stderr;
            Assert.Equal(1, process.ExitCode);
            Assert.Contains("needs an interactive console", output);
            Assert.Contains("standard input is redirected", output);
        }
    }
}
