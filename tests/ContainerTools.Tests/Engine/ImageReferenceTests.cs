using ContainerTools.Engine;
using ContainerTools.Engine.Images;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>Image references normalised as Docker normalises them.</summary>
    public class ImageReferenceTests
    {
        [Theory]
        [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
        [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
        [InlineData("library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
        [InlineData("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
        [InlineData("index.docker.io/library/busybox:x", "docker.io/library/busybox:x", "busybox:x")]
        [InlineData("team/app:v2", "docker.io/team/app:v2", "team/app:v2")]
        [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest")]
        [InlineData("localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000/app:1")]
        [InlineData("127.0.0.1:5055/x/y", "127.0.0.1:5055/x/y:latest", "127.0.0.1:5055/x/y:latest")]
        [InlineData("registry.example.com/a/b/c:1.0-rc.1", "registry.example.com/a/b/c:1.0-rc.1", "registry.example.com/a/b/c:1.0-rc.1")]
        [InlineData("my_app.name-x:tag_1", "docker.io/library/my_app.name-x:tag_1", "my_app.name-x:tag_1")]
        public void Normalises_like_docker(string input, string normalized, string familiar)
        {
            var r = ImageReference.Parse(input);
            Assert.Equal(normalized, r.Normalized);
            Assert.Equal(familiar, r.Familiar);
        }

        [Fact]
        public void Digests_are_kept_and_imply_no_tag()
        {
            var digest = "sha256:" + new string('a', 64);
            var r = ImageReference.Parse("busybox@" + digest);
            Assert.Equal(digest, r.Digest);
            Assert.Null(r.EffectiveTag);
            Assert.Equal("docker.io/library/busybox@" + digest, r.Normalized);
            var both = ImageReference.Parse("127.0.0.1:5000/app:1@" + digest);
            Assert.Equal("1", both.Tag);
            Assert.Equal("127.0.0.1:5000", both.Registry);
        }

        [Theory]
        [InlineData("Busybox", "lower case")]
        [InlineData("team/App", "lower case")]
        [InlineData("busybox:", "not a tag")]
        [InlineData("busybox:-x", "not a tag")]
        [InlineData("busybox@sha256:abc", "not a digest")]
        [InlineData("bad__-name", "not a valid name component")]
        [InlineData("a//b", "not a valid name component")]
        [InlineData("", "empty")]
        [InlineData(":tag", "name is missing")]
        [InlineData("host:port:x/app", "not a registry")]
        public void Invalid_references_say_what_is_wrong(string input, string reason)
        {
            var e = Assert.Throws<InvalidSpecException>(() => ImageReference.Parse(input));
            Assert.Equal("InvalidImageReference", e.ErrorId);
            Assert.Contains(reason, e.Message);
            Assert.Contains("e.g. busybox", e.Message);
        }

        [Fact]
        public void An_image_id_is_not_a_reference()
        {
            var id = new string('0', 63) + "1";
            Assert.True(ImageReference.IsImageId(id));
            Assert.True(ImageReference.IsImageId("sha256:" + id));
            Assert.False(ImageReference.TryParse(id, out _));
        }
    }
}
