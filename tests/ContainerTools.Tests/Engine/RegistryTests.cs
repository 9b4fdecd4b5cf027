using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Registry;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>
    /// Login, push, pull against the real loopback registry with htpasswd auth, with a docker config folder of the
    /// test's own; the docker CLI reads and writes the same folder to prove that a login by either tool serves the other.
    /// </summary>
    public sealed class RegistryTests : IDisposable
    {
        private readonly string _config = Directory.CreateTempSubdirectory("ct-dockercfg-").FullName;
        private readonly ContainerEngineConnection _engine;
        private readonly string _repo = TestEngine.Registry + "/ct-test/" + TestEngine.UniqueName("reg");
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();

        public RegistryTests()
        {
            // A connection of our own, so the store swap below touches no other test.
            _engine = ContainerEngineConnection.FromArgument(TestEngine.Host);
            _engine.Registries.Store = new DockerCredentialStore(Environment(_config));
        }

        private static EngineEnvironment Environment(string configDir) =>
            new EngineEnvironment(n => n == "DOCKER_CONFIG" ? configDir : System.Environment.GetEnvironmentVariable(n), "/nonexistent-home", false);

        private static RegistryCredential Good => new RegistryCredential(TestEngine.RegistryUser, TestEngine.RegistryPassword);

        public void Dispose()
        {
            _cleanup.Dispose();
            var tags = TestEngine.Docker("images", _repo, "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (tags.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rmi" }.Concat(tags).ToArray());
            }

            Directory.Delete(_config, true);
        }

        private JsonElement Auths()
        {
            var file = Path.Combine(_config, "config.json");
            return File.Exists(file) ? JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("auths") : default;
        }

        [Fact]
        public async Task A_wrong_password_is_refused_and_nothing_is_stored()
        {
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                _engine.Registries.LoginAsync(TestEngine.Registry, new RegistryCredential(TestEngine.RegistryUser, "not-the-password-123")));
            Assert.Equal("RegistryLoginFailed", e.ErrorId);
            Assert.Equal(EngineErrorKind.AuthenticationFailed, e.Kind);
            Assert.DoesNotContain("not-the-password-123", e.ToString());
            Assert.False(File.Exists(Path.Combine(_config, "config.json")) && Auths().TryGetProperty(TestEngine.Registry, out _));
        }

        [Fact]
        public async Task Our_login_serves_the_docker_cli_and_push_pull_round_trip()
        {
            var login = await _engine.Registries.LoginAsync(TestEngine.Registry, Good);
            Assert.Equal(TestEngine.Registry, login.Registry);
            Assert.Equal(Path.Combine(_config, "config.json"), login.StoredIn);
            var auth = Auths().GetProperty(TestEngine.Registry).GetProperty("auth").GetString()!;
            Assert.Equal($"{TestEngine.RegistryUser}:{TestEngine.RegistryPassword}", Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_config, "config.json")));
            }

            // The docker CLI pushes with the credentials we stored.
            var cliTag = _repo + ":from-cli";
            TestEngine.Docker("tag", TestEngine.Image, cliTag);
            var cliPush = TestEngine.DockerWithConfig(_config, "push", cliTag);
            Assert.True(cliPush.ExitCode == 0, cliPush.Error);

            // Our push and pull, using the stored credentials.
            await _engine.Images.TagAsync(TestEngine.Image, _repo + ":v1");
            var progress = new List<LayerProgress>();
            var pushed = await _engine.Images.PushAsync(_repo + ":v1", progress: new SyncProgress(progress));
            Assert.StartsWith("sha256:", pushed.Digest);
            Assert.True(pushed.Size > 0);
            Assert.Contains(progress, p => p.Layer != null && p.IsComplete);

            await _engine.Images.RemoveAsync(_repo + ":v1");
            Assert.NotEqual(0, TestEngine.DockerResult("image", "inspect", _repo + ":v1").ExitCode);
            progress.Clear();
            var pulled = Assert.Single(await _engine.Images.PullAsync(_repo + ":v1", progress: new SyncProgress(progress)));
            Assert.Equal(_repo + ":v1", pulled.Reference);
            Assert.Equal(pushed.Digest, pulled.Digest);
            Assert.NotEmpty(progress);

            // And it runs.
            var spec = new ContainerCreateSpec { Image = _repo + ":v1", Name = _cleanup.NewName(), Command = new[] { "echo", "pulled-and-ran" } };
            var run = await _engine.Containers.RunAsync(spec);
            Assert.Equal(new[] { "pulled-and-ran" }, run.Output);

            // Pull by the digest the push reported.
            var byDigest = Assert.Single(await _engine.Images.PullAsync(_repo + "@" + pushed.Digest));
            Assert.Equal(pulled.Id, byDigest.Id);

            // With no tag of the repository left here, a digest pull is that repository@digest, not another tag of the image.
            await _engine.Images.RemoveAsync(_repo + ":v1");
            await _engine.Images.RemoveAsync(_repo + ":from-cli");
            var untagged = Assert.Single(await _engine.Images.PullAsync(_repo + "@" + pushed.Digest));
            Assert.Equal(_repo, untagged.Repository);
            Assert.Equal("<none>", untagged.Tag);
            Assert.Equal(pushed.Digest, untagged.Digest);
        }

        [Fact]
        public async Task A_docker_cli_login_serves_us()
        {
            var login = TestEngine.DockerWithInput(_config, TestEngine.RegistryPassword, "login", TestEngine.Registry, "-u", TestEngine.RegistryUser, "--password-stdin");
            Assert.True(login.ExitCode == 0, login.Error);

            var stored = _engine.Registries.Store.Get(TestEngine.Registry);
            Assert.NotNull(stored);
            Assert.Equal(TestEngine.RegistryUser, stored!.Username);
            await _engine.Images.TagAsync(TestEngine.Image, _repo + ":cli-login");
            var pushed = await _engine.Images.PushAsync(_repo + ":cli-login");
            Assert.StartsWith("sha256:", pushed.Digest);
        }

        [Fact]
        public async Task Without_credentials_the_registry_refuses()
        {
            await _engine.Images.TagAsync(TestEngine.Image, _repo + ":anon");
            var push = await Assert.ThrowsAsync<ContainerEngineException>(() => _engine.Images.PushAsync(_repo + ":anon"));
            Assert.Equal("RegistryAccessDenied", push.ErrorId);
            Assert.Contains("Connect-ContainerRegistry", push.Message);
            var pull = await Assert.ThrowsAsync<ContainerEngineException>(() => _engine.Images.PullAsync(_repo + ":anon"));
            Assert.Equal("RegistryAccessDenied", pull.ErrorId);
        }

        [Fact]
        public async Task Missing_images_and_unreachable_registries_are_told_apart()
        {
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => _engine.Images.PullAsync(_repo + ":never-pushed", credential: Good));
            Assert.Equal("RegistryImageNotFound", e.ErrorId);
            Assert.Equal(EngineErrorKind.NotFound, e.Kind);
            var closed = await Assert.ThrowsAsync<ContainerEngineException>(() => _engine.Images.PullAsync("127.0.0.1:1/ct/x:1"));
            Assert.Equal("RegistryUnreachable", closed.ErrorId);
            var local = await Assert.ThrowsAsync<ResourceNotFoundException>(() => _engine.Images.PushAsync(_repo + ":not-tagged-here", credential: Good));
            Assert.Equal("ImageNotFound", local.ErrorId);
            await _engine.Images.TagAsync(TestEngine.Image, _repo + ":present");
            var sibling = await Assert.ThrowsAsync<ResourceNotFoundException>(() => _engine.Images.PushAsync(_repo + ":absent", credential: Good));
            Assert.Equal("ImageNotFound", sibling.ErrorId);
        }

        [Fact]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public async Task A_credential_helper_named_in_config_is_used()
        {
            var bin = Directory.CreateTempSubdirectory("ct-helper-").FullName;
            var storeFile = Path.Combine(bin, "store.json");
            var helper = Path.Combine(bin, "docker-credential-cttest");
            File.WriteAllText(helper, $$"""
                #!/bin/sh
                # A credential helper speaking the docker protocol, keeping one secret in a file.
                case "$1" in
                  store) cat > "{{storeFile}}" ;;
                  get) read server; if [ -f "{{storeFile}}" ]; then cat "{{storeFile}}"; else echo "credentials not found in native keychain"; exit 1; fi ;;
                  erase) rm -f "{{storeFile}}" ;;
                esac
                """.Replace("\r", string.Empty));
            File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.WriteAllText(Path.Combine(_config, "config.json"), "{\"credsStore\":\"cttest\",\"other\":{\"kept\":true}}");
            var path = System.Environment.GetEnvironmentVariable("PATH");
            System.Environment.SetEnvironmentVariable("PATH", bin + ":" + path);
            try
            {
                Assert.Null(_engine.Registries.Store.Get(TestEngine.Registry));
                var login = await _engine.Registries.LoginAsync(TestEngine.Registry, Good);
                Assert.Equal("docker-credential-cttest", login.StoredIn);
                using (var doc = JsonDocument.Parse(File.ReadAllText(storeFile)))
                {
                    Assert.Equal(TestEngine.Registry, doc.RootElement.GetProperty("ServerURL").GetString());
                    Assert.Equal(TestEngine.RegistryUser, doc.RootElement.GetProperty("Username").GetString());
                }

                Assert.Equal(TestEngine.RegistryUser, _engine.Registries.Store.Get(TestEngine.Registry)!.Username);
                Assert.DoesNotContain(TestEngine.RegistryPassword, File.ReadAllText(Path.Combine(_config, "config.json")));
                Assert.Contains("kept", File.ReadAllText(Path.Combine(_config, "config.json")));
                Assert.True(_engine.Registries.Logout(TestEngine.Registry));
                Assert.False(File.Exists(storeFile));
                Assert.False(_engine.Registries.Logout(TestEngine.Registry));
            }
            finally
            {
                System.Environment.SetEnvironmentVariable("PATH", path);
                Directory.Delete(bin, true);
            }
        }

        [Fact]
        public void Registry_keys_follow_the_docker_cli()
        {
            Assert.Equal("https://index.docker.io/v1/", DockerCredentialStore.KeyFor("docker.io"));
            Assert.Equal("https://index.docker.io/v1/", DockerCredentialStore.KeyFor("https://index.docker.io/v1/"));
            Assert.Equal("registry.example.com:5000", DockerCredentialStore.KeyFor("https://Registry.Example.com:5000/v2/"));
        }

        private sealed class SyncProgress : IProgress<LayerProgress>
        {
            private readonly List<LayerProgress> _sink;

            public SyncProgress(List<LayerProgress> sink)
            {
                _sink = sink;
            }

            public void Report(LayerProgress value)
            {
                lock (_sink)
                {
                    _sink.Add(value);
                }
            }
        }
    }
}
