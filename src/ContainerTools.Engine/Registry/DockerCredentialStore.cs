using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Registry
{
    /// <summary>
    /// Registry credentials where the docker CLI keeps them: ~/.docker/config.json 'auths', or the credential
    /// helper named by 'credHelpers' (per registry) or 'credsStore' (all). A login by either tool serves the other.
    /// </summary>
    public sealed class DockerCredentialStore
    {
        /// <summary>The key the docker CLI uses for Docker Hub in config.json and credential helpers.</summary>
        public const string DockerHubKey = "https://index.docker.io/v1/";

        private readonly EngineEnvironment _environment;

        public DockerCredentialStore(EngineEnvironment environment)
        {
            _environment = environment;
        }

        public string ConfigFile => Path.Combine(_environment.DockerConfigDirectory, "config.json");

        /// <summary>The key a registry host is stored under: Docker Hub's URL, or host[:port].</summary>
        public static string KeyFor(string registry)
        {
            var host = Hostname(registry);
            return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" ? DockerHubKey : host;
        }

        /// <summary>host[:port] of a registry written with or without a scheme or path (as the CLI's ConvertToHostname).</summary>
        public static string Hostname(string registry)
        {
            var host = (registry ?? string.Empty).Trim();
            if (host.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                host = host.Substring(7);
            }
            else if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                host = host.Substring(8);
            }

            var slash = host.IndexOf('/');
            return (slash < 0 ? host : host.Substring(0, slash)).ToLowerInvariant();
        }

        /// <summary>The stored credential for a registry, or null.</summary>
        public RegistryCredential? Get(string registry)
        {
            var key = KeyFor(registry);
            var config = Load();
            var helper = HelperFor(config, key);
            if (helper != null)
            {
                return HelperGet(helper, key);
            }

            if (config["auths"] is JsonObject auths)
            {
                foreach (var entry in auths)
                {
                    if (KeyFor(entry.Key) != key || !(entry.Value is JsonObject value))
                    {
                        continue;
                    }

                    if (value["identitytoken"]?.GetValue<string>() is string token && token.Length > 0)
                    {
                        var user = DecodeAuth(value["auth"]?.GetValue<string>()).User;
                        return new RegistryCredential(user, token, isIdentityToken: true);
                    }

                    var (username, password) = DecodeAuth(value["auth"]?.GetValue<string>());
                    if (username.Length > 0)
                    {
                        return new RegistryCredential(username, password);
                    }
                }
            }

            return null;
        }

        /// <summary>Stores a credential; returns where it went (config.json path or helper program).</summary>
        public string Store(string registry, RegistryCredential credential)
        {
            var key = KeyFor(registry);
            var config = Load();
            var helper = HelperFor(config, key);
            if (helper != null)
            {
                RunHelper(helper, "store", JsonSerializer.Serialize(new { ServerURL = key, Username = credential.Username, Secret = credential.Secret }));
                return "docker-credential-" + helper;
            }

            if (!(config["auths"] is JsonObject auths))
            {
                config["auths"] = auths = new JsonObject();
            }

            RemoveMatching(auths, key);
            var entry = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + (credential.IsIdentityToken ? string.Empty : credential.Secret))) };
            if (credential.IsIdentityToken)
            {
                entry["identitytoken"] = credential.Secret;
            }

            auths[key] = entry;
            Save(config);
            return ConfigFile;
        }

        /// <summary>Forgets a registry's credential; false when none was stored.</summary>
        public bool Erase(string registry)
        {
            var key = KeyFor(registry);
            var config = Load();
            var helper = HelperFor(config, key);
            if (helper != null)
            {
                var had = HelperGet(helper, key) != null;
                if (had)
                {
                    RunHelper(helper, "erase", key);
                }

                return had;
            }

            if (config["auths"] is JsonObject auths && RemoveMatching(auths, key))
            {
                Save(config);
                return true;
            }

            return false;
        }

        private static bool RemoveMatching(JsonObject auths, string key)
        {
            var matching = auths.Where(e => KeyFor(e.Key) == key).Select(e => e.Key).ToList();
            foreach (var k in matching)
            {
                auths.Remove(k);
            }

            return matching.Count > 0;
        }

        private static string? HelperFor(JsonObject config, string key)
        {
            if (config["credHelpers"] is JsonObject helpers)
            {
                foreach (var entry in helpers)
                {
                    if (KeyFor(entry.Key) == key && entry.Value?.GetValue<string>() is string name && name.Length > 0)
                    {
                        return name;
                    }
                }
            }

            return config["credsStore"]?.GetValue<string>() is string store && store.Length > 0 ? store : null;
        }

        private RegistryCredential? HelperGet(string helper, string key)
        {
            var (exitCode, output) = RunHelperRaw(helper, "get", key);
            if (exitCode != 0)
            {
                // The helpers say "credentials not found" on stdout and exit 1 when there is nothing stored.
                if (output.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return null;
                }

                throw HelperFailed(helper, "get", output);
            }

            using var doc = JsonDocument.Parse(output);
            var user = doc.RootElement.TryGetProperty("Username", out var u) ? u.GetString() ?? string.Empty : string.Empty;
            var secret = doc.RootElement.TryGetProperty("Secret", out var s) ? s.GetString() ?? string.Empty : string.Empty;
            return user == "<token>" ? new RegistryCredential(user, secret, isIdentityToken: true) : new RegistryCredential(user, secret);
        }

        private static void RunHelper(string helper, string verb, string input)
        {
            var (exitCode, output) = RunHelperRaw(helper, verb, input);
            if (exitCode != 0)
            {
                throw HelperFailed(helper, verb, output);
            }
        }

        private static (int ExitCode, string Output) RunHelperRaw(string helper, string verb, string input)
        {
            var program = "docker-credential-" + helper;
            var start = new ProcessStartInfo(program, verb)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException(program);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                throw new ContainerEngineException("CredentialHelperNotFound", EngineErrorKind.NotFound,
                    $"The docker configuration names the credential helper '{helper}', but '{program}' is not on the PATH. Install it, or remove 'credsStore'/'credHelpers' from the docker config.json.",
                    program, e);
            }

            using (process)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(30000))
                {
                    process.Kill();
                    throw new ContainerEngineException("CredentialHelperTimeout", EngineErrorKind.Timeout,
                        $"The credential helper '{program} {verb}' did not finish within 30 seconds (it may be waiting for a prompt that no one can answer).", program);
                }

                return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
            }
        }

        private static ContainerEngineException HelperFailed(string helper, string verb, string output) =>
            new ContainerEngineException("CredentialHelperFailed", EngineErrorKind.OperationFailed,
                $"The credential helper 'docker-credential-{helper} {verb}' failed: {output}", "docker-credential-" + helper);

        private static (string User, string Password) DecodeAuth(string? auth)
        {
            if (string.IsNullOrEmpty(auth))
            {
                return (string.Empty, string.Empty);
            }

            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                var colon = text.IndexOf(':');
                return colon < 0 ? (text, string.Empty) : (text.Substring(0, colon), text.Substring(colon + 1));
            }
            catch (FormatException)
            {
                return (string.Empty, string.Empty);
            }
        }

        private JsonObject Load()
        {
            if (!File.Exists(ConfigFile))
            {
                return new JsonObject();
            }

            try
            {
                return JsonNode.Parse(File.ReadAllText(ConfigFile)) as JsonObject ?? new JsonObject();
            }
            catch (JsonException e)
            {
                throw new InvalidSpecException("InvalidDockerConfig",
                    $"The docker configuration file '{ConfigFile}' is not valid JSON ({e.Message}). Fix or remove it.", ConfigFile);
            }
        }

        // Written to a temporary file and moved into place, so a crash never leaves half a config; owner-only on Unix.
        private void Save(JsonObject config)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ConfigFile)!);
            var temp = ConfigFile + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            File.WriteAllText(temp, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                Chmod(temp, Convert.ToInt32("600", 8));
            }

            if (File.Exists(ConfigFile))
            {
                File.Replace(temp, ConfigFile, null);
            }
            else
            {
                File.Move(temp, ConfigFile);
            }
        }

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, int mode);
    }
}
