using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Copy-ContainerItem both ways, with docker cp as the oracle: same trees (content, modes, mtimes, links), same destination rules.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the engine under test is Linux; modes are Unix modes
    public sealed class CopyContainerItemTests : IClassFixture<CopyContainerItemTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public Session()
            {
                Container = TestEngine.UniqueName("ctt-cp");
                TestEngine.Docker("run", "-d", "--name", Container, "--label", TestEngine.TestLabel + "=1", TestEngine.Image, "sleep", "3600");
            }

            public PowerShellSession Shell { get; } = new PowerShellSession();

            public string Container { get; }

            public void Dispose()
            {
                Shell.Dispose();
                TestEngine.DockerResult("rm", "-f", Container);
            }
        }

        private readonly PowerShellSession _ps;
        private readonly string _container;
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ctt-cp-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        private readonly string _inside; // a folder of this test in the container

        public CopyContainerItemTests(Session session)
        {
            _ps = session.Shell;
            _container = session.Container;
            _inside = "/tmp/" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Directory.CreateDirectory(_root);
            Exec("mkdir", "-p", _inside);
        }

        public void Dispose()
        {
            Directory.Delete(_root, recursive: true);
            TestEngine.DockerResult("exec", _container, "rm", "-rf", _inside);
        }

        private void Exec(params string[] command) => TestEngine.Docker(new[] { "exec", _container }.Concat(command).ToArray());

        private Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable { ["c"] = _container };
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        // A tree with what a copy must keep: nesting, an empty folder, modes, an old mtime, relative and absolute links.
        private string MakeTree(string name)
        {
            var top = Path.Combine(_root, name);
            Directory.CreateDirectory(Path.Combine(top, "sub", "deeper"));
            Directory.CreateDirectory(Path.Combine(top, "empty"));
            File.WriteAllText(Path.Combine(top, "a.txt"), "alpha\n");
            File.WriteAllText(Path.Combine(top, "sub", "b.txt"), "beta");
            File.WriteAllBytes(Path.Combine(top, "sub", "deeper", "c.bin"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
            File.WriteAllText(Path.Combine(top, "run.sh"), "#!/bin/sh\necho hi\n");
            File.SetUnixFileMode(Path.Combine(top, "run.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
            File.SetUnixFileMode(Path.Combine(top, "a.txt"), (UnixFileMode)Convert.ToInt32("600", 8));
            File.CreateSymbolicLink(Path.Combine(top, "rel-link"), "sub/b.txt");
            File.CreateSymbolicLink(Path.Combine(top, "abs-link"), "/etc/hostname");
            File.SetLastWriteTimeUtc(Path.Combine(top, "a.txt"), new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
            File.SetUnixFileMode(Path.Combine(top, "sub"), (UnixFileMode)Convert.ToInt32("750", 8));
            Directory.SetLastWriteTimeUtc(Path.Combine(top, "sub", "deeper"), new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc));
            Directory.SetLastWriteTimeUtc(Path.Combine(top, "sub"), new DateTime(2019, 6, 7, 8, 9, 10, DateTimeKind.Utc));
            return top;
        }

        // Folders written to during the test carry the time of that write, a second apart on the two sides: "recent".
        private static readonly long TestStart = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();

        private static string Time(DateTime utc)
        {
            var seconds = new DateTimeOffset(utc).ToUnixTimeSeconds();
            return seconds >= TestStart ? "recent" : seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Every entry below the folder: path, type, mode, mtime (whole seconds; "recent" for today's), content hash or link target.</summary>
        private static List<string> Describe(string top, bool withRootTime = true)
        {
            var lines = new List<string>();
            void Walk(string dir, string rel)
            {
                foreach (var entry in new DirectoryInfo(dir).GetFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    var path = rel.Length == 0 ? entry.Name : rel + "/" + entry.Name;
                    var time = Time(entry.LastWriteTimeUtc);
                    if (entry.LinkTarget != null)
                    {
                        lines.Add($"{path} link -> {entry.LinkTarget}");
                    }
                    else if (entry is DirectoryInfo)
                    {
                        lines.Add($"{path} dir {Convert.ToString((int)entry.UnixFileMode, 8)} {time}");
                        Walk(entry.FullName, path);
                    }
                    else
                    {
                        var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry.FullName))).Substring(0, 16);
                        lines.Add($"{path} file {Convert.ToString((int)entry.UnixFileMode, 8)} {time} {hash}");
                    }
                }
            }

            if (File.Exists(top) || new FileInfo(top).LinkTarget != null)
            {
                var parent = Path.GetDirectoryName(top)!;
                return Describe(parent).Where(l => l.StartsWith(Path.GetFileName(top) + " ", StringComparison.Ordinal)).ToList();
            }

            if (withRootTime)
            {
                lines.Add($". dir {Convert.ToString((int)new DirectoryInfo(top).UnixFileMode, 8)} {Time(Directory.GetLastWriteTimeUtc(top))}");
            }

            Walk(top, string.Empty);
            return lines;
        }

        [Fact]
        public void A_folder_copied_in_comes_out_of_docker_cp_the_same()
        {
            var source = MakeTree("in");
            var expected = Describe(source);
            var items = _ps.Invoke("Copy-ContainerItem $src \"$($c):$dest\" -PassThru", Vars("src", source, "dest", _inside + "/copied")).AssertSuccess()
                .Objects<ContainerItem>().ToList();
            var item = Assert.Single(items);
            Assert.Equal(ContainerItemType.Directory, item.Type);
            Assert.Equal(_inside + "/copied", item.Path);
            Assert.Equal(Convert.ToInt32("755", 8), item.Mode);

            var back = Path.Combine(_root, "back");
            TestEngine.Docker("cp", $"{_container}:{_inside}/copied", back);
            Assert.Equal(expected, Describe(back));
        }

        [Fact]
        public void A_folder_copied_out_matches_the_one_docker_cp_put_in()
        {
            var source = MakeTree("src");
            TestEngine.Docker("cp", source, $"{_container}:{_inside}/tree");
            var ours = Path.Combine(_root, "ours");
            var written = _ps.Invoke("Copy-ContainerItem \"$($c):$from\" $to -PassThru", Vars("from", _inside + "/tree", "to", ours)).AssertSuccess().Output;
            Assert.IsType<DirectoryInfo>(Assert.Single(written).BaseObject);
            Assert.Equal(Describe(source), Describe(ours));

            var theirs = Path.Combine(_root, "theirs");
            TestEngine.Docker("cp", $"{_container}:{_inside}/tree", theirs);
            Assert.Equal(Describe(theirs), Describe(ours));
            Assert.Empty(Directory.GetDirectories(_root, ".ctcopy-*")); // no staging folder left
        }

        [Theory]
        [InlineData("tree", "existing")] // into an existing folder, under its own name
        [InlineData("tree", "new")] // as the new name
        [InlineData("tree", "new/")] // trailing separator: still created for a folder
        [InlineData("tree/.", "existing")] // the contents into an existing folder
        [InlineData("tree/.", "new")] // the contents as a new folder
        [InlineData("tree/a.txt", "existing")]
        [InlineData("tree/a.txt", "renamed.txt")]
        [InlineData("tree/a.txt", "file.txt")] // replaces an existing file
        [InlineData("tree/a.txt", "nodir/")] // error: a file cannot create a folder
        [InlineData("tree", "file.txt")] // error: a folder onto a file
        [InlineData("tree/rel-link", "existing")] // a link is copied as a link
        [InlineData("tree/", "existing")]
        public void Copy_out_follows_docker_cp_destination_rules(string from, string to)
        {
            TestEngine.Docker("cp", MakeTree("tree"), $"{_container}:{_inside}/tree");
            string Prepare(string name)
            {
                var root = Path.Combine(_root, name);
                Directory.CreateDirectory(Path.Combine(root, "existing"));
                File.WriteAllText(Path.Combine(root, "existing", "keep.txt"), "kept");
                File.WriteAllText(Path.Combine(root, "file.txt"), "old");
                return root;
            }

            var theirs = Prepare("theirs");
            var ours = Prepare("ours");
            var docker = TestEngine.DockerResult("cp", $"{_container}:{_inside}/{from}", Path.Combine(theirs, to));
            var result = _ps.Invoke("Copy-ContainerItem \"$($c):$from\" $to", Vars("from", _inside + "/" + from, "to", Path.Combine(ours, to)));
            Assert.Equal(docker.ExitCode == 0, result.Errors.Count == 0);
            Assert.Equal(Describe(theirs, withRootTime: false), Describe(ours, withRootTime: false));
        }

        [Theory]
        [InlineData("tree", "existing")]
        [InlineData("tree", "new")]
        [InlineData("tree/.", "existing")]
        [InlineData("tree/.", "new")]
        [InlineData("tree/a.txt", "existing/")]
        [InlineData("tree/a.txt", "renamed.txt")]
        [InlineData("tree/a.txt", "file.txt")]
        [InlineData("tree/a.txt", "nodir/")]
        [InlineData("tree", "file.txt")]
        [InlineData("tree/abs-link", "existing")]
        public void Copy_in_follows_docker_cp_destination_rules(string from, string to)
        {
            var tree = MakeTree("tree");
            foreach (var side in new[] { "theirs", "ours" })
            {
                Exec("sh", "-c", $"mkdir -p {_inside}/{side}/existing && echo kept > {_inside}/{side}/existing/keep.txt && echo old > {_inside}/{side}/file.txt");
            }

            var source = Path.Combine(_root, from);
            var docker = TestEngine.DockerResult("cp", source, $"{_container}:{_inside}/theirs/{to}");
            var result = _ps.Invoke("Copy-ContainerItem $src \"$($c):$to\"", Vars("src", source, "to", $"{_inside}/ours/{to}"));
            Assert.Equal(docker.ExitCode == 0, result.Errors.Count == 0);
            TestEngine.Docker("cp", $"{_container}:{_inside}/theirs/.", Path.Combine(_root, "out-theirs"));
            TestEngine.Docker("cp", $"{_container}:{_inside}/ours/.", Path.Combine(_root, "out-ours"));
            Assert.Equal(Describe(Path.Combine(_root, "out-theirs"), false), Describe(Path.Combine(_root, "out-ours"), false));
            Assert.NotNull(tree);
        }

        [Fact]
        public void Wildcards_copy_every_match_into_a_container_folder()
        {
            File.WriteAllText(Path.Combine(_root, "one.txt"), "1");
            File.WriteAllText(Path.Combine(_root, "two.txt"), "2");
            File.WriteAllText(Path.Combine(_root, "three.log"), "3");
            var items = _ps.Invoke("Copy-ContainerItem (Join-Path $root '*.txt') \"$($c):$dest/\" -PassThru", Vars("root", _root, "dest", _inside))
                .AssertSuccess().Objects<ContainerItem>().Select(i => i.Path).ToList();
            Assert.Equal(new[] { _inside + "/one.txt", _inside + "/two.txt" }, items);
            Assert.Equal("one.txt\ntwo.txt", TestEngine.Docker("exec", _container, "ls", _inside));
            Assert.Equal("2", TestEngine.Docker("exec", _container, "cat", _inside + "/two.txt"));
        }

        [Fact]
        public void Piped_files_go_into_the_container_folder()
        {
            File.WriteAllText(Path.Combine(_root, "p1.txt"), "1");
            File.WriteAllText(Path.Combine(_root, "p2.txt"), "2");
            _ps.Invoke("Get-ChildItem (Join-Path $root 'p*.txt') | Copy-ContainerItem -Destination \"$($c):$dest\"", Vars("root", _root, "dest", _inside)).AssertSuccess();
            Assert.Equal("p1.txt\np2.txt", TestEngine.Docker("exec", _container, "ls", _inside));
        }

        [Fact]
        public void Bad_input_is_a_clear_object_not_found()
        {
            var missingContainer = TestEngine.UniqueName("ctt-nocontainer");
            var noContainer = _ps.Invoke("Copy-ContainerItem \"$($m):/etc/hosts\" $to", Vars("m", missingContainer, "to", _root));
            var error = Assert.Single(noContainer.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.StartsWith("ContainerNotFound,", error.FullyQualifiedErrorId);

            var noPath = _ps.Invoke("Copy-ContainerItem \"$($c):/no/such/file\" $to", Vars("to", _root));
            error = Assert.Single(noPath.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.StartsWith("PathNotFound,", error.FullyQualifiedErrorId);
            Assert.Contains("/no/such/file", error.Exception.Message);

            var noLocal = _ps.Invoke("Copy-ContainerItem (Join-Path $root 'nothing.txt') \"$($c):/tmp/\"", Vars("root", _root));
            error = Assert.Single(noLocal.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Contains("nothing.txt", error.Exception.Message);

            var noParent = _ps.Invoke("Copy-ContainerItem $src \"$($c):/no/such/dir/x\"", Vars("src", MakeTree("t")));
            error = Assert.Single(noParent.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Contains("/no/such/dir", error.Exception.Message);

            var neither = _ps.Invoke("Copy-ContainerItem $root $root", Vars("root", _root));
            Assert.Equal("NoContainerPath,ContainerTools.Cmdlets.Container.CopyContainerItemCommand", Assert.Single(neither.Errors).FullyQualifiedErrorId);
            Assert.Empty(Directory.GetDirectories(_root, ".ctcopy-*"));
        }

        [Fact]
        public void WhatIf_copies_nothing()
        {
            var source = MakeTree("w");
            _ps.Invoke("Copy-ContainerItem $src \"$($c):$dest\" -WhatIf", Vars("src", source, "dest", _inside + "/w")).AssertSuccess();
            Assert.Equal(string.Empty, TestEngine.Docker("exec", _container, "ls", _inside));
            _ps.Invoke("Copy-ContainerItem \"$($c):/etc/hosts\" $to -WhatIf", Vars("to", Path.Combine(_root, "hosts"))).AssertSuccess();
            Assert.False(File.Exists(Path.Combine(_root, "hosts")));
        }
    }
}
