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

    /// <summary>Reads docker CLI contexts and the current context in the CLI's own layout, and writes the contexts of machines.</summary>
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

        /// <summary>
        /// Writes (or replaces) a context exactly as 'docker context create NAME --docker host=...,ca=...,cert=...,key=...'
        /// stores it: meta/&lt;sha256&gt;/meta.json and tls/&lt;sha256&gt;/docker/{ca,cert,key}.pem, so the docker CLI uses it as its own.
        /// </summary>
        public void Write(string name, string host, string? caPath, string? certificatePath, string? keyPath, string? description = null)
        {
            var id = ContextId(name);
            var metaFolder = Path.Combine(ContextsDirectory, "meta", id);
            var tlsFolder = Path.Combine(ContextsDirectory, "tls", id, "docker");
            Directory.CreateDirectory(metaFolder);
            if (caPath != null || certificatePath != null || keyPath != null)
            {
                Machines.OwnerOnly.CreateDirectory(Path.Combine(ContextsDirectory, "tls"));
                Machines.OwnerOnly.CreateDirectory(Path.Combine(ContextsDirectory, "tls", id));
                Machines.OwnerOnly.CreateDirectory(tlsFolder);
                foreach (var (source, file) in new[] { (caPath, "ca.pem"), (certificatePath, "cert.pem"), (keyPath, "key.pem") })
                {
                    if (source != null)
                    {
                        Machines.OwnerOnly.WriteFile(Path.Combine(tlsFolder, file), File.ReadAllText(source));
                    }
                }
            }
            else if (Directory.Exists(Path.Combine(ContextsDirectory, "tls", id)))
            {
                Directory.Delete(Path.Combine(ContextsDirectory, "tls", id), recursive: true);
            }

            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("Name", name);
                json.WriteStartObject("Metadata");
                if (description != null)
                {
                    json.WriteString("Description", description);
                }

                json.WriteEndObject();
                json.WriteStartObject("Endpoints");
                json.WriteStartObject("docker");
                json.WriteString("Host", host);
                json.WriteBoolean("SkipTLSVerify", false);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            Machines.OwnerOnly.WriteFile(Path.Combine(metaFolder, "meta.json"), Encoding.UTF8.GetString(buffer.ToArray()));
        }

        /// <summary>Removes a stored context (its meta and TLS folders); removing one that is not there is no error.</summary>
        public bool Remove(string name)
        {
            var id = ContextId(name);
            var existed = false;
            foreach (var folder in new[] { Path.Combine(ContextsDirectory, "meta", id), Path.Combine(ContextsDirectory, "tls", id) })
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                    existed = true;
                }
            }

            return existed;
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
