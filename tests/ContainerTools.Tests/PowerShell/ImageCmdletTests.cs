using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>The image cmdlets through real pipelines, checked with the docker CLI.</summary>
    public sealed class ImageCmdletTests : IClassFixture<ImageCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private readonly PowerShellSession _ps;
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("psimg");

        public ImageCmdletTests(Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose()
        {
            var tags = TestEngine.Docker("images", _repo, "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (tags.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rmi" }.Concat(tags).ToArray());
            }
        }

        private Hashtable Vars => new Hashtable { ["repo"] = _repo, ["image"] = TestEngine.Image };

        [Fact]
        public void Tag_list_and_remove_through_the_pipeline()
        {
            var added = _ps.Invoke("Add-ContainerImageTag -Image $image -Tag \"$($repo):v1\", \"$($repo):v2\" -PassThru", Vars).AssertSuccess()
                .Objects<ContainerImage>().ToList();
            Assert.Equal(new[] { "v1", "v2" }, added.Select(i => i.Tag));
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", TestEngine.Image), added[0].Id);
            Assert.Equal(2, TestEngine.Docker("images", _repo, "-q").Split('\n').Length);

            var listed = _ps.Invoke("Get-ContainerImage $repo", Vars).AssertSuccess().Objects<ContainerImage>().ToList();
            Assert.Equal(2, listed.Count);

            _ps.Invoke("Get-ContainerImage \"$($repo):v*\" | Remove-ContainerImage", Vars).AssertSuccess();
            Assert.Equal(string.Empty, TestEngine.Docker("images", _repo, "-q"));
            Assert.Equal(0, TestEngine.DockerResult("image", "inspect", TestEngine.Image).ExitCode); // the image itself stays: it has other tags
        }

        [Fact]
        public void Piping_an_image_object_to_add_tag_tags_that_image()
        {
            _ps.Invoke("Get-ContainerImage $image | Add-ContainerImageTag -Tag \"$($repo):piped\"", Vars).AssertSuccess();
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", TestEngine.Image), TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":piped"));
        }

        [Fact]
        public void Errors_name_the_problem()
        {
            var missing = _ps.Invoke("Get-ContainerImage \"$($repo):nope\"", Vars);
            var error = Assert.Single(missing.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("ImageNotFound,ContainerTools.Cmdlets.Image.GetContainerImageCommand", error.FullyQualifiedErrorId);

            var bad = _ps.Invoke("Add-ContainerImageTag -Image $image -Tag 'Upper/Case'", Vars);
            Assert.StartsWith("InvalidImageReference,", Assert.Single(bad.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, bad.Errors[0].CategoryInfo.Category);

            var remove = _ps.Invoke("Remove-ContainerImage \"$($repo):nope\"", Vars);
            Assert.Equal(ErrorCategory.ObjectNotFound, Assert.Single(remove.Errors).CategoryInfo.Category);
            _ps.Invoke("Remove-ContainerImage \"$($repo):nope\" -Force", Vars).AssertSuccess();
        }

        [Fact]
        public void Whatif_prune_and_remove_change_nothing()
        {
            // A dangling image of our own: built twice under one tag, the first build loses its tag.
            var dir = Directory.CreateTempSubdirectory("ct-whatif-").FullName;
            string Build(string content)
            {
                File.WriteAllText(Path.Combine(dir, "Dockerfile"), $"FROM {TestEngine.Image}\nLABEL io.containertools.test.repo={_repo}\nRUN echo {content} > /c\n");
                TestEngine.Docker("build", "-q", "-t", _repo + ":keep", dir);
                return TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":keep");
            }

            var dangling = Build(Guid.NewGuid().ToString("N"));
            Build(Guid.NewGuid().ToString("N"));
            Directory.Delete(dir, true);
            try
            {
                _ps.Invoke("Remove-ContainerImage -Unused -WhatIf; Remove-ContainerImage -Dangling -WhatIf; Remove-ContainerImage \"$($repo):keep\" -WhatIf", Vars).AssertSuccess();
                Assert.Equal(0, TestEngine.DockerResult("image", "inspect", dangling).ExitCode);
                Assert.Equal(0, TestEngine.DockerResult("image", "inspect", _repo + ":keep").ExitCode);

                // Without -WhatIf, a label-scoped prune removes exactly our dangling image.
                var pruned = _ps.Invoke("Remove-ContainerImage -Dangling -Label \"io.containertools.test.repo=$repo\"", Vars).AssertSuccess().Objects<ImagePruneResult>().Single();
                Assert.Contains(dangling, pruned.Deleted);
                Assert.NotEqual(0, TestEngine.DockerResult("image", "inspect", dangling).ExitCode);
            }
            finally
            {
                TestEngine.DockerResult("rmi", "-f", dangling);
            }
        }

        [Fact]
        public void Tab_completion_offers_image_references()
        {
            _ps.Invoke("Add-ContainerImageTag $image \"$($repo):complete-me\"", Vars).AssertSuccess();
            var input = "Remove-ContainerImage " + _repo + ":compl";
            var matches = _ps.Invoke("[System.Management.Automation.CommandCompletion]::CompleteInput($in, $in.Length, $null).CompletionMatches.CompletionText",
                new Hashtable { ["in"] = input }).AssertSuccess().Output.Select(o => (string)o.BaseObject).ToList();
            Assert.Equal(new[] { _repo + ":complete-me" }, matches);
        }

        [Fact]
        public void Id_lookups_honour_the_filters()
        {
            var id = TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", TestEngine.Image);
            Assert.NotEmpty(_ps.Invoke("Get-ContainerImage -Id $id", new Hashtable { ["id"] = id }).AssertSuccess().Output);
            Assert.Empty(_ps.Invoke("Get-ContainerImage -Id $id -Dangling", new Hashtable { ["id"] = id }).AssertSuccess().Output);
            Assert.Empty(_ps.Invoke("Get-ContainerImage -Id $id -Label no.such.label", new Hashtable { ["id"] = id }).AssertSuccess().Output);
        }

        [Fact]
        public void Export_and_import_through_the_pipeline()
        {
            var archive = Path.Combine(Path.GetTempPath(), TestEngine.UniqueName("export") + ".tar");
            try
            {
                var file = _ps.Invoke("Add-ContainerImageTag $image \"$($repo):x\",\"$($repo):y\"; Get-ContainerImage $repo | Export-ContainerImage -Path $archive -PassThru",
                    new Hashtable(Vars) { ["archive"] = archive }).AssertSuccess().Objects<FileInfo>().Single();
                Assert.True(file.Length > 0);
                TestEngine.Docker("rmi", _repo + ":x", _repo + ":y");
                var loaded = _ps.Invoke("Get-Item $archive | Import-ContainerImage", new Hashtable(Vars) { ["archive"] = archive }).AssertSuccess().Objects<ContainerImage>();
                Assert.Equal(new[] { "x", "y" }, loaded.Select(i => i.Tag).OrderBy(t => t));
            }
            finally
            {
                File.Delete(archive);
            }
        }

        [Fact]
        public void Export_keeps_an_existing_file_without_force_as_export_container_does()
        {
            var dir = Directory.CreateTempSubdirectory("ct-imgexport-").FullName;
            try
            {
                var archive = Path.Combine(dir, "images.tar");
                File.WriteAllText(archive, "keep me");
                var vars = new Hashtable(Vars) { ["archive"] = archive };
                var again = _ps.Invoke("Export-ContainerImage $image -Path $archive", vars);
                var error = Assert.Single(again.Errors);
                Assert.Equal("ExportFileExists,ContainerTools.Cmdlets.Image.ExportContainerImageCommand", error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
                Assert.Contains("-Force", error.Exception.Message);
                Assert.Equal("keep me", File.ReadAllText(archive));

                _ps.Invoke("Export-ContainerImage $image -Path $archive -Force", vars).AssertSuccess();
                Assert.True(new FileInfo(archive).Length > 1024);
                Assert.Single(Directory.GetFiles(dir)); // no partial file left beside it
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Find_on_a_registry_without_search_is_a_not_implemented_error()
        {
            var result = _ps.Invoke("Find-ContainerImage \"$registry/x\"", new Hashtable(Vars) { ["registry"] = TestEngine.Registry });
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.NotImplemented, error.CategoryInfo.Category);
            Assert.StartsWith("RegistrySearchNotSupported,", error.FullyQualifiedErrorId);
        }

        [Fact]
        public void Image_table_and_history_read_like_docker()
        {
            _ps.Invoke("Add-ContainerImageTag $image \"$($repo):table\"", Vars).AssertSuccess();
            var text = _ps.Render($"Get-ContainerImage {_repo}");
            var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.Matches(@"^Repository\s+Tag\s+Id\s+Created\s+Size$", lines[0]);
            Assert.Matches($@"^{_repo.Replace("/", "/")}\s+table\s+[0-9a-f]{{12}}\s+.+ago\s+[0-9.]+[kMG]?B$", lines[2]);

            var history = _ps.Invoke("Get-ContainerImageHistory $image", Vars).AssertSuccess().Objects<ContainerImageLayer>().ToList();
            Assert.Equal(TestEngine.Docker("history", "-q", TestEngine.Image).Split('\n').Length, history.Count);
        }
    }
}
