using System;
using System.Collections.Generic;
using System.IO;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>Which engine is used when: -Engine, DOCKER_CONTEXT, DOCKER_HOST, currentContext, platform default; TLS from the environment.</summary>
    public sealed class EndpointResolverTests : IDisposable
    {
        private readonly string _home = Path.Combine(Path.GetTempPath(), "ct-resolver-" + Guid.NewGuid().ToString("N"));
        private readonly Dictionary<string, string?> _variables = new Dictionary<string, string?>();

        public EndpointResolverTests()
        {
            Directory.CreateDirectory(Path.Combine(_home, ".docker"));
        }

        private EndpointResolver Resolver(bool windows = false) =>
            new EndpointResolver(new EngineEnvironment(n => _variables.TryGetValue(n, out var v) ? v : null, _home, windows));

        private string ConfigDir => Path.Combine(_home, ".docker");

        private void WriteContext(string name, string host, bool skipTls = false, bool withTls = false)
        {
            var id = DockerContextStore.ContextId(name);
            var meta = Path.Combine(ConfigDir, "contexts", "meta", id);
            Directory.CreateDirectory(meta);
            File.WriteAllText(Path.Combine(meta, "meta.json"),
                $"{{\"Name\":\"{name}\",\"Metadata\":{{}},\"Endpoints\":{{\"docker\":{{\"Host\":\"{host}\",\"SkipTLSVerify\":{(skipTls ? "true" : "false")}}}}}}}");
            if (withTls)
            {
                var tls = Path.Combine(ConfigDir, "contexts", "tls", id, "docker");
                Directory.CreateDirectory(tls);
                File.WriteAllText(Path.Combine(tls, "ca.pem"), "x");
                File.WriteAllText(Path.Combine(tls, "cert.pem"), "x");
                File.WriteAllText(Path.Combine(tls, "key.pem"), "x");
            }
        }

        [Fact]
        public void Nothing_set_gives_the_platform_default()
        {
            Assert.Equal("unix:///var/run/docker.sock", Resolver().ResolveDefault().Address);
            Assert.Equal(EndpointSource.PlatformDefault, Resolver().ResolveDefault().Source);
            Assert.Equal("npipe:////./pipe/docker_engine", Resolver(windows: true).ResolveDefault().Address);
        }

        [Fact]
        public void Docker_host_without_scheme_is_tcp()
        {
            _variables["DOCKER_HOST"] = "localhost:2375";
            var endpoint = Resolver().ResolveDefault();
            Assert.Equal("tcp://localhost:2375", endpoint.Address);
            Assert.Equal(EndpointSource.Environment, endpoint.Source);
            Assert.Null(endpoint.Tls);
        }

        [Fact]
        public void Docker_tls_verify_turns_on_verified_tls_with_cert_path_files()
        {
            var certs = Path.Combine(_home, "certs");
            Directory.CreateDirectory(certs);
            File.WriteAllText(Path.Combine(certs, "ca.pem"), "x");
            File.WriteAllText(Path.Combine(certs, "cert.pem"), "x");
            File.WriteAllText(Path.Combine(certs, "key.pem"), "x");
            _variables["DOCKER_HOST"] = "tcp://remote:2376";
            _variables["DOCKER_TLS_VERIFY"] = "1";
            _variables["DOCKER_CERT_PATH"] = certs;
            var tls = Resolver().ResolveDefault().Tls;
            Assert.NotNull(tls);
            Assert.True(tls!.VerifyServer);
            Assert.Equal(Path.Combine(certs, "ca.pem"), tls.CaCertificatePath);
            Assert.Equal(Path.Combine(certs, "cert.pem"), tls.ClientCertificatePath);
            Assert.Equal(Path.Combine(certs, "key.pem"), tls.ClientKeyPath);
        }

        [Fact]
        public void Cert_path_defaults_to_the_docker_config_folder()
        {
            File.WriteAllText(Path.Combine(ConfigDir, "ca.pem"), "x");
            _variables["DOCKER_HOST"] = "tcp://remote:2376";
            _variables["DOCKER_TLS_VERIFY"] = "0"; // any non-empty value turns it on, as in the CLI
            var tls = Resolver().ResolveDefault().Tls;
            Assert.Equal(Path.Combine(ConfigDir, "ca.pem"), tls!.CaCertificatePath);
            Assert.Null(tls.ClientCertificatePath);
        }

        [Fact]
        public void Docker_tls_without_verify_is_tls_that_trusts_any_server()
        {
            _variables["DOCKER_HOST"] = "tcp://remote:2376";
            _variables["DOCKER_TLS"] = "1";
            var tls = Resolver().ResolveDefault().Tls;
            Assert.NotNull(tls);
            Assert.False(tls!.VerifyServer);
        }

        [Fact]
        public void Tls_variables_do_not_apply_to_unix_sockets()
        {
            _variables["DOCKER_HOST"] = "unix:///tmp/d.sock";
            _variables["DOCKER_TLS_VERIFY"] = "1";
            Assert.Null(Resolver().ResolveDefault().Tls);
        }

        [Fact]
        public void Current_context_from_config_json_is_used_when_docker_host_is_unset()
        {
            WriteContext("remote", "tcp://ctx-host:2376", withTls: true);
            File.WriteAllText(Path.Combine(ConfigDir, "config.json"), "{\"currentContext\":\"remote\"}");
            var endpoint = Resolver().ResolveDefault();
            Assert.Equal("tcp://ctx-host:2376", endpoint.Address);
            Assert.Equal("remote", endpoint.ContextName);
            Assert.Equal(EndpointSource.Context, endpoint.Source);
            Assert.True(endpoint.Tls!.VerifyServer);
            Assert.EndsWith(Path.Combine("docker", "ca.pem"), endpoint.Tls.CaCertificatePath);
        }

        [Fact]
        public void Docker_host_wins_over_config_json_current_context()
        {
            WriteContext("remote", "tcp://ctx-host:2376");
            File.WriteAllText(Path.Combine(ConfigDir, "config.json"), "{\"currentContext\":\"remote\"}");
            _variables["DOCKER_HOST"] = "unix:///tmp/env.sock";
            Assert.Equal("unix:///tmp/env.sock", Resolver().ResolveDefault().Address);
        }

        [Fact]
        public void Docker_context_wins_over_docker_host()
        {
            WriteContext("other", "unix:///tmp/other.sock");
            _variables["DOCKER_HOST"] = "unix:///tmp/env.sock";
            _variables["DOCKER_CONTEXT"] = "other";
            Assert.Equal("unix:///tmp/other.sock", Resolver().ResolveDefault().Address);
        }

        [Fact]
        public void Docker_config_variable_moves_the_config_folder()
        {
            var alt = Path.Combine(_home, "alt");
            Directory.CreateDirectory(alt);
            _variables["DOCKER_CONFIG"] = alt;
            File.WriteAllText(Path.Combine(alt, "config.json"), "{\"currentContext\":\"altctx\"}");
            var id = DockerContextStore.ContextId("altctx");
            Directory.CreateDirectory(Path.Combine(alt, "contexts", "meta", id));
            File.WriteAllText(Path.Combine(alt, "contexts", "meta", id, "meta.json"),
                "{\"Name\":\"altctx\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///tmp/alt.sock\"}}}");
            Assert.Equal("unix:///tmp/alt.sock", Resolver().ResolveDefault().Address);
        }

        [Fact]
        public void A_missing_current_context_is_a_clear_error()
        {
            _variables["DOCKER_CONTEXT"] = "gone";
            var e = Assert.Throws<ContainerEngineException>(() => Resolver().ResolveDefault());
            Assert.Equal("EngineContextNotFound", e.ErrorId);
            Assert.Contains("gone", e.Message);
            Assert.Contains("DOCKER_CONTEXT", e.Message);
        }

        [Fact]
        public void Engine_argument_can_be_a_context_name_an_address_or_host_port()
        {
            WriteContext("lab", "tcp://lab:2376", skipTls: true);
            var resolver = Resolver();
            var byContext = resolver.ResolveArgument("lab");
            Assert.Equal("tcp://lab:2376", byContext.Address);
            Assert.False(byContext.Tls!.VerifyServer);
            Assert.Equal("unix:///x.sock", resolver.ResolveArgument("unix:///x.sock").Address);
            Assert.Equal("tcp://h:2375", resolver.ResolveArgument("h:2375").Address);
            Assert.Equal("unix:///var/run/docker.sock", resolver.ResolveArgument("default").Address);
        }

        [Fact]
        public void Unknown_engine_argument_names_the_known_contexts()
        {
            WriteContext("lab", "tcp://lab:2376");
            var e = Assert.Throws<ContainerEngineException>(() => Resolver().ResolveArgument("nosuch"));
            Assert.Equal("EngineContextNotFound", e.ErrorId);
            Assert.Contains("default, lab", e.Message);
        }

        [Fact]
        public void Invalid_config_json_is_reported_with_its_path()
        {
            File.WriteAllText(Path.Combine(ConfigDir, "config.json"), "{not json");
            var e = Assert.Throws<InvalidSpecException>(() => Resolver().ResolveDefault());
            Assert.Equal("InvalidDockerConfig", e.ErrorId);
            Assert.Contains("config.json", e.Message);
        }

        [Fact]
        public void Skip_tls_verify_is_for_loopback_only_unless_forced()
        {
            var resolver = Resolver();
            Assert.False(resolver.FromAddress("tcp://127.0.0.1:2376", null, skipVerify: true, allowRemoteSkipVerify: false).Tls!.VerifyServer);
            Assert.False(resolver.FromAddress("tcp://localhost:2376", null, skipVerify: true, allowRemoteSkipVerify: false).Tls!.VerifyServer);
            Assert.False(resolver.FromAddress("tcp://[::1]:2376", null, skipVerify: true, allowRemoteSkipVerify: false).Tls!.VerifyServer);
            var e = Assert.Throws<InvalidSpecException>(() => resolver.FromAddress("tcp://10.1.2.3:2376", null, skipVerify: true, allowRemoteSkipVerify: false));
            Assert.Equal("SkipTlsVerifyNotLoopback", e.ErrorId);
            Assert.NotNull(resolver.FromAddress("tcp://10.1.2.3:2376", null, skipVerify: true, allowRemoteSkipVerify: true).Tls);
            Assert.Throws<InvalidSpecException>(() => resolver.FromAddress("unix:///x.sock", null, skipVerify: true, allowRemoteSkipVerify: false));
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
