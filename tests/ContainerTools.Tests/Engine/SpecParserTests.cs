using System;
using System.IO;
using System.Linq;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>docker's value syntaxes for -Publish, -Volume, -Mount, -Tmpfs, -Memory and env files.</summary>
    public class SpecParserTests
    {
        [Theory]
        [InlineData("80", 80, "tcp", null, null)]
        [InlineData("8080:80", 80, "tcp", null, 8080)]
        [InlineData("127.0.0.1:8080:80/udp", 80, "udp", "127.0.0.1", 8080)]
        [InlineData("127.0.0.1::80", 80, "tcp", "127.0.0.1", null)]
        [InlineData("[::1]:8080:80", 80, "tcp", "::1", 8080)]
        [InlineData("53/UDP", 53, "udp", null, null)]
        [InlineData("9000:9000/sctp", 9000, "sctp", null, 9000)]
        public void Publish_single_ports(string spec, int containerPort, string protocol, string? hostIP, int? hostPort)
        {
            var mapping = Assert.Single(PortSpec.Parse(spec));
            Assert.Equal(containerPort, mapping.ContainerPort);
            Assert.Equal(protocol, mapping.Protocol);
            Assert.Equal(hostIP, mapping.HostIP);
            Assert.Equal(hostPort, mapping.HostPort);
        }

        [Fact]
        public void Publish_ranges_map_port_by_port()
        {
            var mappings = PortSpec.Parse("8080-8082:80-82");
            Assert.Equal(new[] { "80/tcp", "81/tcp", "82/tcp" }, mappings.Select(m => m.Key));
            Assert.Equal(new int?[] { 8080, 8081, 8082 }, mappings.Select(m => m.HostPort));
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("abc", "not a number")]
        [InlineData("8080:70000", "1 to 65535")]
        [InlineData("0:80", "1 to 65535")]
        [InlineData("80/http", "not a protocol")]
        [InlineData("999.1.1.1:80:80", "not an IP address")]
        [InlineData("1:2:3:4", "too many")]
        [InlineData("8080-8081:80-83", "different lengths")]
        [InlineData("90-80:90-80", "ends before it starts")]
        [InlineData("8080:", "container port is missing")]
        public void Publish_rejects_malformed_values_naming_the_problem(string spec, string reason)
        {
            var e = Assert.Throws<InvalidSpecException>(() => PortSpec.Parse(spec));
            Assert.Equal("InvalidPublishSpec", e.ErrorId);
            Assert.Contains(reason, e.Message);
            Assert.Contains("8080:80", e.Message); // the fix: an example of the right syntax
        }

        [Theory]
        [InlineData("data:/data", MountKind.Volume, "data", "/data", false)]
        [InlineData("data:/data:ro", MountKind.Volume, "data", "/data", true)]
        [InlineData("/srv/www:/www", MountKind.Bind, "/srv/www", "/www", false)]
        [InlineData("/srv/www:/www:ro,z", MountKind.Bind, "/srv/www", "/www", true)]
        [InlineData("/cache", MountKind.Volume, null, "/cache", false)]
        public void Volume_specs(string spec, MountKind kind, string? source, string target, bool readOnly)
        {
            var m = VolumeSpec.ParseVolume(spec, "/base");
            Assert.Equal(kind, m.Kind);
            Assert.Equal(source, m.Source);
            Assert.Equal(target, m.Target);
            Assert.Equal(readOnly, m.ReadOnly);
        }

        [Fact]
        public void Relative_host_paths_are_binds_relative_to_the_current_location()
        {
            var m = VolumeSpec.ParseVolume("./site:/www", "/home/me/project");
            Assert.Equal(MountKind.Bind, m.Kind);
            Assert.Equal(Path.GetFullPath("/home/me/project/site"), m.Source);
        }

        [Theory]
        [InlineData("data:relative", "must be absolute")]
        [InlineData("data:/d:bogus", "not a volume option")]
        [InlineData("a:/b:ro:extra", "too many")]
        [InlineData("bad name:/d", "neither a volume name")]
        [InlineData("/host:/d:nocopy", "nocopy")]
        [InlineData("", "empty")]
        public void Volume_rejects_malformed_values(string spec, string reason)
        {
            var e = Assert.Throws<InvalidSpecException>(() => VolumeSpec.ParseVolume(spec, "/base"));
            Assert.Equal("InvalidVolumeSpec", e.ErrorId);
            Assert.Contains(reason, e.Message);
        }

        [Fact]
        public void Mount_syntax()
        {
            var bind = VolumeSpec.ParseMount("type=bind,source=/src,target=/dst,readonly", "/base");
            Assert.Equal(MountKind.Bind, bind.Kind);
            Assert.Equal("/src", bind.Source);
            Assert.True(bind.ReadOnly);
            var tmpfs = VolumeSpec.ParseMount("type=tmpfs,dst=/scratch,tmpfs-size=64m", "/base");
            Assert.Equal(MountKind.Tmpfs, tmpfs.Kind);
            Assert.Contains("tmpfs-size=64m", tmpfs.Options);
            Assert.Equal("InvalidMountSpec", Assert.Throws<InvalidSpecException>(() => VolumeSpec.ParseMount("type=bind,target=/x", "/b")).ErrorId);
            Assert.Equal("InvalidMountSpec", Assert.Throws<InvalidSpecException>(() => VolumeSpec.ParseMount("type=nfs,target=/x", "/b")).ErrorId);
            Assert.Equal("InvalidMountSpec", Assert.Throws<InvalidSpecException>(() => VolumeSpec.ParseMount("type=volume,source=v", "/b")).ErrorId);
        }

        [Theory]
        [InlineData("1024", 1024L)]
        [InlineData("512k", 512L * 1024)]
        [InlineData("512m", 512L * 1024 * 1024)]
        [InlineData("512MB", 512L * 1024 * 1024)]
        [InlineData("1.5g", 1536L * 1024 * 1024)]
        [InlineData("2G", 2L * 1024 * 1024 * 1024)]
        [InlineData("100b", 100L)]
        public void Sizes_use_binary_units(string text, long bytes)
        {
            Assert.Equal(bytes, ValueParsers.ParseBytes(text, "Memory"));
        }

        [Theory]
        [InlineData("lots")]
        [InlineData("-5m")]
        [InlineData("5x")]
        [InlineData("")]
        public void Bad_sizes_name_the_parameter(string text)
        {
            var e = Assert.Throws<InvalidSpecException>(() => ValueParsers.ParseBytes(text, "Memory"));
            Assert.Contains("-Memory", e.Message);
        }

        [Fact]
        public void Env_files_are_read_literally_like_docker_run()
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllLines(file, new[]
                {
                    "# comment",
                    "",
                    "PLAIN=value",
                    "QUOTED=\"kept as is\"",
                    "SPACES= a b ",
                    "EMPTY=",
                    "FROM_ENV",
                    "NOT_SET_ANYWHERE",
                });
                var pairs = ValueParsers.ReadEnvironmentFile(file, n => n == "FROM_ENV" ? "from-process" : null).ToList();
                Assert.Equal(new[] { "PLAIN", "QUOTED", "SPACES", "EMPTY", "FROM_ENV" }, pairs.Select(p => p.Key));
                Assert.Equal("\"kept as is\"", pairs[1].Value);
                Assert.Equal(" a b ", pairs[2].Value);
                Assert.Equal(string.Empty, pairs[3].Value);
                Assert.Equal("from-process", pairs[4].Value);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void Env_file_errors_name_the_file_and_line()
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllLines(file, new[] { "OK=1", "BAD KEY=2" });
                var e = Assert.Throws<InvalidSpecException>(() => ValueParsers.ReadEnvironmentFile(file, _ => null).ToList());
                Assert.Contains("line 2", e.Message);
                Assert.Contains(file, e.Message);
            }
            finally
            {
                File.Delete(file);
            }

            Assert.Equal("EnvironmentFileNotFound",
                Assert.Throws<InvalidSpecException>(() => ValueParsers.ReadEnvironmentFile("/nonexistent/env", _ => null).ToList()).ErrorId);
        }

        [Fact]
        public void Cpus_must_be_positive()
        {
            Assert.Equal(1_500_000_000L, ValueParsers.ToNanoCpus(1.5));
            Assert.Throws<InvalidSpecException>(() => ValueParsers.ToNanoCpus(0));
            Assert.Throws<InvalidSpecException>(() => ValueParsers.ToNanoCpus(double.NaN));
        }
    }
}
