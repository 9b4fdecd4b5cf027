using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Machines.Download;

namespace ContainerTools.Engine.Machines.Wsl
{
    /// <summary>
    /// A WSL 2 distribution with dockerd inside. The root filesystem (Alpine's minirootfs by default, or a file or
    /// address the user names) is imported with "wsl.exe --import ... --version 2"; the TLS files, daemon.json and
    /// /etc/wsl.conf are written into it through "wsl.exe -d NAME -u root -- sh -c ..." with the content on standard
    /// input (no value is ever put into a shell command line); dockerd listens with TLS on a loopback port chosen per
    /// machine, which WSL 2 forwards to Windows' localhost.
    /// </summary>
    public sealed class WslProvider : IMachineProvider, IMachineAddressPlanner
    {
        /// <summary>Alpine Linux 3.20.3 minirootfs (x86_64): a 3 MB tar.gz; dockerd is installed with apk on first start.</summary>
        public const string DefaultRootFileSystem = "https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz";

        /// <summary>The pinned SHA-256 of <see cref="DefaultRootFileSystem"/>.</summary>
        public const string DefaultRootFileSystemSha256 = "d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c";

        /// <summary>ProviderSettings keys.</summary>
        public const string DistributionSetting = "DistributionName";
        public const string RootFileSystemSetting = "RootFileSystem";
        public const string RootFileSystemChecksumSetting = "RootFileSystemChecksum";
        public const string PortSetting = "Port";

        /// <summary>Machines get loopback ports from this range (a free one, the same one on every start).</summary>
        public const int FirstPort = 23760;
        public const int PortCount = 200;

        internal const string Wsl = "wsl.exe";
        internal const string TlsDirectory = "/etc/docker/containertools";
        internal const string StartScriptPath = "/usr/local/bin/containertools-dockerd";

        private static readonly Regex DistributionNamePattern = new Regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant);

        private readonly IHostCommandRunner _runner;
        private readonly ImageDownloader _downloader;
        private readonly IBackgroundProcessLauncher _launcher;
        private readonly string _imageCache;

        public WslProvider(IHostCommandRunner runner, ImageDownloader? downloader = null, IBackgroundProcessLauncher? launcher = null, string? imageCacheFolder = null)
        {
            _runner = runner ?? throw new ArgumentNullException(nameof(runner));
            _downloader = downloader ?? new ImageDownloader();
            _launcher = launcher ?? new BackgroundProcessLauncher();
            _imageCache = imageCacheFolder ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ContainerTools", "images");
        }

        public MachineProviderKind Kind => MachineProviderKind.Wsl;

        /// <summary>Test seams: the host facts UnavailableReason reads, and the port probe.</summary>
        internal bool IsWindows { get; set; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        internal int WindowsBuild { get; set; } = Environment.OSVersion.Version.Build;

        internal Func<bool> IsWslInstalled { get; set; } = DefaultIsWslInstalled;

        internal Func<int, bool> IsPortFree { get; set; } = DefaultIsPortFree;

        public string? UnavailableReason()
        {
            if (!IsWindows)
            {
                return "The Wsl provider needs Windows 10 version 2004 (build 19041) or later, or Windows 11, with WSL 2; this host runs " +
                       RuntimeInformation.OSDescription.Trim() + ". On Linux use the Local provider.";
            }

            if (WindowsBuild < 19041)
            {
                return $"The Wsl provider needs WSL 2, which needs Windows 10 version 2004 (build 19041) or later; this is build {WindowsBuild}. Update Windows, or use the HyperV provider.";
            }

            if (!IsWslInstalled())
            {
                return "WSL is not installed. Run 'wsl.exe --install --no-distribution' as Administrator, restart Windows, and try again.";
            }

            return null;
        }

        /// <summary>WSL 2 forwards localhost: the engine listens on a loopback port of its own, known before anything is made.</summary>
        public Task PlanAsync(MachineContext context, CancellationToken cancellationToken)
        {
            PlanAddress(context.Definition);
            return Task.CompletedTask;
        }

        public async Task CreateAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            var distribution = DistributionName(definition);
            var port = PlanAddress(definition);

            var files = ConfigurationFiles(context, port);
            var existing = await FindAsync(distribution, cancellationToken).ConfigureAwait(false);
            if (existing == null)
            {
                context.Progress?.Report("Getting the root filesystem");
                var rootFileSystem = await GetRootFileSystemAsync(definition, context.Progress, cancellationToken).ConfigureAwait(false);
                var installFolder = InstallFolder(context);
                Directory.CreateDirectory(installFolder);
                context.Progress?.Report($"Importing the WSL distribution '{distribution}'");
                var import = await RunAsync(new[] { "--import", distribution, installFolder, rootFileSystem, "--version", "2" }, null, cancellationToken).ConfigureAwait(false);
                if (import.ExitCode != 0)
                {
                    throw ImportFailed(distribution, Message(import));
                }
            }
            else
            {
                CheckVersion(existing);
            }

            context.Progress?.Report("Configuring dockerd in the distribution");
            await ConfigureAsync(distribution, files, cancellationToken).ConfigureAwait(false);
            await StartEngineAsync(context, distribution, existing?.State == "Running", cancellationToken).ConfigureAwait(false);
        }

