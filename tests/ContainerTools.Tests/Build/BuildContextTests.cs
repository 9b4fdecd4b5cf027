using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Build;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>The build context as an archive, without an engine: what is resolved, what goes in, how it is streamed.</summary>
    public sealed class BuildContextTests : IDisposable
    {
        private readonly ContextFolder _folder = new ContextFolder("ct-context-");
        private readonly List<ContextFolder> _others = new List<ContextFolder>();

        public void Dispose()
        {
            _folder.Dispose();
            foreach (var other in _others)
            {
                other.Dispose();
            }
        }

        private static async Task<List<(System.Formats.Tar.TarEntry Entry, string Text)>> ArchiveAsync(BuildContext context)
        {
            using var output = new MemoryStream();
            await context.WriteToAsync(output);
            var result = new List<(System.Formats.Tar.TarEntry, string)>();
            using var reader = new TarReader(new MemoryStream(output.ToArray()));
            System.Formats.Tar.TarEntry? entry;
            while ((entry = reader.GetNextEntry(copyData: true)) != null)
            {
                var text = entry.DataStream == null ? string.Empty : new StreamReader(entry.DataStream).ReadToEnd();
                result.Add((entry, text));
            }

            return result;
        }

        [Fact]
        public void Missing_folders_files_and_dockerfiles_are_named()
        {
            Assert.Equal("BuildContextNotFound", Assert.Throws<ResourceNotFoundException>(() => BuildContext.Create(_folder.PathOf("nope"))).ErrorId);
            _folder.File("file.txt", "x");
            Assert.Equal("InvalidBuildContext", Assert.Throws<InvalidSpecException>(() => BuildContext.Create(_folder.PathOf("file.txt"))).ErrorId);
            var noDockerfile = Assert.Throws<ResourceNotFoundException>(() => BuildContext.Create(_folder.Root));
            Assert.Equal("DockerfileNotFound", noDockerfile.ErrorId);
            Assert.Contains("-Dockerfile", noDockerfile.Message);
            Assert.Equal("DockerfileNotFound", Assert.Throws<ResourceNotFoundException>(() => BuildContext.Create(_folder.Root, _folder.PathOf("Other.Dockerfile"))).ErrorId);
        }

        [Fact]
        public void A_lower_case_dockerfile_is_found_when_there_is_no_Dockerfile()
        {
            _folder.File("dockerfile", "FROM scratch\n");
            Assert.Equal("dockerfile", BuildContext.Create(_folder.Root).DockerfileName);
            _folder.File("Dockerfile", "FROM scratch\n");
            Assert.Equal("Dockerfile", BuildContext.Create(_folder.Root).DockerfileName);
        }

        [Fact]
        public async Task Excluded_dockerfile_and_dockerignore_are_still_sent_and_the_rest_follows_the_patterns()
        {
            _folder.File("Dockerfile", "FROM scratch\n").File(".dockerignore", "*\n!keep.txt\n").File("keep.txt").File("drop.txt").Dir("emptydir");
            var context = BuildContext.Create(_folder.Root);
            Assert.Equal(new[] { "*", "!keep.txt", "!.dockerignore", "!Dockerfile" }, context.Patterns);
            Assert.Equal(new[] { ".dockerignore", "Dockerfile", "keep.txt" }, (await ArchiveAsync(context)).Select(e => e.Entry.Name));
        }

        [Fact]
        public async Task A_dockerfile_outside_goes_in_under_a_random_name_that_the_amended_dockerignore_lists()
        {
            var elsewhere = new ContextFolder("ct-elsewhere-");
            _others.Add(elsewhere);
            elsewhere.File("Dockerfile.prod", "FROM scratch\nCOPY . /\n");
            _folder.File("a.txt", "a");

            var withoutIgnore = BuildContext.Create(_folder.Root, elsewhere.PathOf("Dockerfile.prod"));
            var entries = await ArchiveAsync(withoutIgnore);
            Assert.Equal(new[] { "a.txt", ".dockerignore", withoutIgnore.DockerfileName }, entries.Select(e => e.Entry.Name));
            Assert.Equal(".dockerignore\n" + withoutIgnore.DockerfileName + "\n", entries[1].Text);
            Assert.Equal("FROM scratch\nCOPY . /\n", entries[2].Text);
            Assert.Equal(Convert.ToInt32("600", 8), (int)entries[2].Entry.Mode);

            _folder.File(".dockerignore", "*.log");
            var withIgnore = BuildContext.Create(_folder.Root, elsewhere.PathOf("Dockerfile.prod"));
            Assert.NotEqual(withoutIgnore.DockerfileName, withIgnore.DockerfileName);
            entries = await ArchiveAsync(withIgnore);
            Assert.Equal(new[] { ".dockerignore", "a.txt", withIgnore.DockerfileName }, entries.Select(e => e.Entry.Name));
            Assert.Equal("*.log\n" + withIgnore.DockerfileName + "\n", entries[0].Text);
        }

        [Fact]
        public async Task Links_stay_links_fifos_do_not_block_and_hard_links_point_at_the_first_name()
        {
            _folder.File("Dockerfile", "FROM scratch\n").File("dir/in.txt", "in").Symlink("link-to-dir", "dir").Symlink("dangling", "nowhere")
                .File("a.txt", "a").HardLink("b.txt", "a.txt");
            using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", new[] { _folder.PathOf("pipe") }) { UseShellExecute = false })!)
            {
                mkfifo.WaitForExit();
            }

            var entries = (await ArchiveAsync(BuildContext.Create(_folder.Root))).ToDictionary(e => e.Entry.Name, e => e.Entry);
            Assert.Equal(new[] { "Dockerfile", "a.txt", "b.txt", "dangling", "dir/", "dir/in.txt", "link-to-dir", "pipe" }, entries.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal((TarEntryType.SymbolicLink, "dir"), (entries["link-to-dir"].EntryType, entries["link-to-dir"].LinkName));
            Assert.Equal((TarEntryType.SymbolicLink, "nowhere"), (entries["dangling"].EntryType, entries["dangling"].LinkName));
            Assert.Equal(TarEntryType.Fifo, entries["pipe"].EntryType);
            Assert.Equal((TarEntryType.HardLink, "a.txt"), (entries["b.txt"].EntryType, entries["b.txt"].LinkName));
            Assert.Equal(TarEntryType.Directory, entries["dir/"].EntryType);
        }

        [Fact]
        public async Task A_context_reached_through_a_symbolic_link_is_the_folder_it_points_to()
        {
            _folder.File("real/Dockerfile", "FROM scratch\n").File("real/x.txt").Symlink("alias", "real");
            var context = BuildContext.Create(_folder.PathOf("alias"));
            Assert.Equal(_folder.PathOf("real"), context.Directory);
            Assert.Equal("Dockerfile", context.DockerfileName);
            Assert.Equal(new[] { "Dockerfile", "x.txt" }, (await ArchiveAsync(context)).Select(e => e.Entry.Name));
        }

        [Fact]
        public async Task A_large_file_is_streamed_through_the_fixed_buffer_not_held()
        {
            const long size = 96L * 1024 * 1024;
            _folder.File("Dockerfile", "FROM scratch\n").Sparse("big.bin", size);
            var context = BuildContext.Create(_folder.Root);
            var counter = new WriteRecordingStream();
            var reports = new List<long>();
            await context.WriteToAsync(counter, total => reports.Add(total));
            Assert.Equal(2 * 512 + 512 + size + 1024, counter.Total); // 2 headers, the Dockerfile's block, the data, the end
            Assert.True(counter.LargestWrite <= 128 * 1024, $"largest write {counter.LargestWrite}");
            Assert.True(reports.Count >= size / (128 * 1024)); // reported as it goes, write by write
            Assert.Equal(counter.Total, reports.Last());
        }
    }
}
