using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ContainerTools.Engine.Build;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>
    /// The decisive test of the build context: the files that COPY . /ctx/ puts into an image built by us are the ones
    /// (names, types, modes, sizes, link targets, file mtimes) that DOCKER_BUILDKIT=0 docker build puts there from the
    /// same folder, over .dockerignore cases that exercise Docker's rules.
    /// </summary>
    public sealed class BuildContextParityTests : IDisposable
    {
        private static readonly UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        private static readonly UnixFileMode Mode755 = Mode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("parity");
        private readonly List<ContextFolder> _folders = new List<ContextFolder>();

        private string Label => "io.containertools.test.repo=" + _repo;

        public void Dispose()
        {
            TestEngine.RemoveImages(Label, _repo);
            foreach (var folder in _folders)
            {
                folder.Dispose();
            }
        }

        private ContextFolder NewFolder()
        {
            var folder = new ContextFolder("ct-parity-");
            _folders.Add(folder);
            return folder;
        }

        private string Dockerfile => $"FROM {TestEngine.Image}\nLABEL {Label}\nCOPY . /ctx/\n";

        public static TheoryData<string> Cases() => new TheoryData<string>(CaseSetup.Keys.OrderBy(k => k));

        // Each case: the folder's files, and its .dockerignore (null: none).
        private static readonly Dictionary<string, (Action<ContextFolder> Files, string? Ignore)> CaseSetup = new Dictionary<string, (Action<ContextFolder>, string?)>
        {
            ["rich_tree_without_dockerignore"] = (RichTree, null),
            ["double_star"] = (f => f.File("a.log").File("dir/b.log").File("dir/c.txt").File("keep/c.log").File("keep/x/d.log")
                .File("dir/tmp/t.txt").File("tmp/u.txt").File("src/tmpfile").File("logs.d/e.log").File("deep/er/tmp/v.txt"),
                "**/*.log\n!keep/**/*.log\n**/tmp\n"),
            ["reinclude_in_order"] = (f => f.File("README.md", "readme").File("other.txt").File("src/a.c").File("src/b.bak").File("src/important.bak")
                .File("src/deep/c.bak").File("lib/x.c").File(".hidden"),
                "*\n!src\n!README.md\nsrc/**/*.bak\n!src/important.bak\n"),
            ["excluded_dockerfile_and_dockerignore"] = (f => f.File("secret.txt").File("dir/secret.key").File("dir/ok.txt").File("keep.txt"),
                "Dockerfile\n.dockerignore\nsecret*\n**/secret*\n"),
            ["excluded_dirs_with_exceptions"] = (f => f.File("dir/keep.txt").File("dir/drop.txt").File("dir/sub/x.txt").File("nested/a/b/c.txt")
                .File("nested/a/b/d.txt").File("nested/z.txt").File("x/y/inner.txt").File("x/z.txt").Dir("x/emptydir"),
                "dir\n!dir/keep.txt\nnested/a\n!nested/a/b/c.txt\nx/*\n!x/y\n"),
            ["syntax_comments_spaces_slashes"] = (f => f.File("a.txt").File("b/c.txt").File("b/keep.txt").File("b/other.txt").File("# not a comment")
                .File("d1.txt").File("d22.txt").File("ax.txt").File("cx.txt").File("gone").File("gone2").File("x.tmp").File("sub/y.tmp")
                .File("sp ace.txt").File("q[1].txt"),
                "\uFEFF# comment line\r\n\r\n/a.txt   \r\n./b/c.txt\r\n  # not a comment\r\n\t\r\nd?.txt\r\n[ab]x.txt\r\ngone/../gone2\r\n*.tmp\r\n  sp ace.txt  \r\nq\\[1\\].txt\r\n"),
            ["later_patterns_win_and_parents_match"] = (f => f.File("a/b/x").File("a/y").File("c/z").File("c/d/w").File("c/d/e/v").File("c/d/e/keep")
                .File("m/n/o.txt").File("m/p.txt"),
                "a/b\n!a\nc\n!c/d\nc/d/e\n!c/d/e/keep\n!m\nm/n\n"),
            ["everything_but_one_folder"] = (f => f.File("app/main.c").File("app/sub/x.h").File("root.txt").File("other/y").Dir("app/empty"),
                "**\n!app/**\n"),
        };

        private static void RichTree(ContextFolder f)
        {
            var random = new Random(42);
            var big = new byte[1024 * 1024 + 123];
            random.NextBytes(big);
            var longPath = "long/" + new string('a', 60) + "/" + new string('b', 60) + "/" + new string('c', 60) + "/file-" + new string('d', 80) + ".txt";
            f.File("a.txt", "alpha", Mode644)
                .File("exec.sh", "#!/bin/sh\necho hi\n", Mode755)
                .File("private.key", "k", UnixFileMode.UserRead | UnixFileMode.UserWrite)
                .File("old.txt", "old", Mode644, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc))
                .File("zero.txt", string.Empty)
                .File("dir/sub/deep.txt", "deep")
                .File("name with spaces.txt", "s")
                .File("dir with space/x y.txt", "xy")
                .Dir("empty")
                .Dir("emptynested/a/b")
                .Dir("secret-dir", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
                .File("secret-dir/inside.txt", "in")
                .Dir("setgid-dir", Mode755 | UnixFileMode.SetGroup)
                .Dir("sticky", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit)
                .File(longPath, "long")
                .File("medium/" + new string('e', 90) + "/" + new string('f', 90) + ".txt", "medium")
                .File(new string('g', 150) + ".txt", "long name")
                .File("ünïcödé/ファイル.txt", "unicode")
                .Symlink("link-to-file", "a.txt")
                .Symlink("link-to-dir", "dir")
                .Symlink("dangling", "does/not/exist")
                .Symlink("absolute", "/etc/passwd")
                .Symlink("long-link", longPath)
                .HardLink("hard.txt", "a.txt")
                .Bytes("big.bin", big);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public async Task Image_files_equal_what_the_classic_docker_build_copies(string name)
        {
            var (files, ignore) = CaseSetup[name];
            var folder = NewFolder();
            files(folder);
            folder.File("Dockerfile", Dockerfile);
            if (ignore != null)
            {
                folder.File(".dockerignore", ignore);
            }

            var (ours, theirs) = await BuildBothAsync(folder.Root, null, name);
            Assert.Equal(theirs, ours);
            Assert.NotEmpty(ours);
            AssertCaseSanity(name, ours);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task A_dockerfile_outside_the_context_is_sent_under_a_hidden_name(bool withDockerignore)
        {
            var folder = NewFolder().File("a.txt", "a").File("b.log", "b").File("dir/c.txt", "c");
            if (withDockerignore)
            {
                folder.File(".dockerignore", "*.log\n");
            }

            var elsewhere = NewFolder().File("build/Dockerfile", Dockerfile);
            var context = BuildContext.Create(folder.Root, elsewhere.PathOf("build/Dockerfile"));
            Assert.True(context.DockerfileOutsideContext);
            Assert.Matches("^\\.dockerfile\\.[0-9a-f]{20}$", context.DockerfileName);

            var (ours, theirs) = await BuildBothAsync(folder.Root, elsewhere.PathOf("build/Dockerfile"), "outside");
            Assert.Equal(theirs, ours);
            Assert.DoesNotContain(ours, e => e.Contains(".dockerfile.", StringComparison.Ordinal));
            Assert.Equal(withDockerignore, ours.Any(e => e.StartsWith("ctx/.dockerignore|", StringComparison.Ordinal)));
            Assert.Contains(ours, e => e.StartsWith("ctx/a.txt|", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_dockerfile_in_a_subfolder_of_the_context_is_named_by_its_path()
        {
            var folder = NewFolder().File("a.txt", "a").File("docker/app.Dockerfile", Dockerfile).File(".dockerignore", "docker\n");
            var context = BuildContext.Create(folder.Root, folder.PathOf("docker/app.Dockerfile"));
            Assert.False(context.DockerfileOutsideContext);
            Assert.Equal("docker/app.Dockerfile", context.DockerfileName);
            var (ours, theirs) = await BuildBothAsync(folder.Root, folder.PathOf("docker/app.Dockerfile"), "subfolder");
            Assert.Equal(theirs, ours);
        }

        private async Task<(List<string> Ours, List<string> Theirs)> BuildBothAsync(string context, string? dockerfile, string name)
        {
            var tag = name.Replace('_', '-');
            var cli = Task.Run(() =>
            {
                var args = new List<string> { "--no-cache", "-t", $"{_repo}:cli-{tag}" };
                if (dockerfile != null)
                {
                    args.AddRange(new[] { "-f", dockerfile });
                }

                args.Add(context);
                return TestEngine.LegacyBuild(args.ToArray());
            });
            var spec = new ImageBuildSpec { ContextPath = context, Dockerfile = dockerfile, NoCache = true };
            spec.Tags.Add($"{_repo}:ours-{tag}");
            IReadOnlyList<ContainerTools.Engine.Model.ContainerImage> ours;
            try
            {
                ours = await TestEngine.Connection.Images.BuildAsync(spec);
            }
            finally
            {
                // Never leave the oracle's build running past the test's cleanup.
                await Task.WhenAny(cli);
            }

            var cliId = await cli;
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", $"{_repo}:ours-{tag}"), Assert.Single(ours).Id);
            return (Listing($"{_repo}:ours-{tag}"), Listing(cliId));
        }

        /// <summary>What /ctx holds in the image: one line per entry, from docker cp's tar of it.</summary>
        internal static List<string> Listing(string image)
        {
            var id = TestEngine.Docker("create", "--label", TestEngine.TestLabel, image);
            try
            {
                var tar = TestEngine.DockerBytes("cp", id + ":/ctx", "-");
                var lines = new List<string>();
                using var reader = new TarReader(new MemoryStream(tar));
                TarEntry? entry;
                while ((entry = reader.GetNextEntry()) != null)
                {
                    var mode = Convert.ToString((int)entry.Mode, 8);
                    var mtime = entry.EntryType == TarEntryType.RegularFile || entry.EntryType == TarEntryType.V7RegularFile
                        ? entry.ModificationTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : "-";
                    lines.Add($"{entry.Name.TrimEnd('/')}|{entry.EntryType}|{mode}|{entry.Length}|{entry.LinkName}|{mtime}|{entry.Uid}:{entry.Gid}");
                }

                lines.Sort(StringComparer.Ordinal);
                return lines;
            }
            finally
            {
                TestEngine.DockerResult("rm", "-f", id);
            }
        }

        // The comparison would also pass if both sides lost everything: check what each case must and must not hold.
        private static void AssertCaseSanity(string name, List<string> listing)
        {
            bool Has(string path) => listing.Any(l => l.StartsWith("ctx/" + path + "|", StringComparison.Ordinal));
            switch (name)
            {
                case "rich_tree_without_dockerignore":
                    Assert.True(Has("empty") && Has("emptynested/a/b") && Has("link-to-dir") && Has("ünïcödé/ファイル.txt") && Has(new string('g', 150) + ".txt"));
                    Assert.Contains(listing, l => l.StartsWith("ctx/link-to-dir|SymbolicLink|", StringComparison.Ordinal) && l.Contains("|dir|", StringComparison.Ordinal));
                    Assert.Contains(listing, l => l.StartsWith("ctx/exec.sh|RegularFile|755|", StringComparison.Ordinal));
                    break;
                case "double_star":
                    Assert.True(Has("keep/c.log") && Has("keep/x/d.log") && Has("dir/c.txt") && Has("src/tmpfile"));
                    Assert.False(Has("a.log") || Has("dir/b.log") || Has("tmp") || Has("dir/tmp") || Has("deep/er/tmp"));
                    break;
                case "reinclude_in_order":
                    Assert.True(Has("README.md") && Has("src/a.c") && Has("src/important.bak"));
                    Assert.False(Has("other.txt") || Has("src/b.bak") || Has("src/deep/c.bak") || Has("lib") || Has(".hidden"));
                    break;
                case "excluded_dockerfile_and_dockerignore":
                    Assert.True(Has("keep.txt") && Has("dir/ok.txt"));
                    Assert.False(Has("Dockerfile") || Has(".dockerignore") || Has("secret.txt") || Has("dir/secret.key"));
                    break;
                case "excluded_dirs_with_exceptions":
                    Assert.True(Has("dir/keep.txt") && Has("nested/a/b/c.txt") && Has("x/y/inner.txt") && Has("nested/z.txt"));
                    Assert.False(Has("dir/drop.txt") || Has("nested/a/b/d.txt") || Has("x/z.txt") || Has("x/emptydir"));
                    break;
                case "syntax_comments_spaces_slashes":
                    Assert.True(Has("b/keep.txt") && Has("d22.txt") && Has("cx.txt") && Has("gone") && Has("sub/y.tmp"));
                    Assert.False(Has("a.txt") || Has("b/c.txt") || Has("# not a comment") || Has("d1.txt") || Has("ax.txt") || Has("gone2") ||
                                 Has("x.tmp") || Has("sp ace.txt") || Has("q[1].txt"));
                    break;
                case "later_patterns_win_and_parents_match":
                    Assert.True(Has("a/y") && Has("c/d/w") && Has("c/d/e/keep") && Has("m/p.txt"));
                    Assert.False(Has("c/z") || Has("c/d/e/v") || Has("m/n/o.txt"));
                    break;
                case "everything_but_one_folder":
                    Assert.True(Has("app/main.c") && Has("app/sub/x.h") && Has("app/empty"));
                    Assert.False(Has("root.txt") || Has("other") || Has("Dockerfile") || Has(".dockerignore"));
                    break;
            }
        }
    }
}
