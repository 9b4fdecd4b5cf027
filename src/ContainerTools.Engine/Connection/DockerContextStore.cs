using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ContainerTools.Engine.Connection
{
    /// <summary>A docker CLI context as stored under ~/.docker/contexts.</summary>
    public sealed class DockerContext
    {
        public DockerContext(string name, string host, bool skipTlsVerify, string? tlsDirectory)
        {
            Name = name;
            Host = host;
            SkipTlsVerify = skipTlsVerify;
            TlsDirectory = tlsDirectory;
        }

        public string Name { get; }

        public string Host { get; }

        public bool SkipTlsVerify { get; }

        /// <summary>The folder holding ca.pem, cert.pem and key.pem for this context, when it has one.</summary>
        public string? TlsDirectory { get; }
    }

    /// <summary>Reads docker CLI contexts and the current context, read-only, in the CLI's own layout.</summary>
    public sealed class DockerContextStore
    {
        public const string DefaultContextName = "default";

        private readonly EngineEnvironment _environment;

        public DockerContextStore(EngineEnvironment environment)
        {
            _environment = environment;
        }

        private string ContextsDirectory => Path.Combine(_environment.DockerConfigDirectory, "contexts");

        /// <summary>The context the CLI would use now, before DOCKER_HOST is considered: DOCKER_CONTEXT, else config.json's currentContext.</summary>
        public string? ExplicitContextName => _environment.Variable("DOCKER_CONTEXT");

        public string? ConfiguredCurrentContextName
        {
            get
            {
                var configFile = Path.Combine(_environment.DockerConfigDirectory, "config.json");
                if (!File.Exists(configFile))
                {
                    return null;
                }

                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllText(configFile));
                    if (doc.RootElement.ValueKind == JsonValueKind.Object &&
                        doc.RootElement.TryGetProperty("currentContext", out var current) &&
                        current.ValueKind == JsonValueKind.String)
                    {
                        var name = current.GetString();
                        return string.IsNullOrEmpty(name) ? null : name;
                    }
                }
                catch (JsonException e)
                {
                    throw new InvalidSpecException("InvalidDockerConfig",
                        $"The docker configuration file '{configFile}' is not valid JSON ({e.Message}). Fix or remove it.", configFile);
                }

                return null;
            }
        }

        /// <summary>The named context, or null when none by that name is stored.</summary>
        public DockerContext? Find(string name)
        {
            var id = ContextId(name);
            var metaFile = Path.Combine(ContextsDirectory, "meta", id, "meta.json");
            if (!File.Exists(metaFile))
            {
                return null;
            }

            return Read(metaFile, id);
        }

        /// <summary>All stored contexts (the implicit "default" context is not stored and not listed).</summary>
        public IReadOnlyList<DockerContext> List()
        {
            var result = new List<DockerContext>();
            var metaRoot = Path.Combine(ContextsDirectory, "meta");
            if (!Directory.Exists(metaRoot))
            {
                return result;
            }

            foreach (var dir in Directory.GetDirectories(metaRoot))
            {
                var metaFile = Path.Combine(dir, "meta.json");
                if (File.Exists(metaFile))
                {
                    var context = Read(metaFile, Path.GetFileName(dir));
                    if (context != null)
                    {
                        result.Add(context);
                    }
                }
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }

        // The CLI names a context's folders by the SHA-256 of its name.
        internal static string ContextId(string name)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
            var sb = new StringBuilder(hash.Length * 2);
            foreach (var b in hash)
            {
                sb.Append(b.ToString("x2"));
            }

            return sb.ToString();
        }

        private DockerContext? Read(string metaFile, string id)
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(metaFile));
                var root = doc.RootElement;
                var name = root.TryGetProperty("Name", out var n) ? n.GetString() : null;
                if (string.IsNullOrEmpty(name) ||
                    !root.TryGetProperty("Endpoints", out var endpoints) ||
                    !endpoints.TryGetProperty("docker", out var docker) ||
                    !docker.TryGetProperty("Host", out var host) ||
                    host.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                var skip = docker.TryGetProperty("SkipTLSVerify", out var s) && s.ValueKind == JsonValueKind.True;
                var tlsDir = Path.Combine(ContextsDirectory, "tls", id, "docker");
                return new DockerContext(name!, host.GetString()!, skip, Directory.Exists(tlsDir) ? tlsDir : null);
            }
            catch (JsonException e)
            {
                throw new InvalidSpecException("InvalidDockerContext",
                    $"The docker context file '{metaFile}' is not valid JSON ({e.Message}). Fix it, or remove the context with 'docker context rm'.", metaFile);
            }
        }
    }
}
