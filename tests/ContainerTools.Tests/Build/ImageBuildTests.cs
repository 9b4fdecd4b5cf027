using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Images;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>IProgress that records at once, on the reporting thread (Progress&lt;T&gt; would post and lag).</summary>
    internal sealed class Recorder<T> : IProgress<T>
    {
        private readonly Action<T>? _then;

        public Recorder(Action<T>? then = null)
        {
            _then = then;
        }

        public ConcurrentQueue<T> Items { get; } = new ConcurrentQueue<T>();

        public void Report(T value)
        {
            Items.Enqueue(value);
            _then?.Invoke(value);
        }
    }

    /// <summary>docker build and docker commit through the engine core, against the real engine, checked with docker inspect.</summary>
    public sealed class ImageBuildTests : IDisposable
    {
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("build");
        private readonly List<ContextFolder> _folders = new List<ContextFolder>();
        private readonly ContainerCleanup _containers = new ContainerCleanup();

        private static ImageOperations Images => TestEngine.Connection.Images;

        private string Label => "io.containertools.test.repo=" + _repo;

        public void Dispose()
        {
            _containers.Dispose();
            TestEngine.RemoveImages(Label, _repo);
            foreach (var folder in _folders)
            {
                folder.Dispose();
            }
        }

        private ContextFolder Context(string dockerfile)
        {
            var folder = new ContextFolder("ct-build-");
            _folders.Add(folder);
            return folder.File("Dockerfile", dockerfile);
        }

        private string Leftovers() => TestEngine.Docker("ps", "-a", "-q", "--filter", "label=" + Label);

        [Fact]
        public async Task Every_build_option_reaches_the_image()
        {
            var platform = TestEngine.Docker("version", "-f", "{{.Server.Os}}/{{.Server.Arch}}");
            var folder = Context($"ARG BASE={TestEngine.Image}\nFROM ${{BASE}} AS base\nLABEL {Label}\nARG GREETING=unset\nENV GREETING=${{GREETING}}\n" +
                                 "RUN ls /sys/class/net > /networks && echo \"$GREETING\" > /greeting\nFROM base AS final\nRUN echo final > /final\n");
            ImageBuildSpec Spec(bool noCache)
            {
                var spec = new ImageBuildSpec { ContextPath = folder.Root, Target = "base", NoCache = noCache, Network = "none", Platform = platform };
                spec.Tags.Add(_repo + ":one");
                spec.Tags.Add(_repo + ":two");
                spec.BuildArguments["GREETING"] = "hello world";
                spec.Labels["org.example.a"] = "1";
                spec.Labels["org.example.b"] = "two words";
                return spec;
            }

            var output = new Recorder<ImageBuildMessage>();
            var rows = await Images.BuildAsync(Spec(noCache: true), null, output);
            var id = TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":one");
            Assert.Equal(new[] { "one", "two" }, rows.Select(r => r.Tag));
            Assert.All(rows, r => Assert.Equal(id, r.Id));
            Assert.Equal(id, TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":two"));
            Assert.Equal("1|two words", TestEngine.Docker("image", "inspect", "-f", "{{index .Config.Labels \"org.example.a\"}}|{{index .Config.Labels \"org.example.b\"}}", id));
            Assert.Contains("GREETING=hello world", TestEngine.Docker("image", "inspect", "-f", "{{json .Config.Env}}", id));
            Assert.Equal(platform, TestEngine.Docker("image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", id));
            var inside = TestEngine.Docker("run", "--rm", "--label", TestEngine.TestLabel, id, "sh", "-c", "cat /greeting /networks; test -e /final && echo FINAL || echo NOFINAL");
            Assert.Equal(new[] { "hello world", "lo", "NOFINAL" }, inside.Split('\n')); // the build arg, no network but lo, stopped at the target
            Assert.DoesNotContain(output.Items, m => m.Text.Contains("Using cache", StringComparison.Ordinal));

            // The same build with the cache allowed uses it and yields the same image: -NoCache made the difference.
            var cached = new Recorder<ImageBuildMessage>();
            var again = await Images.BuildAsync(Spec(noCache: false), null, cached);
            Assert.Equal(id, again[0].Id);
            Assert.Contains(cached.Items, m => m.Kind == ImageBuildMessageKind.Builder && m.Text == " ---> Using cache");
        }

        [Fact]
        public async Task Output_and_progress_come_as_the_build_runs_and_the_id_from_the_aux_message()
        {
            var folder = Context($"FROM {TestEngine.Image}\nLABEL {Label}\nRUN echo first line && echo second line\n");
            var progress = new Recorder<ImageBuildProgress>();
            var output = new Recorder<ImageBuildMessage>();
            var rows = await Images.BuildAsync(new ImageBuildSpec { ContextPath = folder.Root }, progress, output);

            var row = Assert.Single(rows);
            Assert.Equal("<none>", row.Tag); // no tag: the untagged image's row
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", row.Id), row.Id);
            var messages = output.Items.ToList();
            Assert.Equal(new[] { "Step 1/3 : FROM " + TestEngine.Image, "Step 2/3 : LABEL " + Label, "Step 3/3 : RUN echo first line && echo second line" },
                messages.Where(m => m.Kind == ImageBuildMessageKind.Step).Select(m => m.Text));
            Assert.Equal(new[] { "first line", "second line" }, messages.Where(m => m.Kind == ImageBuildMessageKind.Output).Select(m => m.Text));
            Assert.All(messages.Where(m => m.Kind == ImageBuildMessageKind.Output), m => Assert.Equal(3, m.Step));
            Assert.Contains(messages, m => m.Kind == ImageBuildMessageKind.Builder && m.Text.StartsWith("Successfully built ", StringComparison.Ordinal));

            var reports = progress.Items.ToList();
            Assert.Equal(ImageBuildPhase.SendingContext, reports[0].Phase);
            Assert.True(reports.Where(p => p.Phase == ImageBuildPhase.SendingContext).Last().BytesSent >= 2048); // header blocks + end of archive
            Assert.Equal(new[] { 1, 2, 3 }, reports.Where(p => p.Phase == ImageBuildPhase.Building).Select(p => p.Step));
            Assert.Equal(ImageBuildPhase.Done, reports.Last().Phase);
            Assert.Equal(100, reports.Last().Percent);
        }

        [Fact]
        public async Task A_failing_run_step_names_the_step_and_its_dockerfile_lines_and_leaves_no_container()
        {
            var folder = Context($"FROM {TestEngine.Image}\nLABEL {Label}\n# a comment\nRUN echo one \\\n    # a comment inside\n    && echo two\n\n" +
                                 "RUN echo \"about to fail\" && \\\n    exit 7\nRUN echo never\n");
            var e = await Assert.ThrowsAsync<ImageBuildException>(() => Images.BuildAsync(new ImageBuildSpec { ContextPath = folder.Root }));
            Assert.Equal("ImageBuildFailed", e.ErrorId);
            Assert.Equal(EngineErrorKind.OperationFailed, e.Kind);
            Assert.Equal(4, e.Step);
            Assert.Equal(5, e.StepCount);
            Assert.Equal(8, e.Line);
            Assert.Equal(9, e.EndLine);
            Assert.Equal(7, e.ExitCode);
            Assert.Equal("RUN echo \"about to fail\" &&     exit 7", e.Instruction);
            Assert.Contains("about to fail", e.Output);
            Assert.Equal(folder.PathOf("Dockerfile"), e.Dockerfile);
            Assert.Contains("Step 4/5", e.Message);
            Assert.Contains("lines 8-9", e.Message);
            Assert.Contains("returned a non-zero code: 7", e.Message);
            Assert.Equal(string.Empty, Leftovers()); // forcerm: the failed step's container is gone too
        }

        [Fact]
        public async Task A_dockerfile_that_does_not_parse_is_a_parse_error_with_its_line()
        {
            var folder = Context($"FROM {TestEngine.Image}\nLABEL {Label}\nFOO bar\n");
            var e = await Assert.ThrowsAsync<ImageBuildException>(() => Images.BuildAsync(new ImageBuildSpec { ContextPath = folder.Root }));
            Assert.Equal("DockerfileParseError", e.ErrorId);
            Assert.Equal(EngineErrorKind.SyntaxError, e.Kind);
            Assert.Equal(3, e.Line);
            Assert.Contains("unknown instruction", e.Message, StringComparison.OrdinalIgnoreCase);

            var target = await Assert.ThrowsAsync<ImageBuildException>(() => Images.BuildAsync(new ImageBuildSpec
            {
                ContextPath = Context($"FROM {TestEngine.Image} AS one\nLABEL {Label}\n").Root,
                Target = "two",
            }));
            Assert.Equal("BuildTargetNotFound", target.ErrorId);
            Assert.Equal(EngineErrorKind.InvalidArgument, target.Kind);
        }

        [Fact]
        public async Task An_invalid_tag_fails_before_anything_is_sent()
        {
            // A folder without a Dockerfile: were the tags not checked first, the error would be the missing Dockerfile.
            var folder = new ContextFolder("ct-build-");
            _folders.Add(folder);
            var progress = new Recorder<ImageBuildProgress>();
            foreach (var (tag, errorId) in new[] { ("Upper/Case", "InvalidImageReference"), (_repo + ":bad tag", "InvalidImageReference"), (_repo + "@sha256:" + new string('a', 64), "TagWithDigest") })
            {
                var spec = new ImageBuildSpec { ContextPath = folder.Root };
                spec.Tags.Add(_repo + ":fine");
                spec.Tags.Add(tag);
                var e = await Assert.ThrowsAsync<InvalidSpecException>(() => Images.BuildAsync(spec, progress));
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(tag, e.Target);
            }

            Assert.Empty(progress.Items);
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-q", _repo));
            var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Images.BuildAsync(new ImageBuildSpec { ContextPath = folder.Root }));
            Assert.Equal("DockerfileNotFound", missing.ErrorId);
        }

        [Fact]
        public async Task Cancelling_during_the_upload_aborts_it_and_builds_nothing()
        {
            var folder = Context($"FROM {TestEngine.Image}\nLABEL {Label}\nCOPY big.bin /\n").Sparse("big.bin", 512L * 1024 * 1024);
            using var cancel = new CancellationTokenSource();
            long sentWhenCancelled = 0;
            var progress = new Recorder<ImageBuildProgress>(p =>
            {
                if (p.Phase == ImageBuildPhase.SendingContext && p.BytesSent > 0 && !cancel.IsCancellationRequested)
                {
                    sentWhenCancelled = p.BytesSent;
                    cancel.Cancel();
                }
            });
            var spec = new ImageBuildSpec { ContextPath = folder.Root };
            spec.Tags.Add(_repo + ":cancelled");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Images.BuildAsync(spec, progress, null, cancel.Token));
            Assert.InRange(sentWhenCancelled, 1, 1024 * 1024);
            Assert.DoesNotContain(progress.Items, p => p.Phase == ImageBuildPhase.Building);
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-a", "-q", "--filter", "label=" + Label));
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-q", _repo));
            Assert.Equal(string.Empty, Leftovers());
        }

        [Fact]
        public async Task A_context_file_that_shrinks_during_the_upload_is_reported_as_such_not_as_a_lost_engine()
        {
            var folder = Context($"FROM {TestEngine.Image}\nLABEL {Label}\nCOPY big.bin /\n").Sparse("big.bin", 256L * 1024 * 1024);
            var progress = new Recorder<ImageBuildProgress>(p =>
            {
                if (p.Phase == ImageBuildPhase.SendingContext && p.BytesSent > 0)
                {
                    using var file = new System.IO.FileStream(folder.PathOf("big.bin"), System.IO.FileMode.Open);
                    file.SetLength(0); // while the writer is in the middle of it
                }
            });
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Images.BuildAsync(new ImageBuildSpec { ContextPath = folder.Root }, progress));
            Assert.Equal("BuildContextChanged", e.ErrorId);
            Assert.Contains("big.bin", e.Message);
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-a", "-q", "--filter", "label=" + Label));
        }

        [Fact]
        public async Task Cancelling_during_a_step_stops_the_build_and_removes_its_container()
        {
            var folder = Context($"FROM {TestEngine.Image}\nLABEL {Label}\nRUN echo started && sleep 60\n");
            using var cancel = new CancellationTokenSource();
            var runningWhenCancelled = string.Empty;
            var output = new Recorder<ImageBuildMessage>(m =>
            {
                if (m.Kind == ImageBuildMessageKind.Output && m.Text == "started")
                {
                    runningWhenCancelled = Leftovers();
                    cancel.Cancel();
                }
            });
            var started = DateTime.UtcNow;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Images.BuildAsync(new ImageBuildSpec { ContextPath = folder.Root }, null, output, cancel.Token));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
            Assert.NotEqual(string.Empty, runningWhenCancelled); // the step's container was there (it carries the image's label)
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Leftovers().Length > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            Assert.Equal(string.Empty, Leftovers());
        }

        [Fact]
        public async Task Commit_applies_changes_message_and_author_and_tags()
        {
            var name = _containers.NewName("ctcommit");
            TestEngine.Docker("run", "-d", "--name", name, "--label", TestEngine.TestLabel, "--label", Label, TestEngine.Image, "sleep", "60");
            TestEngine.Docker("exec", name, "sh", "-c", "echo data > /file");
            var spec = new ContainerCommitSpec { Container = name, Message = "saved by a test", Author = "Jane Doe <jane@example.com>" };
            spec.Tags.Add(_repo + ":commit");
            spec.Tags.Add(_repo + ":commit2");
            spec.Changes.Add("CMD [\"cat\", \"/file\"]");
            spec.Changes.Add("ENV A=1");
            spec.Changes.Add("LABEL committed=yes");
            var rows = await Images.CommitAsync(spec);

            var id = TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":commit");
            Assert.Equal(new[] { "commit", "commit2" }, rows.Select(r => r.Tag));
            Assert.All(rows, r => Assert.Equal(id, r.Id));
            Assert.Equal("[\"cat\",\"/file\"]|saved by a test|Jane Doe <jane@example.com>|yes",
                TestEngine.Docker("image", "inspect", "-f", "{{json .Config.Cmd}}|{{.Comment}}|{{.Author}}|{{index .Config.Labels \"committed\"}}", id));
            Assert.Contains("\"A=1\"", TestEngine.Docker("image", "inspect", "-f", "{{json .Config.Env}}", id));
            Assert.Equal("saved by a test", TestEngine.Docker("history", "--format", "{{.Comment}}", id).Split('\n')[0]);
            Assert.Equal("data", TestEngine.Docker("run", "--rm", "--label", TestEngine.TestLabel, id));
            Assert.Equal("true false", TestEngine.Docker("inspect", "-f", "{{.State.Running}} {{.State.Paused}}", name)); // paused and resumed

            // Without pausing, and without a tag: the untagged image's row.
            var untagged = Assert.Single(await Images.CommitAsync(new ContainerCommitSpec { Container = name, Pause = false }));
            Assert.Equal("<none>", untagged.Tag);
            Assert.Equal(0, TestEngine.DockerResult("image", "inspect", untagged.Id).ExitCode);

            var bad = new ContainerCommitSpec { Container = name };
            bad.Changes.Add("RUN echo no");
            Assert.Equal("InvalidCommitChange", (await Assert.ThrowsAsync<InvalidSpecException>(() => Images.CommitAsync(bad))).ErrorId);
            var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Images.CommitAsync(new ContainerCommitSpec { Container = name + "-missing" }));
            Assert.Equal("ContainerNotFound", missing.ErrorId);
        }
    }
}