        public async Task StartAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var distribution = DistributionName(context.Definition);
            var existing = await FindAsync(distribution, cancellationToken).ConfigureAwait(false);
            if (existing == null)
            {
                if (!context.Definition.CreationComplete)
                {
                    await CreateAsync(context, cancellationToken).ConfigureAwait(false);
                    return;
                }

                throw new ContainerEngineException("WslDistributionMissing", EngineErrorKind.NotFound,
                    $"The WSL distribution '{distribution}' of machine '{context.Definition.Name}' no longer exists (it was unregistered outside ContainerTools). " +
                    "Remove the machine with Remove-ContainerMachine and create it again.", context.Definition.Name);
            }

            CheckVersion(existing);

            // A distribution that stopped (WSL shut down, Windows restarted, a crash) is started again by its first command.
            await StartEngineAsync(context, distribution, existing.State == "Running", cancellationToken).ConfigureAwait(false);
        }

        public async Task StopAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var distribution = DistributionName(context.Definition);
            var existing = await FindAsync(distribution, cancellationToken).ConfigureAwait(false);
            if (existing == null || existing.State == "Stopped")
            {
                return;
            }

            await TerminateAsync(distribution, cancellationToken).ConfigureAwait(false);
        }

        public async Task RemoveAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var distribution = DistributionName(context.Definition);
            var existing = await FindAsync(distribution, cancellationToken).ConfigureAwait(false);
            if (existing != null)
            {
                if (existing.State != "Stopped")
                {
                    await TerminateAsync(distribution, cancellationToken).ConfigureAwait(false);
                }

                var result = await RunAsync(new[] { "--unregister", distribution }, null, cancellationToken).ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    throw new ContainerEngineException("WslUnregisterFailed", EngineErrorKind.OperationFailed,
                        $"wsl.exe could not unregister the distribution '{distribution}': {Message(result)}", distribution);
                }
            }

            // --unregister deletes the virtual disk; the folder is ours to remove.
            var folder = InstallFolder(context);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        public async Task<MachineState> GetStateAsync(MachineContext context, CancellationToken cancellationToken)
        {
            WslDistribution? existing;
            try
            {
                existing = await FindAsync(DistributionName(context.Definition), cancellationToken).ConfigureAwait(false);
            }
            catch (ContainerEngineException)
            {
                return MachineState.Unknown;
            }

            if (!context.Definition.CreationComplete)
            {
                return MachineState.Incomplete;
            }

            switch (existing?.State)
            {
                case "Running":
                    return MachineState.Running;
                case "Stopped":
                    return MachineState.Stopped;
                case "Installing":
                case "Converting":
                    return MachineState.Starting;
                case "Uninstalling":
                    return MachineState.Stopping;
                default:
                    return MachineState.Unknown;
            }
        }

        /// <summary>The distribution's name: the setting, or "containertools-&lt;machine&gt;"; checked so it is safe anywhere.</summary>
        public static string DistributionName(MachineDefinition definition)
        {
            if (!definition.ProviderSettings.TryGetValue(DistributionSetting, out var name) || string.IsNullOrEmpty(name))
            {
                name = "containertools-" + definition.Name;
            }

            if (!DistributionNamePattern.IsMatch(name))
            {
                throw new InvalidSpecException("InvalidWslDistributionName",
                    $"'{name}' cannot be a WSL distribution name: use up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit.", name);
            }

            return name;
        }

        /// <summary>The daemon.json written into the distribution.</summary>
        internal static string DaemonJson(int port) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["hosts"] = new[] { "unix:///var/run/docker.sock", "tcp://0.0.0.0:" + port.ToString(CultureInfo.InvariantCulture) },
            ["tls"] = true,
            ["tlsverify"] = true,
            ["tlscacert"] = TlsDirectory + "/ca.pem",
            ["tlscert"] = TlsDirectory + "/server-cert.pem",
            ["tlskey"] = TlsDirectory + "/server-key.pem",
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n";

        internal const string WslConf =
            "# Written by ContainerTools.\n" +
            "[boot]\n" +
            "command = " + StartScriptPath + "\n" +
            "[interop]\n" +
            "# Windows programs (a Windows docker.exe) stay out of the engine's PATH.\n" +
            "appendWindowsPath = false\n";

        /// <summary>Installs dockerd on first use (apk, apt-get or dnf) and starts it unless it runs; waits for its socket.</summary>
        internal const string StartScript =
            "#!/bin/sh\n" +
            "# Written by ContainerTools: installs dockerd once, then starts it with /etc/docker/daemon.json.\n" +
            "set -e\n" +
            "# The [boot] command and Start-ContainerMachine may run this at once: one waits for the other.\n" +
            "if command -v flock >/dev/null 2>&1; then exec 9>/tmp/containertools-dockerd.lock; flock 9; fi\n" +
            "log=/var/log/containertools-install.log\n" +
            "if ! command -v dockerd >/dev/null 2>&1; then\n" +
            "  if command -v apk >/dev/null 2>&1; then apk add --no-cache docker >$log 2>&1\n" +
            "  elif command -v apt-get >/dev/null 2>&1; then (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io) >$log 2>&1\n" +
            "  elif command -v dnf >/dev/null 2>&1; then dnf install -y moby-engine >$log 2>&1\n" +
            "  else echo 'No package manager found to install dockerd: install it in the distribution.' >&2; exit 3\n" +
            "  fi\n" +
            "fi\n" +
            "if pidof dockerd >/dev/null 2>&1 && [ -S /var/run/docker.sock ]; then exit 0; fi\n" +
            "rm -f /var/run/docker.pid\n" +
            "setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &\n" +
            "i=0\n" +
            "while [ $i -lt 60 ]; do\n" +
            "  if [ -S /var/run/docker.sock ]; then exit 0; fi\n" +
            "  i=$((i + 1)); sleep 1\n" +
            "done\n" +
            "echo 'dockerd did not start within 60 seconds; the end of /var/log/dockerd.log:' >&2\n" +
            "tail -n 20 /var/log/dockerd.log >&2\n" +
            "exit 4\n";

        /// <summary>A constant script that writes its standard input to <paramref name="path"/> with <paramref name="mode"/> (replaced whole).</summary>
        internal static string WriteFileScript(string path, string mode)
        {
            // Only our own constant paths are ever given; the check keeps it that way.
            if (path.IndexOfAny(new[] { '\'', '"', '$', '`', '\\', ' ' }) >= 0)
            {
                throw new ArgumentException("unsafe path", nameof(path));
            }

            var directory = path.Substring(0, path.LastIndexOf('/'));
            return $"set -e; umask 077; mkdir -p '{directory}'; cat > '{path}.new'; chmod {mode} '{path}.new'; mv -f '{path}.new' '{path}'";
        }

        internal static HostCommand KeepAliveCommand(string distribution) =>
            new HostCommand(Wsl, new[] { "-d", distribution, "-u", "root", "--", "sleep", "2147483647" });

        /// <summary>Every file written into the distribution: read before anything is imported, so a missing TLS file stops early.</summary>
        private static List<(string Path, string Mode, string Content)> ConfigurationFiles(MachineContext context, int port) =>
            new List<(string Path, string Mode, string Content)>
            {
                (TlsDirectory + "/ca.pem", "0644", ReadTls(context, "ca.pem")),
                (TlsDirectory + "/server-cert.pem", "0644", ReadTls(context, "server-cert.pem")),
                (TlsDirectory + "/server-key.pem", "0600", ReadTls(context, "server-key.pem")),
                ("/etc/docker/daemon.json", "0644", DaemonJson(port)),
                ("/etc/wsl.conf", "0644", WslConf),
                (StartScriptPath, "0755", StartScript),
            };

        private async Task ConfigureAsync(string distribution, List<(string Path, string Mode, string Content)> files, CancellationToken cancellationToken)
        {
            foreach (var file in files)
            {
                var result = await RunAsync(new[] { "-d", distribution, "-u", "root", "--", "sh", "-c", WriteFileScript(file.Path, file.Mode) }, file.Content, cancellationToken)
                    .ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    throw new ContainerEngineException("WslConfigureFailed", EngineErrorKind.OperationFailed,
                        $"Could not write {file.Path} in the WSL distribution '{distribution}': {Message(result)}", distribution);
                }
            }
        }

        private async Task StartEngineAsync(MachineContext context, string distribution, bool running, CancellationToken cancellationToken)
        {
            if (!running)
            {
                _launcher.Launch(KeepAliveCommand(distribution));
            }

            context.Progress?.Report("Starting dockerd (installed on first start)");
            var result = await RunAsync(new[] { "-d", distribution, "-u", "root", "--", StartScriptPath }, null, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new ContainerEngineException("WslEngineStartFailed", EngineErrorKind.OperationFailed,
                    $"dockerd did not start in the WSL distribution '{distribution}': {Message(result)} " +
                    $"Look at /var/log/dockerd.log and /var/log/containertools-install.log there ('wsl.exe -d {distribution} -u root').", distribution);
            }
        }

        private async Task TerminateAsync(string distribution, CancellationToken cancellationToken)
        {
            var result = await RunAsync(new[] { "--terminate", distribution }, null, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new ContainerEngineException("WslTerminateFailed", EngineErrorKind.OperationFailed,
                    $"wsl.exe could not stop the distribution '{distribution}': {Message(result)}", distribution);
            }
        }

        private async Task<WslDistribution?> FindAsync(string distribution, CancellationToken cancellationToken)
        {
            var result = await RunAsync(new[] { "--list", "--verbose" }, null, cancellationToken).ConfigureAwait(false);
            var text = Message(result);
            if (result.ExitCode != 0)
            {
                if (text.IndexOf("no installed distributions", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return null;
                }

                if (Mentions(text, "not enabled", "not installed", "optional component"))
                {
                    throw NotInstalled(text);
                }

                if (Mentions(text, "invalid command line option"))
                {
                    throw Version2Unavailable(text);
                }

                throw new ContainerEngineException("WslCommandFailed", EngineErrorKind.OperationFailed,
                    $"'wsl.exe --list --verbose' failed (exit code {result.ExitCode}): {text}", distribution);
            }

            return WslText.ParseList(result.StandardOutput).FirstOrDefault(d => string.Equals(d.Name, distribution, StringComparison.OrdinalIgnoreCase));
        }

        private async Task<HostCommandResult> RunAsync(IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
        {
            try
            {
                return await _runner.RunAsync(new HostCommand(Wsl, arguments, input), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !(e is ContainerEngineException))
            {
                throw NotInstalled(e.Message, e);
            }
        }

        private async Task<string> GetRootFileSystemAsync(MachineDefinition definition, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            definition.ProviderSettings.TryGetValue(RootFileSystemSetting, out var source);
            definition.ProviderSettings.TryGetValue(RootFileSystemChecksumSetting, out var checksum);
            if (string.IsNullOrEmpty(source))
            {
                source = DefaultRootFileSystem;
                checksum = DefaultRootFileSystemSha256;
            }

            var expected = string.IsNullOrEmpty(checksum) ? null : Checksum.Parse(checksum!);
            var bytes = progress == null ? null : new Progress<DownloadProgress>(p =>
                progress.Report(p.TotalBytes is long total ? $"Downloading the root filesystem: {p.BytesReceived * 100 / Math.Max(1, total)}%" : $"Downloading the root filesystem: {p.BytesReceived} bytes"));
            return await _downloader.FetchAsync(source!, expected, _imageCache, bytes, cancellationToken).ConfigureAwait(false);
        }

        private int ChoosePort(MachineDefinition definition)
        {
            if (definition.ProviderSettings.TryGetValue(PortSetting, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var kept))
            {
                return kept;
            }

            // Start at a place given by the name, so machines made together rarely race for one port.
            var start = StableHash(definition.Name) % PortCount;
            for (var i = 0; i < PortCount; i++)
            {
                var port = FirstPort + ((start + i) % PortCount);
                if (IsPortFree(port))
                {
                    definition.ProviderSettings[PortSetting] = port.ToString(CultureInfo.InvariantCulture);
                    return port;
                }
            }

            throw new ContainerEngineException("WslNoFreePort", EngineErrorKind.Conflict,
                $"No loopback port is free in {FirstPort}-{FirstPort + PortCount - 1} for the engine of machine '{definition.Name}'. Remove machines you no longer use, or free a port.",
                definition.Name);
        }

        private static int StableHash(string text)
        {
            unchecked
            {
                var hash = 17;
                foreach (var c in text)
                {
                    hash = (hash * 31) + c;
                }

                return hash & 0x7fffffff;
            }
        }

        private static void CheckVersion(WslDistribution existing)
        {
            if (existing.Version != 2)
            {
                throw new ContainerEngineException("WslVersion1Distribution", EngineErrorKind.NotSupported,
                    $"The distribution '{existing.Name}' runs under WSL {existing.Version}; dockerd needs WSL 2. " +
                    $"Convert it with 'wsl.exe --set-version {existing.Name} 2', or remove the machine and create it again.", existing.Name);
            }
        }

        private static ContainerEngineException ImportFailed(string distribution, string message)
        {
            if (Mentions(message, "Virtual Machine Platform", "0x80370102", "WSL 2 requires an update", "HCS_E_HYPERV_NOT_INSTALLED", "invalid command line option", "kernel component"))
            {
                return Version2Unavailable(message);
            }

            return new ContainerEngineException("WslImportFailed", EngineErrorKind.OperationFailed,
                $"wsl.exe could not import the distribution '{distribution}': {message}", distribution);
        }

        private static ContainerEngineException Version2Unavailable(string message) =>
            new ContainerEngineException("WslVersion2Unavailable", EngineErrorKind.NotSupported,
                $"WSL 2 is not available on this computer (wsl.exe said: {message}). Run 'wsl.exe --install --no-distribution' and 'wsl.exe --update' as Administrator, " +
                "enable virtualization in the firmware if asked, restart, and try again.");

        private static ContainerEngineException NotInstalled(string message, Exception? inner = null) =>
            new ContainerEngineException("WslNotInstalled", EngineErrorKind.NotSupported,
                $"WSL is not available ({message}). Run 'wsl.exe --install --no-distribution' as Administrator, restart Windows, and try again.", Wsl, inner);

        private static bool Mentions(string text, params string[] needles) =>
            needles.Any(n => text.IndexOf(n, StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>What wsl.exe said, from either stream, repaired and on one line.</summary>
        private static string Message(HostCommandResult result)
        {
            var text = (WslText.Normalize(result.StandardError).Trim() + " " + WslText.Normalize(result.StandardOutput).Trim()).Trim();
            text = Regex.Replace(text, @"\s+", " ");
            return text.Length == 0 ? $"exit code {result.ExitCode}" : text;
        }

        private static string ReadTls(MachineContext context, string file)
        {
            var path = Path.Combine(context.TlsFolder, file);
            if (!File.Exists(path))
            {
                throw new ContainerEngineException("MachineTlsFileMissing", EngineErrorKind.NotFound,
                    $"The machine's TLS file '{path}' is missing. Remove the machine and create it again.", path);
            }

            // Line ends as Linux expects them, whatever wrote the file.
            return File.ReadAllText(path).Replace("\r\n", "\n");
        }

        private static string InstallFolder(MachineContext context) => Path.Combine(context.MachineFolder, "wsl");

        private int PlanAddress(MachineDefinition definition)
        {
            var port = ChoosePort(definition);
            AddCertificateName(definition, "localhost");
            AddCertificateName(definition, "127.0.0.1");
            definition.EngineAddress = "tcp://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
            return port;
        }

        private static void AddCertificateName(MachineDefinition definition, string name)
        {
            if (!definition.CertificateNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                definition.CertificateNames.Add(name);
            }
        }

        private static bool DefaultIsWslInstalled()
        {
            var windows = Environment.GetEnvironmentVariable("SystemRoot") ?? @"C:\Windows";

            // A 32-bit process sees SysWOW64 as System32, where wsl.exe is not; Sysnative is the real one.
            return File.Exists(Path.Combine(windows, "System32", "wsl.exe")) || File.Exists(Path.Combine(windows, "Sysnative", "wsl.exe"));
        }

        private static bool DefaultIsPortFree(int port)
        {
            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
