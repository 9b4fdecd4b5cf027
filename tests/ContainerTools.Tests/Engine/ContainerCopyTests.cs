using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>The pieces of docker cp and docker stats that need no engine: path syntax, safe extraction, the stats arithmetic.</summary>
    public sealed class ContainerCopyTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ctt-extract-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public ContainerCopyTests() => Directory.CreateDirectory(_root);

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Theory]
        [InlineData("web:/etc/hosts", "web", "/etc/hosts")]
        [InlineData("web:etc/hosts", "web", "/etc/hosts")] // relative to the container's root, as docker cp
        [InlineData("3f2a9c:/tmp/", "3f2a9c", "/tmp/")]
        [InlineData("./file:name.txt", null, "./file:name.txt")] // starts with '.': local
        [InlineData("/abs/x:y", null, "/abs/x:y")] // absolute: local
        [InlineData("C:/data", null, "C:/data")] // one letter is a drive, never a container
        [InlineData("plain.txt", null, "plain.txt")]
        [InlineData("Temp:/x", null, "Temp:/x")] // a PowerShell drive stays local
        public void Paths_split_as_docker_cp_splits_them(string argument, string? container, string path)
        {
            var parsed = ContainerPathArgument.Parse(argument, name => name == "Temp");
            Assert.Equal(container, parsed.Container);
            Assert.Equal(path, parsed.Path);
        }

        private static async Task<MemoryStream> Tar(params TarHeader[] entries)
        {
            var stream = new MemoryStream();
            var writer = new TarStreamWriter(stream);
            foreach (var entry in entries)
            {
                await writer.WriteHeaderAsync(entry, CancellationToken.None);
                if (entry.Type == TarHeader.RegularType)
                {
                    await writer.WriteContentAsync(new byte[entry.Size], CancellationToken.None);
                }
            }

            await writer.FinishAsync(CancellationToken.None);
            stream.Position = 0;
            return stream;
        }

        private async Task<ContainerEngineException> Refused(string outside, params TarHeader[] entries)
        {
            var staging = Path.Combine(_root, "stage");
            Directory.CreateDirectory(staging);
            var error = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                new ArchiveExtractor(staging, "copy").ExtractAsync(new TarStreamReader(Tar(entries).Result), CancellationToken.None));
            Assert.Equal("UnsafeArchiveEntry", error.ErrorId);
            Assert.False(File.Exists(outside), "an entry was written outside the destination");
            return error;
        }

        [Fact]
        public async Task Entries_reaching_out_with_dot_dot_are_refused()
        {
            var outside = Path.Combine(_root, "evil.txt");
            await Refused(outside,
                new TarHeader { Name = "x/", Type = TarHeader.DirectoryType, Mode = 0x1ED },
                new TarHeader { Name = "x/../../evil.txt", Mode = 0x1A4, Size = 3 });
        }

        [Fact]
        public async Task Writing_through_a_link_the_archive_made_is_refused()
        {
            var target = Path.Combine(_root, "target");
            Directory.CreateDirectory(target);
            var error = await Refused(Path.Combine(target, "pwned"),
                new TarHeader { Name = "x/", Type = TarHeader.DirectoryType, Mode = 0x1ED },
                new TarHeader { Name = "x/link", Type = TarHeader.SymlinkType, LinkName = target },
                new TarHeader { Name = "x/link/pwned", Mode = 0x1A4, Size = 3 });
            Assert.Contains("x/link", error.Message);
        }

        [Fact]
        public async Task A_hard_link_to_outside_is_refused()
        {
            File.WriteAllText(Path.Combine(_root, "secret"), "s");
            await Refused(Path.Combine(_root, "stage", "copy", "never"),
                new TarHeader { Name = "x/", Type = TarHeader.DirectoryType, Mode = 0x1ED },
                new TarHeader { Name = "x/hard", Type = TarHeader.HardLinkType, LinkName = "x/../../secret" });
        }

        [Fact]
        public async Task Links_with_absolute_targets_are_kept_as_links_and_a_conflict_moves_nothing()
        {
            var staging = Path.Combine(_root, ".stage");
            Directory.CreateDirectory(staging);
            await new ArchiveExtractor(staging, "copy").ExtractAsync(new TarStreamReader(await Tar(
                new TarHeader { Name = "x/", Type = TarHeader.DirectoryType, Mode = 0x1C0, ModifiedSeconds = 1_500_000_000 },
                new TarHeader { Name = "x/abs", Type = TarHeader.SymlinkType, LinkName = "/etc/passwd" },
                new TarHeader { Name = "x/sub/", Type = TarHeader.DirectoryType, Mode = 0x1ED },
                new TarHeader { Name = "x/sub/f", Mode = 0x1A4, Size = 5 })), CancellationToken.None);
            Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(staging, "copy", "abs")).LinkTarget);
            Assert.Equal(1_500_000_000, new DateTimeOffset(Directory.GetLastWriteTimeUtc(Path.Combine(staging, "copy"))).ToUnixTimeSeconds());

            // 'copy/sub' exists as a file at the destination: a folder cannot replace it, and nothing else moves either.
            var destination = Path.Combine(_root, "dest");
            Directory.CreateDirectory(Path.Combine(destination, "copy"));
            File.WriteAllText(Path.Combine(destination, "copy", "sub"), "file");
            var error = Assert.Throws<ContainerEngineException>(() => ArchiveExtractor.MoveIntoPlace(staging, destination));
            Assert.Equal("CopyTypeConflict", error.ErrorId);
            Assert.False(File.Exists(Path.Combine(destination, "copy", "abs")) || new FileInfo(Path.Combine(destination, "copy", "abs")).LinkTarget != null);
            ArchiveExtractor.RemoveStaging(staging);
            Assert.False(Directory.Exists(staging));
        }

        [Fact]
        public void Statistics_follow_docker_stats_arithmetic()
        {
            // cgroup v2 numbers (inactive_file, no total_*): docker stats shows usage - inactive_file.
            const string json = @"{""read"":""2024-05-01T10:00:01Z"",""preread"":""2024-05-01T10:00:00Z"",""id"":""abc"",""name"":""/web"",
                ""pids_stats"":{""current"":7},
                ""cpu_stats"":{""cpu_usage"":{""total_usage"":3000000000},""system_cpu_usage"":110000000000,""online_cpus"":4},
                ""precpu_stats"":{""cpu_usage"":{""total_usage"":2000000000},""system_cpu_usage"":100000000000,""online_cpus"":4},
                ""memory_stats"":{""usage"":50000000,""limit"":200000000,""stats"":{""inactive_file"":10000000}},
                ""blkio_stats"":{""io_service_bytes_recursive"":[{""op"":""read"",""value"":100},{""op"":""write"",""value"":30},{""op"":""Read"",""value"":5}]},
                ""networks"":{""eth0"":{""rx_bytes"":1000,""tx_bytes"":10},""eth1"":{""rx_bytes"":1,""tx_bytes"":2}}}";
            using var doc = JsonDocument.Parse(json);
            var s = TestEngine.Connection.Containers.ParseStatistics(doc.RootElement, false, "web");
            Assert.Equal("web", s.Name);
            Assert.Equal(1e9 / 1e10 * 4 * 100, s.CpuPercent, 6); // 40 %
            Assert.Equal(40_000_000, s.MemoryUsage);
            Assert.Equal(20.0, s.MemoryPercent, 6);
            Assert.Equal(105, s.BlockRead);
            Assert.Equal(30, s.BlockWritten);
            Assert.Equal(1001, s.NetworkReceived);
            Assert.Equal(12, s.NetworkSent);
            Assert.Equal(7, s.Pids);

            // cgroup v1: total_inactive_file wins.
            using var v1 = JsonDocument.Parse(@"{""memory_stats"":{""usage"":50000000,""limit"":100000000,""stats"":{""total_inactive_file"":20000000,""inactive_file"":1}}}");
            Assert.Equal(30_000_000, TestEngine.Connection.Containers.ParseStatistics(v1.RootElement, false, "x").MemoryUsage);
        }
    }
}
