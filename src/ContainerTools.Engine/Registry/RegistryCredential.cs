using System;
using System.Text;
using System.Text.Json;

namespace ContainerTools.Engine.Registry
{
    /// <summary>A user name and secret for one registry. ToString never shows the secret.</summary>
    public sealed class RegistryCredential
    {
        public RegistryCredential(string username, string secret, bool isIdentityToken = false)
        {
            Username = username ?? string.Empty;
            Secret = secret ?? string.Empty;
            IsIdentityToken = isIdentityToken;
        }

        public string Username { get; }

        /// <summary>The password, or an identity (refresh) token when IsIdentityToken.</summary>
        public string Secret { get; }

        public bool IsIdentityToken { get; }

        public override string ToString() => Username + " (secret hidden)";

        /// <summary>The engine's AuthConfig object for this credential (the entries of X-Registry-Config).</summary>
        internal System.Collections.Generic.Dictionary<string, string> ToAuthConfig(string serverAddress) =>
            IsIdentityToken
                ? new System.Collections.Generic.Dictionary<string, string> { ["identitytoken"] = Secret, ["serveraddress"] = serverAddress }
                : new System.Collections.Generic.Dictionary<string, string> { ["username"] = Username, ["password"] = Secret, ["serveraddress"] = serverAddress };

        /// <summary>The X-Registry-Auth header value: base64url JSON, as the docker CLI sends it.</summary>
        internal string ToRegistryAuthHeader(string serverAddress)
        {
            var json = IsIdentityToken
                ? JsonSerializer.Serialize(new { identitytoken = Secret, serveraddress = serverAddress })
                : JsonSerializer.Serialize(new { username = Username, password = Secret, serveraddress = serverAddress });
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_');
        }
    }
}
