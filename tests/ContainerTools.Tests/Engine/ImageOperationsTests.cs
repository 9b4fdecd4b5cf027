using System;
using System.Linq;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Images;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>Image listing, tagging, removal, pruning and history on the real engine, checked with the docker CLI.</summary>
    public sealed class ImageOperationsTests : IDisposable
    {
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("img");
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();
        private static ImageOperations Images => TestEngine.Connection.Images;

        public void Dispose()
        {
            _cleanup.Dispose();
            var ids = TestEngine.Docker("images", "-q", "--filter", "label=io.containertools.test.repo=" + _repo).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var tags = TestEngine.Docker("images", _repo, "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (tags.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rmi", "-f" }.Concat(tags).ToArray());
            }

            if (ids.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rmi", "-f" }.Concat(ids.Distinct()).ToArray());
            }
        }

        /// <summary>Builds a small image of our own (labelled, so cleanup finds it even when untagged).</summary>
        private string Build(string tag, string content)
        {
            var dir = System.IO.Directory.CreateTempSubdirectory("ct-img-").FullName;
            System.IO.File.WriteAllText(System.IO.Path.Combine(dir, "Dockerfile"),
                $"FROM {TestEngine.Image}\nLABEL io.containertools.test.repo={_repo}\nRUN echo '{content}' > /content\n");
            try
            {
                TestEngine.Docker("build", "-q", "-t", tag, dir);
                return TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", tag);
            }
            finally
            {
                System.IO.Directory.Delete(dir, true);
            }
        }

        [Fact]
        public async Task Tag_list_and_get_agree_with_docker_images()
        {
            var tagged = await Images.TagAsync(TestEngine.Image, _repo + ":one");
            Assert.Equal(_repo, tagged.Repository);
            Assert.Equal("one", tagged.Tag);
            await Images.TagAsync(TestEngine.Image, _repo + ":two");
            var query = new ImageQuery();
            query.Names.Add(_repo);
            var rows = await Images.ListAsync(query);
            Assert.Equal(new[] { "one", "two" }, rows.Select(r => r.Tag).OrderBy(t => t));
            var cliId = TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":one");
            Assert.All(rows, r => Assert.Equal(cliId, r.Id));
            Assert.Contains(_repo + ":two", rows[0].Tags);
            Assert.Equal(long.Parse(TestEngine.Docker("image", "inspect", "-f", "{{.Size}}", _repo + ":one")), rows[0].Size);

            var wildcard = new ImageQuery();
            wildcard.Names.Add(_repo + ":t*");
            Assert.Equal("two", Assert.Single(await Images.ListAsync(wildcard)).Tag);

            var byId = await Images.GetAsync(cliId.Substring(7, 12));
            Assert.Contains(byId, r => r.Reference == _repo + ":one");
            Assert.Equal(_repo + ":two", (await Images.GetAsync(_repo + ":two"))[0].Reference);
        }

        [Fact]
        public async Task Removing_a_tag_untags_and_the_last_tag_deletes_the_image()
        {
            var id = Build(_repo + ":a", Guid.NewGuid().ToString());
            await Images.TagAsync(_repo + ":a", _repo + ":b");
            var first = await Images.RemoveAsync(_repo + ":a");
            Assert.Equal(new[] { _repo + ":a" }, first.Untagged);
            Assert.Empty(first.Deleted);
            Assert.Equal(0, TestEngine.DockerResult("image", "inspect", id).ExitCode);
            var last = await Images.RemoveAsync(_repo + ":b");
            Assert.Contains(id, last.Deleted);
            Assert.NotEqual(0, TestEngine.DockerResult("image", "inspect", id).ExitCode);
        }

        [Fact]
        public async Task Missing_images_are_not_found_unless_forced()
        {
            var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Images.RemoveAsync(_repo + ":missing"));
            Assert.Equal("ImageNotFound", e.ErrorId);
            var forced = await Images.RemoveAsync(_repo + ":missing", force: true);
            Assert.Empty(forced.Deleted);
        }

        [Fact]
        public async Task An_image_a_container_uses_is_a_conflict_that_names_the_fix()
        {
            Build(_repo + ":used", Guid.NewGuid().ToString());
            var name = _cleanup.NewName();
            var spec = new ContainerCreateSpec { Image = _repo + ":used", Name = name, Command = new[] { "true" } };
            await TestEngine.Connection.Containers.CreateAsync(spec);
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Images.RemoveAsync(_repo + ":used"));
            Assert.Equal("ImageInUse", e.ErrorId);
            Assert.Equal(EngineErrorKind.Conflict, e.Kind);
            Assert.Contains("Remove-Container", e.Message);
            Assert.Equal(0, TestEngine.DockerResult("image", "inspect", _repo + ":used").ExitCode);
        }

        [Fact]
        public async Task Prune_dangling_removes_only_matching_untagged_images()
        {
            var oldId = Build(_repo + ":p", "first " + Guid.NewGuid());
            var newId = Build(_repo + ":p", "second " + Guid.NewGuid()); // the first build is now dangling
            Assert.NotEqual(oldId, newId);
            var dangling = new ImageQuery { Dangling = true };
            dangling.Labels.Add("io.containertools.test.repo=" + _repo);
            Assert.Equal(oldId, Assert.Single(await Images.ListAsync(dangling)).Id);

            var result = await Images.PruneAsync(danglingOnly: true, new[] { "io.containertools.test.repo=" + _repo });
            Assert.Contains(oldId, result.Deleted);
            Assert.True(result.SpaceReclaimed >= 0);
            Assert.NotEqual(0, TestEngine.DockerResult("image", "inspect", oldId).ExitCode);
            Assert.Equal(0, TestEngine.DockerResult("image", "inspect", newId).ExitCode);
        }

        [Fact]
        public async Task History_matches_docker_history()
        {
            Build(_repo + ":h", Guid.NewGuid().ToString());
            var layers = await Images.HistoryAsync(_repo + ":h");
            var cli = TestEngine.Docker("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}", _repo + ":h").Split('\n');
            Assert.Equal(cli.Length, layers.Count);
            Assert.Equal(cli.Select(l => l.Split('|')[0]), layers.Select(l => l.Id));
            Assert.Contains("echo", layers[0].CreatedBy);
            Assert.Contains(_repo + ":h", layers[0].Tags);
        }

        [Fact]
        public async Task Tagging_with_an_invalid_reference_changes_nothing()
        {
            var e = await Assert.ThrowsAsync<InvalidSpecException>(() => Images.TagAsync(TestEngine.Image, _repo + ":Bad Tag"));
            Assert.Equal("InvalidImageReference", e.ErrorId);
            Assert.Equal(string.Empty, TestEngine.Docker("images", "-q", _repo));
        }
    }
}
