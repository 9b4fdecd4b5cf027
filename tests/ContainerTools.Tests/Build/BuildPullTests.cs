using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Registry;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>
    /// -Pull against the real loopback registry (htpasswd auth): the base image is pulled again with the credential
    /// stored for its registry, sent as X-Registry-Config; without one the registry refuses the pull.
    /// </summary>
    public sealed class BuildPullTests : IDisposable
    {
        private readonly string _config = Directory.CreateTempSubdirectory("ct-dockercfg-").FullName;
        private readonly string _emptyConfig = Directory.CreateTempSubdirectory("ct-nocfg-").FullName;
        private readonly string _base = TestEngine.Registry + "/ct-test/" + TestEngine.UniqueName("pullbase");
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("pulled");
        private readonly ContextFolder _folder = new ContextFolder("ct-pull-");

        private string Label => "io.containertools.test.repo=" + _repo;

        public void Dispose()
        {
            TestEngine.RemoveImages(Label, _repo);
            TestEngine.DockerResult("rmi", _base + ":base");
            _folder.Dispose();
            Directory.Delete(_config, true);
            Directory.Delete(_emptyConfig, true);
        }

        private ContainerEngineConnection Engine(bool withStore)
        {
            // Connections of our own, so the store swap touches no other test.
            var engine = ContainerEngineConnection.FromArgument(TestEngine.Host);
            var home = withStore ? _config : _emptyConfig;
            engine.Registries.Store = new DockerCredentialStore(new EngineEnvironment(n => n == "DOCKER_CONFIG" ? home : Environment.GetEnvironmentVariable(n), "/nonexistent-home", false));
            return engine;
        }

        [Fact]
        public async Task Pull_fetches_the_base_image_with_the_stored_credential()
        {
            var engine = Engine(withStore: true);
            await engine.Registries.LoginAsync(TestEngine.Registry, new RegistryCredential(TestEngine.RegistryUser, TestEngine.RegistryPassword));
            await engine.Images.TagAsync(TestEngine.Image, _base + ":base");
            await engine.Images.PushAsync(_base + ":base");
            _folder.File("Dockerfile", $"ARG BASE={_base}\nFROM ${{BASE}}:base\nLABEL {Label}\n");

            // Anonymous: the registry refuses, so the pull was really attempted.
            var spec = new ImageBuildSpec { ContextPath = _folder.Root, Pull = true };
            var refused = await Assert.ThrowsAsync<ImageBuildException>(() => Engine(withStore: false).Images.BuildAsync(spec));
            Assert.Equal((2, 2), (refused.Step, refused.Line)); // step 1 is the ARG before FROM
            Assert.Matches("(?i)unauthorized|authentication required|no basic auth", refused.EngineMessage);

            var output = new Recorder<ImageBuildMessage>();
            spec.Tags.Add(_repo + ":pulled");
            var row = Assert.Single(await engine.Images.BuildAsync(spec, null, output));
            Assert.Contains(output.Items, m => m.Kind == ImageBuildMessageKind.Status && m.Text.Contains("Pulling from ct-test/", StringComparison.Ordinal));
            Assert.Contains(output.Items, m => m.Kind == ImageBuildMessageKind.Status && m.Text.StartsWith("Status: ", StringComparison.Ordinal));
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":pulled"), row.Id);
        }
    }
}
