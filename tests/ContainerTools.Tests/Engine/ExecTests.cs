using System;
using System.IO;
using System.IO.Pipes;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>docker exec through the engine core (ExecAsync, StartDetachedAsync, terminal sessions), with docker exec as the oracle.</summary>
    public sealed class ExecTests : IClassFixture<ExecTests.RunningContainer>
    {
        /// <summary>One running container for the class (a command run in it changes nothing the other tests read).</summary>
        public sealed class RunningContainer : IDisposable
        {
            private readonly ContainerCleanup _cleanup = new ContainerCleanup();

            public RunningContainer()
            {
                Name = _cleanup.NewName("ctt-exec");
                TestEngine.Docker("run", "-d", "--init", "--name", Name, "--label", TestEngine.TestLabel + "=1", TestEngine.Image, "sleep", "3600");
            }

            public string Name { get; }

            public void Dispose() => _cleanup.Dispose();
        }

        private readonly string _name;

        public ExecTests(RunningContainer container)
        {
            _name = container.Name;
        }

        private static ContainerOperations Containers => TestEngine.Connection.Containers;

        private static ContainerCommandSpec Sh(string script) => new ContainerCommandSpec(new[] { "sh", "-c", script });

        private static string[] Lines(string text) =>
            text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        [Theory]
        [InlineData("echo one; echo two; echo warn >&2; exit 0")]
        [InlineData("echo out; echo err >&2; echo more; echo err2 >&2; exit 5")]
        [InlineData("printf 'no newline at the end'; exit 42")]
        [InlineData("nosuch-program-ct")]
        [InlineData("kill -TERM $$")]
        public async Task Output_lines_per_stream_and_exit_code_are_those_of_docker_exec(string script)
        {
            var oracle = TestEngine.DockerResult("exec", _name, "sh", "-c", script);
            var result = await Containers.ExecAsync(_name, Sh(script));
            Assert.Equal(oracle.ExitCode, result.ExitCode);
            Assert.Equal(Lines(oracle.Output), result.Output);
            Assert.Equal(Lines(oracle.Error), result.ErrorOutput);
            Assert.Equal(_name, result.Name);
            Assert.False(result.Detached);
            Assert.Equal(result.ExitCode == 0, result.Succeeded);
            Assert.Equal(TestEngine.Docker("inspect", "-f", "{{.Id}}", _name), result.ContainerId);
            Assert.Matches("^[0-9a-f]{64}$", result.ExecId);
        }

        [Fact]
        public async Task Options_reach_the_command_as_docker_exec_sets_them()
        {
            var spec = Sh("echo \"$GREETING|$(pwd)|$(id -u):$(id -g)|${PASSED-unset}|${ABSENT_CT-unset}\"");
            spec.Environment["GREETING"] = "hello world";
            spec.Environment["PASSED"] = null; // passed through from this process
            spec.Environment["ABSENT_CT"] = null; // not set here: nothing is set
            spec.WorkingDirectory = "/etc";
            spec.User = "65534:65533";
            Environment.SetEnvironmentVariable("PASSED", "from-test");
            try
            {
                var result = await Containers.ExecAsync(_name, spec);
                var oracle = TestEngine.Docker("exec", "-e", "GREETING=hello world", "-e", "PASSED=from-test", "-w", "/etc", "-u", "65534:65533", _name,
                    "sh", "-c", "echo \"$GREETING|$(pwd)|$(id -u):$(id -g)|${PASSED-unset}|${ABSENT_CT-unset}\"");
                Assert.Equal(new[] { oracle }, result.Output);
                Assert.Equal("hello world|/etc|65534:65533|from-test|unset", oracle);
            }
            finally
            {
                Environment.SetEnvironmentVariable("PASSED", null);
            }
        }

        [Fact]
        public async Task Standard_input_is_fed_then_closed_so_cat_ends()
        {
            using var input = new MemoryStream(Encoding.UTF8.GetBytes("a\nb ü\n\nlast"));
            var result = await Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "cat" }), input);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(new[] { "a", "b ü", string.Empty, "last" }, result.Output);
        }

        [Fact]
        public async Task Large_input_and_output_flow_at_the_same_time()
        {
            // 4 MiB in while the same comes back out: a reader that waited for the writer (or the other way round) would deadlock.
            var line = new string('x', 1023) + "\n";
            var text = string.Concat(Enumerable.Repeat(line, 4096));
            using var input = new MemoryStream(Encoding.ASCII.GetBytes(text));
            var result = await Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "cat" }), input);
            Assert.Equal(4096, result.Output.Count);
            Assert.All(result.Output, l => Assert.Equal(1023, l.Length));
            using var counted = new MemoryStream(Encoding.ASCII.GetBytes(text));
            var count = await Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "wc", "-c" }), counted);
            Assert.Equal((4096 * 1024).ToString(), count.Output.Single().Trim());
        }

        [Fact]
        public async Task Lines_are_reported_as_they_come()
        {
            var seen = new System.Collections.Concurrent.ConcurrentQueue<(OutputStream, string)>();
            var result = await Containers.ExecAsync(_name, Sh("echo a; echo b >&2; echo c"), null, (s, l) => seen.Enqueue((s, l)));
            Assert.Equal(new[] { "a", "c" }, seen.Where(x => x.Item1 == OutputStream.Stdout).Select(x => x.Item2));
            Assert.Equal(new[] { "b" }, seen.Where(x => x.Item1 == OutputStream.Stderr).Select(x => x.Item2));
            Assert.Equal(new[] { "a", "c" }, result.Output);
        }

        [Fact]
        public async Task With_a_tty_both_streams_come_as_terminal_output()
        {
            var result = await Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "sh", "-c", "echo out; echo err >&2; tty; exit 6" }) { Tty = true });
            Assert.Equal(6, result.ExitCode);
            Assert.Equal(new[] { "out", "err" }, result.Output.Take(2));
            Assert.StartsWith("/dev/pts/", result.Output[2]);
            Assert.Empty(result.ErrorOutput);
        }

        [Fact]
        public async Task A_program_that_is_not_in_the_image_is_an_error_not_a_result()
        {
            Assert.Equal(126, TestEngine.DockerResult("exec", _name, "no-such-program-ct").ExitCode);
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "no-such-program-ct", "x" })));
            Assert.Equal("ContainerCommandNotFound", e.ErrorId);
            Assert.Equal(EngineErrorKind.NotFound, e.Kind);
            Assert.Contains("no-such-program-ct", e.Message);
            Assert.Contains(_name, e.Message);
            var detached = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.StartDetachedAsync(_name, new ContainerCommandSpec(new[] { "/no/such/path" })));
            Assert.Equal("ContainerCommandNotFound", detached.ErrorId);
            var user = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "true" }) { User = "no-such-user-ct" }));
            Assert.Equal("ContainerCommandFailedToStart", user.ErrorId);
            Assert.Equal(EngineErrorKind.InvalidArgument, user.Kind);
            Assert.Contains("-User", user.Message);
            var folder = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.ExecAsync(_name, new ContainerCommandSpec(new[] { "true" }) { WorkingDirectory = "/no/such/dir" }));
            Assert.Equal("ContainerCommandFailedToStart", folder.ErrorId);
            Assert.Contains("-WorkingDirectory", folder.Message);
        }

        [Fact]
        public async Task A_container_that_is_not_running_is_a_clear_error_naming_the_fix()
        {
            using var cleanup = new ContainerCleanup();
            var stopped = cleanup.NewName();
            TestEngine.Docker("create", "--name", stopped, "--label", TestEngine.TestLabel + "=1", TestEngine.Image, "sleep", "600");
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.ExecAsync(stopped, Sh("true")));
            Assert.Equal("ContainerNotRunning", e.ErrorId);
            Assert.Equal(EngineErrorKind.Conflict, e.Kind);
            Assert.Contains("Start-Container", e.Message);
            TestEngine.Docker("start", stopped);
            TestEngine.Docker("pause", stopped);
            var paused = await Assert.ThrowsAsync<ContainerEngineException>(() => Containers.StartDetachedAsync(stopped, Sh("true")));
            Assert.Equal("ContainerNotRunning", paused.ErrorId);
            Assert.Contains("Resume-Container", paused.Message);
            var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Containers.ExecAsync(stopped + "-none", Sh("true")));
            Assert.Equal("ContainerNotFound", missing.ErrorId);
        }

        [Fact]
        public async Task Detached_returns_at_once_and_the_command_runs_on()
        {
            var marker = "/tmp/detached-" + Guid.NewGuid().ToString("N");
            var result = await Containers.StartDetachedAsync(_name, Sh($"sleep 1; touch {marker}"));
            Assert.True(result.Detached);
            Assert.Null(result.ExitCode);
            Assert.False(result.Succeeded);
            Assert.Empty(result.Output);
            // Not there yet: the call did not wait for the command.
            Assert.NotEqual(0, TestEngine.DockerResult("exec", _name, "test", "-e", marker).ExitCode);
            var inspected = TestEngine.Docker("inspect", "-f", "{{range .ExecIDs}}{{.}} {{end}}", _name);
            Assert.Contains(result.ExecId, inspected);
            var waited = await Containers.ExecAsync(_name, Sh($"for i in $(seq 50); do [ -e {marker} ] && exit 0; sleep 0.2; done; exit 1"));
            Assert.Equal(0, waited.ExitCode);
        }

        [Fact]
        public async Task Cancelling_returns_promptly_and_leaves_the_process_running_as_docker_exec_does()
        {
            var tag = new Random().Next(1000, 9000).ToString();
            using var cancel = new CancellationTokenSource();
            var run = Containers.ExecAsync(_name, Sh($"sleep 1{tag}; echo never"), null, null, cancel.Token);
            await WaitUntilAsync(() => TestEngine.Docker("exec", _name, "ps", "-o", "args").Contains("sleep 1" + tag));
            cancel.Cancel();
            // Far below the command's own duration: the call does not wait for the command.
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.Same(run, finished);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Contains("sleep 1" + tag, TestEngine.Docker("exec", _name, "ps", "-o", "args"));
            TestEngine.DockerResult("exec", _name, "pkill", "-f", "sleep 1" + tag);
        }

        [Fact]
        public async Task A_terminal_session_connects_a_pair_of_streams_and_ends_with_the_exit_code()
        {
            using var session = await Containers.OpenTerminalAsync(_name, new ContainerCommandSpec(new[] { "sh" }), 80, 24);
            using var input = new AnonymousPipeServerStream(PipeDirection.Out);
            using var inputEnd = new AnonymousPipeClientStream(PipeDirection.In, input.ClientSafePipeHandle);
            var output = new TerminalOutput();
            var run = session.RunAsync(inputEnd, output);
            var command = Encoding.ASCII.GetBytes("echo hi-$((40 + 2)); exit 3\n");
            await input.WriteAsync(command);
            await input.FlushAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(3, result.ExitCode);
            Assert.Contains("hi-42", output.Text); // the shell's output, not just the echo of what was typed
            Assert.Equal(_name, result.Name);
        }

        [Fact]
        public async Task The_end_of_the_input_is_the_end_of_file_for_the_terminal()
        {
            using var session = await Containers.OpenTerminalAsync(_name, new ContainerCommandSpec(new[] { "sh" }));
            var input = new AnonymousPipeServerStream(PipeDirection.Out);
            using var inputEnd = new AnonymousPipeClientStream(PipeDirection.In, input.ClientSafePipeHandle);
            var output = new TerminalOutput();
            var run = session.RunAsync(inputEnd, output);
            // Once the shell reads its terminal (type-ahead before it starts is a race with any terminal), the input ends.
            await input.WriteAsync(Encoding.ASCII.GetBytes("echo ready-$((1 + 1))\n"));
            await output.WaitForAsync("ready-2");
            await input.WriteAsync(Encoding.ASCII.GetBytes("echo bye-$((1 + 2))\n"));
            input.Dispose();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("bye-3", output.Text);
            Assert.Equal(0, result.ExitCode);
        }

        [Fact]
        public async Task The_terminal_has_the_size_given_and_follows_a_resize()
        {
            using var session = await Containers.OpenTerminalAsync(_name, new ContainerCommandSpec(new[] { "sh" }), 81, 25);
            using var input = new AnonymousPipeServerStream(PipeDirection.Out);
            using var inputEnd = new AnonymousPipeClientStream(PipeDirection.In, input.ClientSafePipeHandle);
            var output = new TerminalOutput();
            var run = session.RunAsync(inputEnd, output);
            await input.WriteAsync(Encoding.ASCII.GetBytes("echo size-$(stty size | tr ' ' x)\n"));
            await output.WaitForAsync("size-25x81");
            await session.ResizeAsync(132, 40);
            await input.WriteAsync(Encoding.ASCII.GetBytes("echo size-$(stty size | tr ' ' x); exit 0\n"));
            var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("size-40x132", output.Text);
            Assert.Equal(0, result.ExitCode);
        }

        [Fact]
        public async Task A_terminal_program_that_cannot_start_is_the_same_error()
        {
            using var session = await Containers.OpenTerminalAsync(_name, new ContainerCommandSpec(new[] { "no-such-shell-ct" }));
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => session.RunAsync(new MemoryStream(), new TerminalOutput()).WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("ContainerCommandNotFound", e.ErrorId);
        }

        private static async Task WaitUntilAsync(Func<bool> condition)
        {
            for (var i = 0; i < 100 && !condition(); i++)
            {
                await Task.Delay(100);
            }

            Assert.True(condition(), "the condition did not come true");
        }

        /// <summary>What a terminal session wrote, readable while it runs.</summary>
        private sealed class TerminalOutput : Stream
        {
            private readonly StringBuilder _text = new StringBuilder();
            private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();

            public string Text
            {
                get
                {
                    lock (_text)
                    {
                        return _text.ToString();
                    }
                }
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public async Task WaitForAsync(string text)
            {
                for (var i = 0; i < 300 && !Text.Contains(text, StringComparison.Ordinal); i++)
                {
                    await Task.Delay(100);
                }

                Assert.Contains(text, Text);
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                lock (_text)
                {
                    var chars = new char[_decoder.GetCharCount(buffer, offset, count)];
                    _decoder.GetChars(buffer, offset, count, chars, 0);
                    _text.Append(chars);
                }
            }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
