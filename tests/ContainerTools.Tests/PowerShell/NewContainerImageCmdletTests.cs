using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using PS = System.Management.Automation.PowerShell;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>New-ContainerImage through real pipelines: build output on the Information stream, progress, errors, WhatIf, stop, commit.</summary>
    public sealed class NewContainerImageCmdletTests : IClassFixture<NewContainerImageCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private readonly PowerShellSession _ps;
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("psbuild");
        private readonly ContextFolder _folder = new ContextFolder("ct-psbuild-");
        private readonly ContainerCleanup _containers = new ContainerCleanup();

        public NewContainerImageCmdletTests(Session session)
        {
            _ps = session.Shell;
        }

        private string Label => "io.containertools.test.repo=" + _repo;

        public void Dispose()
        {
            _containers.Dispose();
            TestEngine.RemoveImages(Label, _repo);
            _folder.Dispose();
        }

        private Hashtable Vars => new Hashtable { ["repo"] = _repo, ["ctx"] = _folder.Root, ["image"] = TestEngine.Image, ["label"] = Label };

        private string Leftovers() => TestEngine.Docker("ps", "-a", "-q", "--filter", "label=" + Label);

        [Fact]
        public void Build_writes_steps_and_output_to_the_information_stream_and_completes_its_progress()
        {
            _folder.File("Dockerfile", $"FROM {TestEngine.Image}\nLABEL {Label}\nARG WHO\nRUN echo \"hello $WHO\"\n").File("app.txt", "app");
            var result = _ps.Invoke("New-ContainerImage -Path $ctx -Tag \"$($repo):ps\", \"$($repo):ps2\" -BuildArgument @{ WHO = 'pwsh' } -Label @{ via = 'cmdlet' }", Vars)
                .AssertSuccess();

            var images = result.Objects<ContainerImage>().ToList();
            Assert.Equal(new[] { "ps", "ps2" }, images.Select(i => i.Tag));
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":ps"), images[0].Id);
            Assert.Equal("cmdlet", TestEngine.Docker("image", "inspect", "-f", "{{index .Config.Labels \"via\"}}", _repo + ":ps"));

            var info = result.Information;
            var steps = info.Where(i => i.Tags.Contains("Step")).Select(i => i.MessageData.ToString()).ToList();
            Assert.Equal(5, steps.Count); // 4 instructions and the -Label step
            Assert.Equal("Step 4/5 : RUN echo \"hello $WHO\"", steps[3]);
            Assert.Contains(info, i => i.Tags.Contains("Build") && i.Tags.Contains("Output") && i.MessageData.ToString() == "hello pwsh");
            Assert.IsType<ImageBuildMessage>(info[0].MessageData);
            Assert.All(info, i => Assert.Contains("Build", i.Tags));

            var progress = result.Progress;
            Assert.Contains(progress, p => p.StatusDescription.StartsWith("Sending build context: ", StringComparison.Ordinal));
            Assert.Contains(progress, p => p.StatusDescription.StartsWith("Step 4/5 : RUN", StringComparison.Ordinal) && p.PercentComplete == 60);
            Assert.Equal(ProgressRecordType.Completed, progress.Last().RecordType);
            Assert.All(progress, p => Assert.Equal(1, p.ActivityId));
        }

        [Fact]
        public void Piping_a_container_commits_it_with_message_and_changes()
        {
            var name = _containers.NewName("ctpscommit");
            TestEngine.Docker("run", "-d", "--name", name, "--label", TestEngine.TestLabel, "--label", Label, TestEngine.Image, "sleep", "60");
            var vars = Vars;
            vars["name"] = name;
            var result = _ps.Invoke("Get-Container $name | New-ContainerImage -Tag \"$($repo):piped\" -Message 'from the pipeline' -Change 'ENV B=2', 'WORKDIR /srv'", vars)
                .AssertSuccess();
            var image = Assert.Single(result.Objects<ContainerImage>());
            Assert.Equal(_repo + ":piped", image.Reference);
            Assert.Equal("from the pipeline|/srv", TestEngine.Docker("image", "inspect", "-f", "{{.Comment}}|{{.Config.WorkingDir}}", image.Id));
            Assert.Contains("\"B=2\"", TestEngine.Docker("image", "inspect", "-f", "{{json .Config.Env}}", image.Id));

            // By name, positionally, with -Pause:$false.
            _ps.Invoke("New-ContainerImage $name \"$($repo):byname\" -Pause:$false -Author 'me'", vars).AssertSuccess();
            Assert.Equal("me", TestEngine.Docker("image", "inspect", "-f", "{{.Author}}", _repo + ":byname"));
        }

        [Fact]
        public void Whatif_builds_and_commits_nothing()
        {
            _folder.File("Dockerfile", $"FROM {TestEngine.Image}\nLABEL {Label}\nRUN echo built\n");
            var result = _ps.Invoke("New-ContainerImage -Path $ctx -Tag \"$($repo):whatif\" -WhatIf; New-ContainerImage -Container does-not-matter -Tag \"$($repo):whatif2\" -WhatIf", Vars)
                .AssertSuccess();
            Assert.Empty(result.Output);
            Assert.Empty(result.Progress);
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-a", "-q", "--filter", "label=" + Label));
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-q", _repo));
        }

        [Fact]
        public void A_failed_step_is_an_error_record_with_the_step_and_line_and_no_container_is_left()
        {
            _folder.File("Dockerfile", $"FROM {TestEngine.Image}\nLABEL {Label}\nRUN echo ok\nRUN echo oops \\\n && false\n");
            var result = _ps.Invoke("New-ContainerImage -Path $ctx -Tag \"$($repo):fails\"", Vars);
            var error = Assert.Single(result.Errors);
            Assert.Equal("ImageBuildFailed,ContainerTools.Cmdlets.Image.NewContainerImageCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
            Assert.Contains("Step 4/4", error.Exception.Message);
            Assert.Contains("lines 4-5", error.Exception.Message);
            var failure = Assert.IsType<ImageBuildException>(error.Exception);
            Assert.Equal((4, 1), (failure.Line!.Value, failure.ExitCode!.Value));
            Assert.Equal(_folder.PathOf("Dockerfile"), error.TargetObject);
            Assert.Empty(result.Output);
            Assert.Equal(ProgressRecordType.Completed, result.Progress.Last().RecordType);
            Assert.Equal(string.Empty, Leftovers());

            var parse = _ps.Invoke("[IO.File]::WriteAllText((Join-Path $ctx 'Dockerfile'), \"FROM busybox`nNOPE x`n\"); New-ContainerImage $ctx", Vars);
            Assert.Equal(ErrorCategory.ParserError, Assert.Single(parse.Errors).CategoryInfo.Category);
        }

        [Fact]
        public void An_invalid_tag_is_an_invalid_argument_before_anything_is_sent()
        {
            _folder.File("Dockerfile", $"FROM {TestEngine.Image}\nLABEL {Label}\n");
            var result = _ps.Invoke("New-ContainerImage -Path $ctx -Tag 'Not/Valid:Tag!'", Vars);
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("InvalidImageReference,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("Not/Valid:Tag!", error.TargetObject);
            Assert.DoesNotContain(result.Progress, p => p.StatusDescription.StartsWith("Sending", StringComparison.Ordinal));
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-a", "-q", "--filter", "label=" + Label));
        }

        [Fact]
        public void Stopping_the_pipeline_aborts_the_upload_and_leaves_nothing()
        {
            _folder.File("Dockerfile", $"FROM {TestEngine.Image}\nLABEL {Label}\nCOPY big.bin /\n").Sparse("big.bin", 2L * 1024 * 1024 * 1024);
            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddCommand("New-ContainerImage").AddParameter("Path", _folder.Root).AddParameter("Tag", _repo + ":stopped");
            var stopping = 0;
            ps.Streams.Progress.DataAdded += (_, e) =>
            {
                var record = ps.Streams.Progress[e.Index];
                if (record.StatusDescription.StartsWith("Sending build context", StringComparison.Ordinal) && Interlocked.Exchange(ref stopping, 1) == 0)
                {
                    ps.BeginStop(null, null); // as Ctrl+C would, from another thread
                }
            };
            var async = ps.BeginInvoke();
            Assert.True(async.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "the stopped build did not end");
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Equal(1, stopping);
            Assert.DoesNotContain(ps.Streams.Progress, p => p.StatusDescription.StartsWith("Step ", StringComparison.Ordinal));
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-a", "-q", "--filter", "label=" + Label));
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-q", _repo));
            Assert.Equal(string.Empty, Leftovers());
        }

        /// <summary>The help page's examples, run as written against the test engine (each cleans up after itself).</summary>
        [Theory]
        [InlineData(1, "hello from a built image")]
        [InlineData(2, "bonjour from the app")]
        [InlineData(3, "index.html")]
        [InlineData(4, "ImageBuildFailed,ContainerTools.Cmdlets.Image.NewContainerImageCommand: step 2 of 2, Dockerfile line 2-3, exit code 1")]
        [InlineData(5, "configured by hand")]
        [InlineData(6, "")]
        public void Help_examples_run_as_written(int number, string expected)
        {
            var page = File.ReadAllText(Path.Combine(TestEngine.RepositoryRoot, "docs", "New-ContainerImage.md"));
            var examples = page.Substring(page.IndexOf("## EXAMPLES", StringComparison.Ordinal));
            examples = examples.Substring(0, examples.IndexOf("## PARAMETERS", StringComparison.Ordinal));
            var blocks = Regex.Matches(examples, "```powershell\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(6, blocks.Count);
            var result = _ps.Invoke(blocks[number - 1]).AssertSuccess();
            var text = string.Join("\n", result.Output.Select(o => o?.ToString()));
            Assert.Contains(expected, text);
            if (number == 2)
            {
                Assert.Contains("docs", text); // the label
                var lines = result.Output.Select(o => o?.ToString()).ToList();
                Assert.Equal("Step 1/6 : FROM busybox AS app", lines[0]); // the test stage is not built; the label is a step
                Assert.Equal(new[] { "  output: Dockerfile", "  output: src" }, lines.Where(l => l!.StartsWith("  output: ", StringComparison.Ordinal)));
            }
        }
    }
}
