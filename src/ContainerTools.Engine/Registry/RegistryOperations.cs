using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Registry
{
    /// <summary>docker login / logout: credentials checked by the engine, stored where the docker CLI finds them.</summary>
    public sealed class RegistryOperations
    {
        private readonly ContainerEngineConnection _engine;

        internal RegistryOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>Where credentials are read and written (the process's docker config folder unless a test says otherwise).</summary>
        public DockerCredentialStore Store { get; set; } = new DockerCredentialStore(EngineEnvironment.Current);

        /// <summary>Asks the engine to log in to the registry with the credential, then stores it; wrong credentials store nothing.</summary>
        public async Task<RegistryLogin> LoginAsync(string registry, RegistryCredential credential, CancellationToken cancellationToken = default)
        {
            var host = DockerCredentialStore.Hostname(string.IsNullOrWhiteSpace(registry) ? "docker.io" : registry);
            var serverAddress = DockerCredentialStore.KeyFor(host);
            var body = JsonSerializer.Serialize(new { username = credential.Username, password = credential.Secret, serveraddress = serverAddress });
            var identityToken = await EngineCall.RunAsync(_engine, "Registry", host, async c =>
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, c.ApiPath("/auth")) { Content = content };
                using var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw LoginFailed(host, credential.Username, response.StatusCode, EngineCall.ApiMessage(text));
                }

                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.TryGetProperty("IdentityToken", out var token) ? token.GetString() : null;
            }, cancellationToken).ConfigureAwait(false);

            var stored = string.IsNullOrEmpty(identityToken)
                ? credential
                : new RegistryCredential(credential.Username, identityToken!, isIdentityToken: true);
            var where = Store.Store(host, stored);
            return new RegistryLogin(host == "index.docker.io" ? "docker.io" : host, credential.Username, where);
        }

        /// <summary>Forgets the registry's stored credential; false when there was none.</summary>
        public bool Logout(string registry) =>
            Store.Erase(string.IsNullOrWhiteSpace(registry) ? "docker.io" : registry);

        /// <summary>The credential a pull or push of this registry uses: the one given, else the stored one, else none.</summary>
        internal RegistryCredential? CredentialFor(string registryHost, RegistryCredential? given) => given ?? Store.Get(registryHost);

        internal static ContainerEngineException LoginFailed(string host, string user, HttpStatusCode status, string message)
        {
            if (status == HttpStatusCode.Unauthorized || message.IndexOf("unauthorized", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("authentication required", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("incorrect username or password", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ContainerEngineException("RegistryLoginFailed", EngineErrorKind.AuthenticationFailed,
                    $"The registry {host} refused user '{user}': wrong user name or password. Nothing was stored.", host);
            }

            return RegistryError(host, message);
        }

        /// <summary>A registry failure reported by the engine, classified so that scripts can tell what went wrong.</summary>
        internal static ContainerEngineException RegistryError(string target, string message)
        {
            if (message.IndexOf("connection refused", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("no such host", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("i/o timeout", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("dial tcp", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ContainerEngineException("RegistryUnreachable", EngineErrorKind.Unreachable,
                    $"The engine could not reach the registry for '{target}': {message}", target);
            }

            if (message.IndexOf("unauthorized", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("authentication required", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("no basic auth credentials", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("denied", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ContainerEngineException("RegistryAccessDenied", EngineErrorKind.AuthenticationFailed,
                    $"The registry refused access to '{target}': {message}. Log in with Connect-ContainerRegistry, or pass -Credential.", target);
            }

            if (message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("manifest unknown", StringComparison.OrdinalIgnoreCase) >= 0 ||
                message.IndexOf("does not exist", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ContainerEngineException("RegistryImageNotFound", EngineErrorKind.NotFound,
                    $"The registry has no '{target}': {message}", target);
            }

            return new ContainerEngineException("RegistryOperationFailed", EngineErrorKind.OperationFailed, $"'{target}': {message}", target);
        }
    }
}
