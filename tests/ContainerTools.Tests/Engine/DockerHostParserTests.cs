using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>DOCKER_HOST parsing, case by case as the docker CLI's opts.ParseHost treats it.</summary>
    public class DockerHostParserTests
    {
        [Theory]
        [InlineData("tcp://h:2376", "tcp://h:2376")]
        [InlineData("tcp://h", "tcp://h:2375")]
        [InlineData("tcp://:2376", "tcp://localhost:2376")]
        [InlineData("tcp://", "tcp://localhost:2375")]
        [InlineData("h:2375", "tcp://h:2375")]
        [InlineData("localhost:2375", "tcp://localhost:2375")]
        [InlineData("h", "tcp://h:2375")]
        [InlineData("h:", "tcp://h:2375")]
        [InlineData("  tcp://h:1  ", "tcp://h:1")]
        [InlineData("tcp://[::1]:2376", "tcp://[::1]:2376")]
        [InlineData("tcp://[::1]:", "tcp://[::1]:2375")]
        [InlineData("tcp://h:2375/prefix", "tcp://h:2375/prefix")]
        [InlineData("192.168.1.10:2376", "tcp://192.168.1.10:2376")]
        [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock")]
        [InlineData("unix://", "unix:///var/run/docker.sock")]
        [InlineData("unix:///tmp/x.sock", "unix:///tmp/x.sock")]
        [InlineData("/tmp/x.sock", "unix:///tmp/x.sock")]
        [InlineData("npipe:////./pipe/docker_engine", "npipe:////./pipe/docker_engine")]
        [InlineData("npipe://", "npipe:////./pipe/docker_engine")]
        public void Parses_like_the_docker_cli(string input, string expected)
        {
            Assert.Equal(expected, DockerHostParser.Parse(input));
        }

        [Theory]
        [InlineData("tcp://h:port")]
        [InlineData("tcp://h:99999")]
        [InlineData("http://h:2375")]
        [InlineData("tcp://tcp://h")]
        [InlineData("unix://unix:///x")]
        [InlineData("")]
        [InlineData("   ")]
        public void Rejects_invalid_addresses_with_a_clear_error(string input)
        {
            var e = Assert.Throws<InvalidSpecException>(() => DockerHostParser.Parse(input));
            Assert.Equal("InvalidEngineAddress", e.ErrorId);
            Assert.Contains("Examples:", e.Message);
        }

        [Fact]
        public void Ssh_is_rejected_as_not_supported_yet()
        {
            var e = Assert.Throws<ContainerEngineException>(() => DockerHostParser.Parse("ssh://user@host"));
            Assert.Equal("EngineSchemeNotSupported", e.ErrorId);
            Assert.Equal(EngineErrorKind.NotSupported, e.Kind);
            Assert.Contains("not support", e.Message);
        }

        [Fact]
        public void Platform_defaults_are_the_docker_ones()
        {
            Assert.Equal("unix:///var/run/docker.sock", DockerHostParser.PlatformDefault(isWindows: false));
            Assert.Equal("npipe:////./pipe/docker_engine", DockerHostParser.PlatformDefault(isWindows: true));
        }
    }
}
