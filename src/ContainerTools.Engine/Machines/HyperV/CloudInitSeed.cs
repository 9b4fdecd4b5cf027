using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ContainerTools.Engine.Machines.HyperV
{
    /// <summary>
    /// The first-boot configuration of a Hyper-V machine: a cloud-init NoCloud seed (an ISO labelled "cidata" with
    /// user-data and meta-data). user-data is "#cloud-config" followed by JSON, which is YAML too, so every value
    /// (PEM text, names) is escaped by a JSON writer instead of hand-made YAML quoting. It writes the TLS files,
    /// daemon.json and a systemd drop-in (the Debian unit's "-H fd://" would clash with daemon.json's hosts), installs
    /// docker.io and hyperv-daemons (whose KVP daemon reports the VM's address to Hyper-V), and starts dockerd.
    /// </summary>
    public static class CloudInitSeed
    {
        public const string VolumeLabel = "cidata";
        public const int EnginePort = 2376;
        internal const string TlsDirectory = "/etc/docker/containertools";

        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            WriteIndented = true,

            // Only ASCII in the file: every other character is a \u escape, which YAML reads the same way.
            Encoder = JavaScriptEncoder.Default,
        };

        public static string UserData(string hostname, string caPem, string serverCertPem, string serverKeyPem)
        {
            var daemon = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["hosts"] = new[] { "unix:///var/run/docker.sock", "tcp://0.0.0.0:" + EnginePort.ToString(CultureInfo.InvariantCulture) },
                ["tls"] = true,
                ["tlsverify"] = true,
                ["tlscacert"] = TlsDirectory + "/ca.pem",
                ["tlscert"] = TlsDirectory + "/server-cert.pem",
                ["tlskey"] = TlsDirectory + "/server-key.pem",
            }, new JsonSerializerOptions { WriteIndented = true }) + "\n";

            var config = new Dictionary<string, object>
            {
                ["hostname"] = hostname,
                ["preserve_hostname"] = false,
                ["package_update"] = true,
                ["packages"] = new[] { "docker.io", "hyperv-daemons" },
                ["write_files"] = new object[]
                {
                    File(TlsDirectory + "/ca.pem", "0644", caPem),
                    File(TlsDirectory + "/server-cert.pem", "0644", serverCertPem),
                    File(TlsDirectory + "/server-key.pem", "0600", serverKeyPem),
                    File("/etc/docker/daemon.json", "0644", daemon),
                    File("/etc/systemd/system/docker.service.d/containertools.conf", "0644",
                        "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock\n"),
                },
                ["runcmd"] = new object[]
                {
                    new[] { "systemctl", "daemon-reload" },
                    new[] { "systemctl", "enable", "docker" },
                    new[] { "systemctl", "restart", "docker" },
                },
            };

            return "#cloud-config\n" + JsonSerializer.Serialize(config, Json) + "\n";
        }

        /// <summary>instance-id must stay the same for the machine's life: a new one makes cloud-init run again.</summary>
        public static string MetaData(string instanceId, string hostname) =>
            JsonSerializer.Serialize(new Dictionary<string, string> { ["instance-id"] = instanceId, ["local-hostname"] = hostname }, Json) + "\n";

        public static byte[] BuildIso(string userData, string metaData, DateTime timestampUtc) =>
            Iso9660Writer.Build(VolumeLabel, new[]
            {
                new KeyValuePair<string, byte[]>("user-data", Encoding.UTF8.GetBytes(userData)),
                new KeyValuePair<string, byte[]>("meta-data", Encoding.UTF8.GetBytes(metaData)),
            }, timestampUtc);

        /// <summary>A host name from a machine name: lower-case letters, digits and '-', at most 63, no '-' at either end.</summary>
        public static string Hostname(string name)
        {
            var text = new StringBuilder();
            foreach (var c in name.ToLowerInvariant())
            {
                text.Append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
            }

            var host = text.ToString().Trim('-');
            if (host.Length > 63)
            {
                host = host.Substring(0, 63).TrimEnd('-');
            }

            return host.Length == 0 ? "containertools" : host;
        }

        private static Dictionary<string, string> File(string path, string permissions, string content) => new Dictionary<string, string>
        {
            ["path"] = path,
            ["permissions"] = permissions,
            ["owner"] = "root:root",
            ["content"] = content.Replace("\r\n", "\n"),
        };
    }
}
