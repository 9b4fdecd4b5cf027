using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Machines.Local
{
    /// <summary>
    /// A dockerd on this Linux host, run by the module: detached (setsid) so it outlives PowerShell, with its own data
    /// root (in the machine's folder, so data survives a stop), exec root, pidfile and unix socket (under
    /// /run/containertools/&lt;id&gt;, short enough for socket paths), and a TLS listener that verifies clients.
    /// Isolated machines run in a network namespace of their own with an address on our bridge (ctm0, 10.231.0.0/24),
    /// so several form a multi-node lab ('--bridge none' inside); the others listen on 127.0.0.1 at a free port, with a
    /// bridge of their own (never docker0, which the host's engine owns). Every daemon and takes networks from 10.232.128.0/17 (never 172.17/16);
    /// the ones in the host's namespace also leave iptables alone.
    /// </summary>
    public sealed class LocalMachineProvider : IMachineProvider, IMachineAddressPlanner
    {
        public const string IsolatedSetting = "Isolated";
        public const string AddressSetting = "Address";
        public const string PortSetting = "Port";
        public const string IdSetting = "Id";
        public const string BridgeSubnetSetting = "BridgeSubnet";
        public const string BridgeName = "ctm0";
        public const string BridgeAddress = "10.231.0.1";
        private const string SubnetPrefix = "10.231.0.";

        /// <summary>Machines in the host's namespace get a bridge of their own (10.232.1-127.0/24); networks made on any machine come from the upper half.</summary>
        private const string HostBridgePrefix = "10.232.";
        private const string AddressPools = "base=10.232.128.0/17,size=24";
        private const int TlsPort = 2376;
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

        private readonly IHostCommandRunner _runner;

        public LocalMachineProvider(IHostCommandRunner runner)
        {
            _runner = runner;
        }

        public MachineProviderKind Kind => MachineProviderKind.Local;

        /// <summary>Where a machine's runtime files live (exec root, socket, pidfile): short paths, gone at reboot like the daemon.</summary>
        public static string RunFolder(MachineDefinition definition) => "/run/containertools/" + Id(definition);

        public static string NamespaceName(MachineDefinition definition) => "ctm-" + Id(definition);

        /// <summary>An isolated machine's host name: its name as a host name allows it (lower case, '_' as '-').</summary>
        public static string HostName(MachineDefinition definition) => definition.Name.ToLowerInvariant().Replace('_', '-');

        public static string SocketPath(MachineDefinition definition) => RunFolder(definition) + "/docker.sock";

        public static bool IsIsolated(MachineDefinition definition) =>
            definition.ProviderSettings.TryGetValue(IsolatedSetting, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>The machine's address on our bridge (isolated machines), else null.</summary>
        public static string? Address(MachineDefinition definition) =>
            definition.ProviderSettings.TryGetValue(AddressSetting, out var value) ? value : null;

        public string? UnavailableReason()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return "the Local provider runs dockerd on Linux hosts only; on Windows use -Provider Wsl or HyperV.";
            }

            if (geteuid() != 0)
            {
                return "the Local provider must run as root (dockerd needs it): start PowerShell with sudo.";
            }

            if (FindOnPath("dockerd") == null)
            {
                return "dockerd is not installed: install the docker.io (Debian, Ubuntu) or docker-ce package.";
            }

            return null;
        }

        public async Task PlanAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            if (!definition.ProviderSettings.ContainsKey(IdSetting))
            {
                definition.ProviderSettings[IdSetting] = NewId(context.MachineFolder);
            }

            if (IsIsolated(definition))
            {
                var address = Address(definition);
                if (address == null)
                {
                    address = await AllocateAddressAsync(Path.GetDirectoryName(context.MachineFolder)!, cancellationToken).ConfigureAwait(false);
                    definition.ProviderSettings[AddressSetting] = address;
                }

                definition.EngineAddress = $"tcp://{address}:{TlsPort}";
                AddName(definition, address);
            }
            else
            {
                if (!definition.ProviderSettings.ContainsKey(PortSetting))
                {
                    definition.ProviderSettings[PortSetting] = FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
                }

                if (!definition.ProviderSettings.ContainsKey(BridgeSubnetSetting))
                {
                    definition.ProviderSettings[BridgeSubnetSetting] = await AllocateHostBridgeSubnetAsync(Path.GetDirectoryName(context.MachineFolder)!, cancellationToken).ConfigureAwait(false);
                }

                definition.EngineAddress = $"tcp://127.0.0.1:{definition.ProviderSettings[PortSetting]}";
            }

            AddName(definition, "localhost");
            AddName(definition, "127.0.0.1");
            AddName(definition, definition.Name);
        }

        public async Task CreateAsync(MachineContext context, CancellationToken cancellationToken)
        {
            if (!context.Definition.ProviderSettings.ContainsKey(IdSetting) || context.Definition.EngineAddress == null)
            {
                await PlanAsync(context, cancellationToken).ConfigureAwait(false);
            }

            Directory.CreateDirectory(Path.Combine(context.MachineFolder, "data"));
            await StartAsync(context, cancellationToken).ConfigureAwait(false);
        }

        public async Task StartAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            if (ReadLivePid(definition) is int running)
            {
                context.Progress?.Report($"dockerd is already running (pid {running}); waiting for it to answer");
                await WaitUntilReadyAsync(context, running, cancellationToken).ConfigureAwait(false);
                return;
            }

            Directory.CreateDirectory(RunFolder(definition));
            if (IsIsolated(definition))
            {
                context.Progress?.Report($"Setting up network namespace {NamespaceName(definition)} with address {Address(definition)} on bridge {BridgeName}");
                await EnsureNetworkAsync(definition, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await EnsureHostBridgeAsync(definition, cancellationToken).ConfigureAwait(false);
                // dockerd 20.10, started again on a network store that holds its default bridge network, deletes the
                // host's docker0 on its way up (checked here: the host's own engine then cannot start containers).
                // A daemon in the host's namespace therefore starts with a fresh network store: its networks do not
                // outlive a restart; containers, images and volumes do.
                var networkStore = Path.Combine(context.MachineFolder, "data", "network", "files", "local-kv.db");
                if (File.Exists(networkStore))
                {
                    File.Delete(networkStore);
                }
            }

            File.Delete(PidFile(definition));
            context.Progress?.Report("Starting dockerd");
            var log = Path.Combine(context.MachineFolder, "dockerd.log");
            // setsid -f: the daemon leads a session of its own and is nobody's child, so it outlives this process.
            // The one shell is a fixed script that only redirects; every argument reaches dockerd as its own word.
            var arguments = new List<string> { "-f", "/bin/sh", "-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null", "sh", log };
            if (IsIsolated(definition))
            {
                // nsenter, not 'ip netns exec': the latter remounts /sys and hides the cgroups from dockerd.
                arguments.Add(FindOnPath("nsenter") ?? "nsenter");
                arguments.Add("--net=/var/run/netns/" + NamespaceName(definition));
                // A host name of its own (a UTS namespace of its own), as a VM has: swarm nodes and their tasks then tell
                // machines apart instead of all carrying the host's name.
                arguments.AddRange(new[]
                {
                    FindOnPath("unshare") ?? "unshare", "--uts", "/bin/sh", "-c", "printf %s \"$1\" >/proc/sys/kernel/hostname && shift && exec \"$@\"", "sh", HostName(definition),
                });
            }

            arguments.Add(FindOnPath("dockerd") ?? "dockerd");
            arguments.AddRange(DaemonArguments(context));
            await _runner.RunCheckedAsync("MachineStartFailed", new HostCommand("setsid", arguments), cancellationToken).ConfigureAwait(false);
            context.Progress?.Report("Waiting for dockerd to answer");
            try
            {
                await WaitUntilReadyAsync(context, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ContainerEngineException || e is OperationCanceledException)
            {
                // A daemon that did not come up (or whose start was cancelled) is not left running half-started.
                await StopAsync(context, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>The daemon's command line (after the dockerd program name).</summary>
        public static IReadOnlyList<string> DaemonArguments(MachineContext context)
        {
            var definition = context.Definition;
            var tls = context.TlsFolder;
            var listen = IsIsolated(definition)
                ? $"tcp://{Address(definition)}:{TlsPort}"
                : $"tcp://127.0.0.1:{definition.ProviderSettings[PortSetting]}";
            var arguments = new List<string>
            {
                "--data-root", Path.Combine(context.MachineFolder, "data"),
                "--exec-root", RunFolder(definition) + "/exec",
                "--pidfile", PidFile(definition),
                "-H", "unix://" + SocketPath(definition),
                "-H", listen,
                "--tlsverify",
                "--tlscacert", Path.Combine(tls, MachinePki.CaFile),
                "--tlscert", Path.Combine(tls, MachinePki.ServerCertificateFile),
                "--tlskey", Path.Combine(tls, MachinePki.ServerKeyFile),
                // Networks users make on the machine: never 172.17-31/16, which the host's own engine uses.
                "--default-address-pool", AddressPools,
            };
            if (IsIsolated(definition))
            {
                arguments.Add("--bridge");
                arguments.Add("none");
            }
            else
            {
                // Never docker0, and never '--bridge none' in the host's namespace: dockerd then deletes the host's docker0,
                // which the host's own engine needs. A bridge of the machine's own instead; iptables (the host engine's
                // chains) left alone; published ports on loopback.
                arguments.Add("--bridge");
                arguments.Add(HostBridge(definition));
                arguments.Add("--iptables=false");
                arguments.Add("--ip");
                arguments.Add("127.0.0.1");
            }

            return arguments;
        }

        public async Task StopAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            var pid = ReadLivePid(definition);
            if (pid == null)
            {
                return;
            }

            context.Progress?.Report($"Stopping dockerd (pid {pid})");
            await _runner.RunAsync(cancellationToken, "kill", "-TERM", pid.Value.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            var deadline = DateTime.UtcNow + StopTimeout;
            while (IsAlive(pid.Value) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            if (IsAlive(pid.Value))
            {
                context.Progress?.Report($"dockerd did not stop within {StopTimeout.TotalSeconds:0} s: killing it");
                await _runner.RunAsync(cancellationToken, "kill", "-KILL", pid.Value.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                for (var i = 0; i < 50 && IsAlive(pid.Value); i++)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Delete(PidFile(definition));
        }

        public async Task RemoveAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            if (definition.ProviderSettings.ContainsKey(IdSetting))
            {
                await StopAsync(context, cancellationToken).ConfigureAwait(false);
                // A daemon killed hard (or an old one) leaves mounts under its roots; the folders cannot go before them.
                await UnmountUnderAsync(new[] { Path.Combine(context.MachineFolder, "data"), RunFolder(definition) }, cancellationToken).ConfigureAwait(false);
                if (IsIsolated(definition))
                {
                    context.Progress?.Report($"Removing network namespace {NamespaceName(definition)}");
                    await RemoveNetworkAsync(definition, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _runner.RunAsync(cancellationToken, "ip", "link", "del", HostBridge(definition)).ConfigureAwait(false);
                }

                if (Directory.Exists(RunFolder(definition)))
                {
                    Directory.Delete(RunFolder(definition), recursive: true);
                }

                var runRoot = Path.GetDirectoryName(RunFolder(definition))!;
                if (Directory.Exists(runRoot) && Directory.GetFileSystemEntries(runRoot).Length == 0)
                {
                    Directory.Delete(runRoot);
                }
            }

            var data = Path.Combine(context.MachineFolder, "data");
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }

        public async Task<MachineState> GetStateAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var pid = ReadLivePid(context.Definition);
            if (pid == null)
            {
                return MachineState.Stopped;
            }

            return await PingAsync(context.Definition, cancellationToken).ConfigureAwait(false) ? MachineState.Running : MachineState.Starting;
        }

        private async Task WaitUntilReadyAsync(MachineContext context, int? knownPid, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            var deadline = DateTime.UtcNow + StartTimeout;
            var startedAt = DateTime.UtcNow;
            while (true)
            {
                var pid = knownPid ?? ReadLivePid(definition);
                if (pid != null && await PingAsync(definition, cancellationToken).ConfigureAwait(false)
                    && await ListenerAcceptsAsync(definition, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                // Before the pidfile is written, the process is still coming up; after a few seconds without one it failed.
                var gaveUp = pid == null && DateTime.UtcNow - startedAt > TimeSpan.FromSeconds(5) && !File.Exists(PidFile(definition));
                if (gaveUp || (pid != null && !IsAlive(pid.Value)) || DateTime.UtcNow > deadline)
                {
                    throw new ContainerEngineException("MachineStartFailed", EngineErrorKind.OperationFailed,
                        $"The engine of machine '{definition.Name}' did not come up. The end of its log ({Path.Combine(context.MachineFolder, "dockerd.log")}):\n{LogTail(context)}",
                        definition.Name);
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        private static async Task<bool> PingAsync(MachineDefinition definition, CancellationToken cancellationToken)
        {
            if (!File.Exists(SocketPath(definition)))
            {
                return false;
            }

            var connection = new ContainerEngineConnection(new EngineEndpoint("unix://" + SocketPath(definition), EndpointSource.Parameter));
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await connection.ConnectAsync(timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is ContainerEngineException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return false;
            }
            finally
            {
                connection.Reset();
            }
        }

        /// <summary>
        /// The TCP listener clients use accepts a connection: the unix socket answering does not prove the address is
        /// reachable yet (a fresh veth, a just-reused address), and the first cmdlet after New-ContainerMachine would wait.
        /// </summary>
        private static async Task<bool> ListenerAcceptsAsync(MachineDefinition definition, CancellationToken cancellationToken)
        {
            var host = IsIsolated(definition) ? Address(definition)! : "127.0.0.1";
            var port = IsIsolated(definition) ? TlsPort : int.Parse(definition.ProviderSettings[PortSetting], CultureInfo.InvariantCulture);
            using var client = new TcpClient();
            var connect = client.ConnectAsync(host, port);
            // A connect given up on still ends (faulted, once the client is disposed): observe it.
            _ = connect.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (await Task.WhenAny(connect, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken)).ConfigureAwait(false) != connect)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return false;
            }

            return connect.Status == TaskStatus.RanToCompletion;
        }

        private static string LogTail(MachineContext context)
        {
            var log = Path.Combine(context.MachineFolder, "dockerd.log");
            if (!File.Exists(log))
            {
                return "(no log was written)";
            }

            var lines = File.ReadAllLines(log);
            return string.Join("\n", lines.Skip(Math.Max(0, lines.Length - 15)));
        }

        // --- the daemon process -------------------------------------------------------------------------------

        private static string PidFile(MachineDefinition definition) => RunFolder(definition) + "/docker.pid";

        /// <summary>The pid in the pidfile when that process is alive and is this machine's dockerd (not a reused pid).</summary>
        internal static int? ReadLivePid(MachineDefinition definition)
        {
            var pidFile = PidFile(definition);
            if (!definition.ProviderSettings.ContainsKey(IdSetting) || !File.Exists(pidFile))
            {
                return null;
            }

            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || !IsAlive(pid))
            {
                return null;
            }

            try
            {
                var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
                return commandLine.Contains(pidFile) ? pid : (int?)null;
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>Alive, and not a zombie waiting for a parent to reap it.</summary>
        private static bool IsAlive(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var afterName = stat.Substring(stat.LastIndexOf(')') + 1).TrimStart();
                return afterName.Length > 0 && afterName[0] != 'Z' && afterName[0] != 'X';
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        private async Task UnmountUnderAsync(IEnumerable<string> roots, CancellationToken cancellationToken)
        {
            var prefixes = roots.Select(r => r.TrimEnd('/')).ToList();
            var mountPoints = new List<string>();
            foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
            {
                var fields = line.Split(' ');
                if (fields.Length > 4)
                {
                    var point = fields[4].Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
                    if (prefixes.Any(p => point == p || point.StartsWith(p + "/", StringComparison.Ordinal)))
                    {
                        mountPoints.Add(point);
                    }
                }
            }

            // Deepest first, so a mount is never hidden under another one.
            foreach (var point in mountPoints.Distinct().OrderByDescending(p => p.Length))
            {
                var result = await _runner.RunAsync(cancellationToken, "umount", point).ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    await _runner.RunAsync(cancellationToken, "umount", "-l", point).ConfigureAwait(false);
                }
            }
        }

        // --- the network namespace, veth pair and bridge --------------------------------------------------------

        private async Task EnsureNetworkAsync(MachineDefinition definition, CancellationToken cancellationToken)
        {
            var ns = NamespaceName(definition);
            var hostSide = HostInterface(definition);
            var address = Address(definition) ?? throw new InvalidOperationException("An isolated machine has no address.");
            if ((await _runner.RunAsync(cancellationToken, "ip", "link", "show", BridgeName).ConfigureAwait(false)).ExitCode != 0)
            {
                await Ip(cancellationToken, "link", "add", BridgeName, "type", "bridge").ConfigureAwait(false);
                await Ip(cancellationToken, "addr", "add", BridgeAddress + "/24", "dev", BridgeName).ConfigureAwait(false);
            }

            await Ip(cancellationToken, "link", "set", BridgeName, "up").ConfigureAwait(false);
            await EnsureBridgeRulesAsync(cancellationToken).ConfigureAwait(false);

            if (!(await NamespacesAsync(cancellationToken).ConfigureAwait(false)).Contains(ns))
            {
                await Ip(cancellationToken, "netns", "add", ns).ConfigureAwait(false);
            }

            if ((await _runner.RunAsync(cancellationToken, "ip", "-n", ns, "link", "show", "eth0").ConfigureAwait(false)).ExitCode != 0)
            {
                var peer = "ctmp" + Id(definition).Substring(0, 8);
                await _runner.RunAsync(cancellationToken, "ip", "link", "del", hostSide).ConfigureAwait(false);
                await Ip(cancellationToken, "link", "add", hostSide, "type", "veth", "peer", "name", peer).ConfigureAwait(false);
                await Ip(cancellationToken, "link", "set", peer, "netns", ns).ConfigureAwait(false);
                await Ip(cancellationToken, "-n", ns, "link", "set", peer, "name", "eth0").ConfigureAwait(false);
                await Ip(cancellationToken, "-n", ns, "addr", "add", address + "/24", "dev", "eth0").ConfigureAwait(false);
                await Ip(cancellationToken, "-n", ns, "link", "set", "eth0", "up").ConfigureAwait(false);
                await Ip(cancellationToken, "-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
                await Ip(cancellationToken, "-n", ns, "route", "add", "default", "via", BridgeAddress).ConfigureAwait(false);
            }

            // Again each time: a bridge made anew (after the last machine left it) does not know the old port.
            await Ip(cancellationToken, "link", "set", hostSide, "master", BridgeName).ConfigureAwait(false);
            await Ip(cancellationToken, "link", "set", hostSide, "up").ConfigureAwait(false);
            await ForgetNeighbourAsync(address, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Forgets the link-layer address the host and the other machines last saw at an address. A machine made right
        /// after another one left takes the same address with a new veth: a remembered entry would send its first
        /// connections to the old one for up to half a minute.
        /// </summary>
        private async Task ForgetNeighbourAsync(string address, CancellationToken cancellationToken)
        {
            await _runner.RunAsync(cancellationToken, "ip", "neigh", "flush", "to", address).ConfigureAwait(false);
            foreach (var ns in await NamespacesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (ns.StartsWith("ctm-", StringComparison.Ordinal))
                {
                    await _runner.RunAsync(cancellationToken, "ip", "-n", ns, "neigh", "flush", "to", address).ConfigureAwait(false);
                }
            }
        }

        /// <summary>The bridge of a machine in the host's namespace (dockerd needs it to exist, with its address, before it starts).</summary>
        private async Task EnsureHostBridgeAsync(MachineDefinition definition, CancellationToken cancellationToken)
        {
            var bridge = HostBridge(definition);
            if ((await _runner.RunAsync(cancellationToken, "ip", "link", "show", bridge).ConfigureAwait(false)).ExitCode != 0)
            {
                var subnet = definition.ProviderSettings[BridgeSubnetSetting];
                await Ip(cancellationToken, "link", "add", bridge, "type", "bridge").ConfigureAwait(false);
                await Ip(cancellationToken, "addr", "add", subnet.Replace(".0/24", ".1/24"), "dev", bridge).ConfigureAwait(false);
            }

            await Ip(cancellationToken, "link", "set", bridge, "up").ConfigureAwait(false);
        }

        private async Task<string> AllocateHostBridgeSubnetAsync(string storeRoot, CancellationToken cancellationToken)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            var addresses = await _runner.RunAsync(cancellationToken, "ip", "-o", "-4", "addr", "show").ConfigureAwait(false);
            foreach (var word in addresses.StandardOutput.Split(new[] { ' ', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.StartsWith(HostBridgePrefix, StringComparison.Ordinal))
                {
                    used.Add(string.Join(".", word.Split('/')[0].Split('.').Take(3)) + ".0/24");
                }
            }

            foreach (var machine in new MachineStore(storeRoot).List())
            {
                if (machine.ProviderSettings.TryGetValue(BridgeSubnetSetting, out var taken))
                {
                    used.Add(taken);
                }
            }

            for (var k = 1; k < 128; k++)
            {
                var candidate = HostBridgePrefix + k.ToString(CultureInfo.InvariantCulture) + ".0/24";
                if (!used.Contains(candidate))
                {
                    return candidate;
                }
            }

            throw new ContainerEngineException("MachineAddressesExhausted", EngineErrorKind.Conflict,
                "Every bridge subnet of 10.232.1-127.0/24 is taken. Remove Local machines you no longer need.");
        }

        private async Task RemoveNetworkAsync(MachineDefinition definition, CancellationToken cancellationToken)
        {
            var ns = NamespaceName(definition);
            if ((await NamespacesAsync(cancellationToken).ConfigureAwait(false)).Contains(ns))
            {
                // Deleting the namespace deletes its end of the veth pair, and with it ours.
                await Ip(cancellationToken, "netns", "del", ns).ConfigureAwait(false);
            }

            await _runner.RunAsync(cancellationToken, "ip", "link", "del", HostInterface(definition)).ConfigureAwait(false);
            if (Address(definition) is string address)
            {
                await ForgetNeighbourAsync(address, cancellationToken).ConfigureAwait(false);
            }

            await RemoveBridgeIfUnusedAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Removes our bridge and its FORWARD rule when no machine's veth is on it any more.</summary>
        private async Task RemoveBridgeIfUnusedAsync(CancellationToken cancellationToken)
        {
            var bridge = await _runner.RunAsync(cancellationToken, "ip", "link", "show", BridgeName).ConfigureAwait(false);
            if (bridge.ExitCode == 0)
            {
                var ports = await _runner.RunAsync(cancellationToken, "ip", "-o", "link", "show", "master", BridgeName).ConfigureAwait(false);
                if (ports.ExitCode != 0 || ports.StandardOutput.Trim().Length > 0)
                {
                    return;
                }

                await Ip(cancellationToken, "link", "del", BridgeName).ConfigureAwait(false);
            }

            foreach (var rule in BridgeRules)
            {
                for (var i = 0; i < 10; i++)
                {
                    if ((await _runner.RunAsync(cancellationToken, "iptables", rule.Command("-C")).ConfigureAwait(false)).ExitCode != 0)
                    {
                        break;
                    }

                    await _runner.RunAsync(cancellationToken, "iptables", rule.Command("-D")).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// The host's iptables rules our bridge needs, all naming ctm0 or its subnet only (the host engine's rules are never
        /// touched). dockerd sets the FORWARD policy to DROP: traffic between machines crosses the bridge, and traffic out of
        /// it (pulls, DNS) is forwarded and masqueraded like a container's on docker0, so an isolated machine reaches what
        /// its host reaches (and a pull that cannot succeed fails at once instead of waiting for a DNS timeout).
        /// </summary>
        internal static readonly IReadOnlyList<BridgeRule> BridgeRules = new[]
        {
            new BridgeRule("filter", "FORWARD", "-i", BridgeName, "-o", BridgeName, "-j", "ACCEPT"),
            new BridgeRule("filter", "FORWARD", "-i", BridgeName, "!", "-o", BridgeName, "-j", "ACCEPT"),
            new BridgeRule("filter", "FORWARD", "-o", BridgeName, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
            new BridgeRule("nat", "POSTROUTING", "-s", SubnetPrefix + "0/24", "!", "-o", BridgeName, "-j", "MASQUERADE"),
        };

        internal sealed class BridgeRule
        {
            private readonly string _table;
            private readonly string _chain;
            private readonly string[] _match;

            public BridgeRule(string table, string chain, params string[] match)
            {
                _table = table;
                _chain = chain;
                _match = match;
            }

            /// <summary>iptables arguments to check (-C), insert (-I) or delete (-D) the rule.</summary>
            public string[] Command(string action) => new[] { "-t", _table, action, _chain }.Concat(_match).ToArray();

            public override string ToString() => string.Join(" ", Command("-A"));
        }

        private async Task EnsureBridgeRulesAsync(CancellationToken cancellationToken)
        {
            foreach (var rule in BridgeRules)
            {
                if ((await _runner.RunAsync(cancellationToken, "iptables", rule.Command("-C")).ConfigureAwait(false)).ExitCode != 0)
                {
                    await _runner.RunCheckedAsync("MachineNetworkFailed", new HostCommand("iptables", rule.Command("-I")), cancellationToken).ConfigureAwait(false);
                }
            }

            // Forwarding is what dockerd turns on for its own bridge; a host without a running dockerd may have it off.
            const string forwarding = "/proc/sys/net/ipv4/ip_forward";
            if (File.Exists(forwarding) && File.ReadAllText(forwarding).Trim() != "1")
            {
                File.WriteAllText(forwarding, "1\n");
            }
        }

        private async Task<string> AllocateAddressAsync(string storeRoot, CancellationToken cancellationToken)
        {
            // Used: what any of our namespaces holds now (machines of every store on this host share the bridge).
            var used = new HashSet<string>(StringComparer.Ordinal) { BridgeAddress };
            foreach (var ns in await NamespacesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!ns.StartsWith("ctm-", StringComparison.Ordinal))
                {
                    continue;
                }

                var addresses = await _runner.RunAsync(cancellationToken, "ip", "-n", ns, "-o", "-4", "addr", "show").ConfigureAwait(false);
                foreach (var word in addresses.StandardOutput.Split(new[] { ' ', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    if (word.StartsWith(SubnetPrefix, StringComparison.Ordinal))
                    {
                        used.Add(word.Split('/')[0]);
                    }
                }
            }

            // And what machines of the current store were given (a stopped machine's namespace may be gone after a reboot).
            foreach (var machine in new MachineStore(storeRoot).List())
            {
                if (Address(machine) is string taken)
                {
                    used.Add(taken);
                }
            }

            for (var host = 2; host < 255; host++)
            {
                var candidate = SubnetPrefix + host.ToString(CultureInfo.InvariantCulture);
                if (!used.Contains(candidate))
                {
                    return candidate;
                }
            }

            throw new ContainerEngineException("MachineAddressesExhausted", EngineErrorKind.Conflict,
                $"Every address of {SubnetPrefix}0/24 on bridge {BridgeName} is taken. Remove isolated machines you no longer need.");
        }

        private async Task<HashSet<string>> NamespacesAsync(CancellationToken cancellationToken)
        {
            var result = await _runner.RunAsync(cancellationToken, "ip", "netns", "list").ConfigureAwait(false);
            // Lines look like "ctm-abc (id: 3)" or just "ctm-abc".
            return new HashSet<string>(result.StandardOutput.Split('\n').Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0), StringComparer.Ordinal);
        }

        private Task<HostCommandResult> Ip(CancellationToken cancellationToken, params string[] arguments) =>
            _runner.RunCheckedAsync("MachineNetworkFailed", new HostCommand("ip", arguments), cancellationToken);

        // --- names --------------------------------------------------------------------------------------------

        private static string Id(MachineDefinition definition) =>
            definition.ProviderSettings.TryGetValue(IdSetting, out var id) ? id : throw new InvalidOperationException($"Machine '{definition.Name}' has no Local id yet.");

        /// <summary>The bridge of a machine in the host's namespace.</summary>
        public static string HostBridge(MachineDefinition definition) => "ctmb" + Id(definition).Substring(0, 8);

        private static string HostInterface(MachineDefinition definition) => "ctmv" + Id(definition).Substring(0, 8);

        /// <summary>Unique per machine folder and creation (a machine made again after removal gets a new one).</summary>
        private static string NewId(string machineFolder)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(machineFolder + "|" + Guid.NewGuid().ToString("N")));
            return string.Concat(hash.Take(5).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }

        private static void AddName(MachineDefinition definition, string name)
        {
            if (!definition.CertificateNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                definition.CertificateNames.Add(name);
            }
        }

        private static int FreeLoopbackPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                return ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            finally
            {
                listener.Stop();
            }
        }

        internal static string? FindOnPath(string program)
        {
            foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }))
            {
                if (folder.Length > 0 && File.Exists(Path.Combine(folder, program)))
                {
                    return Path.Combine(folder, program);
                }
            }

            return null;
        }

        [DllImport("libc")]
        private static extern uint geteuid();
    }
}
