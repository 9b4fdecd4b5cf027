using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Machines.Download;

namespace ContainerTools.Engine.Machines.HyperV
{
    /// <summary>
    /// A Generation 2 Hyper-V VM booted from a cloud image (Debian 12 genericcloud by default), configured on first
    /// boot by a cloud-init NoCloud seed ISO, with dockerd listening with TLS on 2376. Every Hyper-V step is a
    /// powershell.exe script run through the host runner; values enter scripts only as single-quoted literals.
    /// </summary>
    public sealed class HyperVProvider : IMachineProvider, IMachineAddressPlanner
    {
        /// <summary>Debian 12 (bookworm) genericcloud amd64, the dated build 20250528-2126, as a raw disk (UEFI, cloud kernel with Hyper-V drivers).</summary>
        public const string DefaultImage = "https://cloud.debian.org/images/cloud/bookworm/20250528-2126/debian-12-genericcloud-amd64-20250528-2126.raw";

        /// <summary>Debian's checksum list of that dated (never changing) build: the default image's SHA-512 is read from it.</summary>
        public const string DefaultImageChecksumList = "https://cloud.debian.org/images/cloud/bookworm/20250528-2126/SHA512SUMS";

        /// <summary>ProviderSettings keys.</summary>
        public const string VMNameSetting = "VMName";
        public const string SwitchSetting = "Switch";
        public const string ImageSetting = "Image";
        public const string ImageChecksumSetting = "ImageChecksum";
        public const string InstanceIdSetting = "InstanceId";
        public const string IPAddressSetting = "IPAddress";

        public const string DefaultSwitch = "Default Switch";
        internal const string PowerShell = "powershell.exe";

        private const long GiB = 1L << 30;

        private readonly IHostCommandRunner _runner;
        private readonly ImageDownloader _downloader;
        private readonly string _imageCache;

        public HyperVProvider(IHostCommandRunner runner, ImageDownloader? downloader = null, string? imageCacheFolder = null)
        {
            _runner = runner ?? throw new ArgumentNullException(nameof(runner));
            _downloader = downloader ?? new ImageDownloader();
            _imageCache = imageCacheFolder ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ContainerTools", "images");
        }

        public MachineProviderKind Kind => MachineProviderKind.HyperV;

        /// <summary>How long to wait for the VM to report an address, and for dockerd (installed on first boot) to listen.</summary>
        public TimeSpan AddressTimeout { get; set; } = TimeSpan.FromMinutes(5);

        public TimeSpan EngineTimeout { get; set; } = TimeSpan.FromMinutes(10);

        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(3);

        /// <summary>Test seams.</summary>
        internal bool IsWindows { get; set; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        internal Func<bool> IsHyperVModulePresent { get; set; } = DefaultIsHyperVModulePresent;

        internal Func<string, int, CancellationToken, Task<bool>> IsPortOpen { get; set; } = DefaultIsPortOpenAsync;

        public string? UnavailableReason()
        {
            if (!IsWindows)
            {
                return "The HyperV provider needs Windows 10/11 Pro, Enterprise or Education, or Windows Server, with Hyper-V enabled; this host runs " +
                       RuntimeInformation.OSDescription.Trim() + ". On Linux use the Local provider.";
            }

            if (!IsHyperVModulePresent())
            {
                return HyperVNotEnabledMessage;
            }

            return null;
        }

        /// <summary>The names the server certificate needs are known before the VM exists: its host name, and on the Default Switch its mshome.net name.</summary>
        public Task PlanAsync(MachineContext context, CancellationToken cancellationToken)
        {
            PlanCertificateNames(context.Definition);
            return Task.CompletedTask;
        }

        public async Task CreateAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            var vm = VMName(definition);
            var hostname = CloudInitSeed.Hostname(vm);
            var switchName = SwitchName(definition);
            PlanCertificateNames(definition);

            if (!definition.ProviderSettings.ContainsKey(InstanceIdSetting))
            {
                definition.ProviderSettings[InstanceIdSetting] = vm + "-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            }

            // Read before anything is made: a missing TLS file stops here.
            var userData = CloudInitSeed.UserData(hostname, ReadTls(context, "ca.pem"), ReadTls(context, "server-cert.pem"), ReadTls(context, "server-key.pem"));
            var metaData = CloudInitSeed.MetaData(definition.ProviderSettings[InstanceIdSetting], hostname);

            var state = await QueryStateAsync(vm, cancellationToken).ConfigureAwait(false);
            if (state == null)
            {
                var folder = Folder(context);
                Directory.CreateDirectory(folder);
                var vhdx = Path.Combine(folder, "disk.vhdx");
                if (!File.Exists(vhdx))
                {
                    await PrepareDiskAsync(context, folder, cancellationToken).ConfigureAwait(false);
                }

                var seed = Path.Combine(folder, "seed.iso");
                File.WriteAllBytes(seed, CloudInitSeed.BuildIso(userData, metaData, DateTime.UtcNow));

                context.Progress?.Report($"Creating the Hyper-V VM '{vm}'");
                await RunScriptAsync(CreateVMScript(vm, definition, switchName, folder, vhdx, seed), vm, cancellationToken).ConfigureAwait(false);
            }

            await StartAndConnectAsync(context, vm, switchName, hostname, cancellationToken).ConfigureAwait(false);
        }

        public async Task StartAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            var vm = VMName(definition);
            var state = await QueryStateAsync(vm, cancellationToken).ConfigureAwait(false);
            if (state == null)
            {
                if (!definition.CreationComplete)
                {
                    await CreateAsync(context, cancellationToken).ConfigureAwait(false);
                    return;
                }

                throw new ContainerEngineException("HyperVMachineMissing", EngineErrorKind.NotFound,
                    $"The Hyper-V VM '{vm}' of machine '{definition.Name}' no longer exists (it was removed outside ContainerTools). " +
                    "Remove the machine with Remove-ContainerMachine and create it again.", definition.Name);
            }

            await StartAndConnectAsync(context, vm, SwitchName(definition), CloudInitSeed.Hostname(vm), cancellationToken).ConfigureAwait(false);
        }

        public async Task StopAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var vm = VMName(context.Definition);
            var state = await QueryStateAsync(vm, cancellationToken).ConfigureAwait(false);
            if (state == null || state == "Off" || state == "Saved")
            {
                return;
            }

            context.Progress?.Report($"Shutting down the Hyper-V VM '{vm}'");

            // A clean shutdown through the guest's shutdown service; -Force: no confirmation prompt, in a script nobody answers.
            await RunScriptAsync($"Stop-VM -Name {PowerShellScript.Literal(vm)} -Force\n", vm, cancellationToken).ConfigureAwait(false);
        }

        public async Task RemoveAsync(MachineContext context, CancellationToken cancellationToken)
        {
            var vm = VMName(context.Definition);
            var state = await QueryStateAsync(vm, cancellationToken).ConfigureAwait(false);
            if (state != null)
            {
                if (state != "Off")
                {
                    // It is going away: no need to wait for a clean shutdown.
                    await RunScriptAsync($"Stop-VM -Name {PowerShellScript.Literal(vm)} -TurnOff -Force\n", vm, cancellationToken).ConfigureAwait(false);
                }

                await RunScriptAsync($"Remove-VM -Name {PowerShellScript.Literal(vm)} -Force\n", vm, cancellationToken).ConfigureAwait(false);
            }

            // Remove-VM leaves the disks: the VHDX, the seed and the VM's own files all live in this folder.
            var folder = Folder(context);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        public async Task<MachineState> GetStateAsync(MachineContext context, CancellationToken cancellationToken)
        {
            string? state;
            try
            {
                state = await QueryStateAsync(VMName(context.Definition), cancellationToken).ConfigureAwait(false);
            }
            catch (ContainerEngineException)
            {
                return MachineState.Unknown;
            }

            if (!context.Definition.CreationComplete)
            {
                return MachineState.Incomplete;
            }

            switch (state)
            {
                case "Running":
                    return MachineState.Running;
                case "Off":
                case "Saved":
                    return MachineState.Stopped;
                case "Starting":
                case "Resuming":
                    return MachineState.Starting;
                case "Stopping":
                case "Saving":
                case "Pausing":
                    return MachineState.Stopping;
                default:
                    return MachineState.Unknown;
            }
        }

        /// <summary>The VM's name: the setting, or "containertools-&lt;machine&gt;". Any text is safe (it only ever enters scripts as a literal).</summary>
        public static string VMName(MachineDefinition definition) =>
            definition.ProviderSettings.TryGetValue(VMNameSetting, out var name) && !string.IsNullOrWhiteSpace(name) ? name : "containertools-" + definition.Name;

        internal static string CreateVMScript(string vm, MachineDefinition definition, string switchName, string folder, string vhdx, string seed)
        {
            var cpus = definition.Cpus > 0 ? definition.Cpus : 2;
            var memory = definition.MemoryBytes > 0 ? definition.MemoryBytes : 2 * GiB;
            var name = PowerShellScript.Literal(vm);
            return
                $"$vm = New-VM -Name {name} -Generation 2 -MemoryStartupBytes {memory.ToString(CultureInfo.InvariantCulture)} -VHDPath {PowerShellScript.Literal(vhdx)} " +
                $"-SwitchName {PowerShellScript.Literal(switchName)} -Path {PowerShellScript.Literal(folder)}\n" +
                $"Set-VMProcessor -VM $vm -Count {cpus.ToString(CultureInfo.InvariantCulture)}\n" +
                "Set-VMMemory -VM $vm -DynamicMemoryEnabled $false\n" +
                "# Linux boots with Secure Boot under the UEFI CA template (shim is signed by it), not the Windows one.\n" +
                "Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate 'MicrosoftUEFICertificateAuthority'\n" +
                $"Add-VMDvdDrive -VM $vm -Path {PowerShellScript.Literal(seed)}\n" +
                "Set-VM -VM $vm -AutomaticCheckpointsEnabled $false -AutomaticStopAction ShutDown\n" +
                "Enable-VMIntegrationService -VM $vm -Name 'Key-Value Pair Exchange'\n";
        }

        internal static string StateScript(string vm) =>
            $"$vm = Get-VM -Name {PowerShellScript.Literal(vm)} -ErrorAction SilentlyContinue\n" +
            "if ($null -eq $vm) { 'Absent' } else { [string]$vm.State }\n";

        internal static string StartScript(string vm) =>
            $"$vm = Get-VM -Name {PowerShellScript.Literal(vm)}\n" +
            "if ($vm.State -eq 'Paused') { Resume-VM -VM $vm } elseif ($vm.State -ne 'Running') { Start-VM -VM $vm }\n";

        internal static string AddressScript(string vm) =>
            $"ConvertTo-Json -Compress -InputObject @((Get-VMNetworkAdapter -VMName {PowerShellScript.Literal(vm)}).IPAddresses)\n";

        internal static string DiskScript(string vhd, string vhdx, long diskBytes) =>
            $"Convert-VHD -Path {PowerShellScript.Literal(vhd)} -DestinationPath {PowerShellScript.Literal(vhdx)} -VHDType Dynamic\n" +
            $"Remove-Item -LiteralPath {PowerShellScript.Literal(vhd)}\n" +
            $"if ((Get-VHD -Path {PowerShellScript.Literal(vhdx)}).Size -lt {diskBytes.ToString(CultureInfo.InvariantCulture)}) " +
            $"{{ Resize-VHD -Path {PowerShellScript.Literal(vhdx)} -SizeBytes {diskBytes.ToString(CultureInfo.InvariantCulture)} }}\n";

        private async Task PrepareDiskAsync(MachineContext context, string folder, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            definition.ProviderSettings.TryGetValue(ImageSetting, out var image);
            definition.ProviderSettings.TryGetValue(ImageChecksumSetting, out var checksumText);
            Checksum? checksum = string.IsNullOrEmpty(checksumText) ? null : Checksum.Parse(checksumText!);
            if (string.IsNullOrEmpty(image))
            {
                image = DefaultImage;
                checksum ??= await _downloader.GetListedChecksumAsync(new Uri(DefaultImageChecksumList), Path.GetFileName(new Uri(DefaultImage).AbsolutePath), cancellationToken)
                    .ConfigureAwait(false);
            }

            context.Progress?.Report("Getting the cloud image");
            var progress = context.Progress == null ? null : new Progress<DownloadProgress>(p =>
                context.Progress.Report(p.TotalBytes is long total ? $"Downloading the cloud image: {p.BytesReceived * 100 / Math.Max(1, total)}%" : $"Downloading the cloud image: {p.BytesReceived} bytes"));
            var local = await _downloader.FetchAsync(image!, checksum, _imageCache, progress, cancellationToken).ConfigureAwait(false);

            var vhd = Path.Combine(folder, "disk.vhd");
            var vhdx = Path.Combine(folder, "disk.vhdx");
            var extension = Path.GetExtension(local).ToLowerInvariant();
            context.Progress?.Report("Preparing the VM's disk");
            switch (extension)
            {
                case ".vhdx":
                    File.Copy(local, vhdx + ".new", overwrite: true);
                    File.Move(vhdx + ".new", vhdx);
                    break;
                case ".vhd":
                    File.Copy(local, vhd, overwrite: true);
                    break;
                case ".raw":
                case ".img":
                    await VhdFooter.WriteFixedVhdAsync(local, vhd, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidSpecException("HyperVImageFormatNotSupported",
                        $"The image '{image}' is not a raw (.raw, .img), VHD or VHDX disk. Convert it first (for example 'qemu-img convert -O vhdx'), or name a raw image.", image);
            }

            var diskBytes = definition.DiskBytes > 0 ? definition.DiskBytes : 20 * GiB;
            if (File.Exists(vhd))
            {
                await RunScriptAsync(DiskScript(vhd, vhdx, diskBytes), VMName(definition), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunScriptAsync($"if ((Get-VHD -Path {PowerShellScript.Literal(vhdx)}).Size -lt {diskBytes.ToString(CultureInfo.InvariantCulture)}) " +
                                     $"{{ Resize-VHD -Path {PowerShellScript.Literal(vhdx)} -SizeBytes {diskBytes.ToString(CultureInfo.InvariantCulture)} }}\n",
                    VMName(definition), cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task StartAndConnectAsync(MachineContext context, string vm, string switchName, string hostname, CancellationToken cancellationToken)
        {
            var definition = context.Definition;
            context.Progress?.Report($"Starting the Hyper-V VM '{vm}'");
            await RunScriptAsync(StartScript(vm), vm, cancellationToken).ConfigureAwait(false);

            context.Progress?.Report("Waiting for the VM's address");
            var address = await WaitForAddressAsync(vm, cancellationToken).ConfigureAwait(false);
            definition.ProviderSettings[IPAddressSetting] = address;
            AddCertificateName(definition, address);

            // The Default Switch's address changes when Windows restarts; its DNS name (hosts.ics) follows it and is in the certificate.
            var host = IsDefaultSwitch(switchName) ? hostname + ".mshome.net" : address;
            definition.EngineAddress = "tcp://" + host + ":" + CloudInitSeed.EnginePort.ToString(CultureInfo.InvariantCulture);

            context.Progress?.Report("Waiting for dockerd (installed on first boot)");
            var deadline = DateTime.UtcNow + EngineTimeout;
            while (!await IsPortOpen(address, CloudInitSeed.EnginePort, cancellationToken).ConfigureAwait(false))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new ContainerEngineException("HyperVEngineTimeout", EngineErrorKind.Timeout,
                        $"dockerd in the VM '{vm}' did not listen on {address}:{CloudInitSeed.EnginePort} within {EngineTimeout.TotalMinutes:0} minutes. " +
                        "Open the VM's console (vmconnect) and look at /var/log/cloud-init-output.log; the VM needs internet access on first boot to install docker.io.", vm);
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<string> WaitForAddressAsync(string vm, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + AddressTimeout;
            while (true)
            {
                var output = await RunScriptAsync(AddressScript(vm), vm, cancellationToken).ConfigureAwait(false);
                var address = PickAddress(output);
                if (address != null)
                {
                    return address;
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new ContainerEngineException("HyperVAddressTimeout", EngineErrorKind.Timeout,
                        $"The VM '{vm}' reported no IPv4 address within {AddressTimeout.TotalMinutes:0} minutes. Check that its switch gives addresses (DHCP), " +
                        "and that the VM booted (vmconnect); the address is reported by hyperv-daemons, installed on first boot.", vm);
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The first usable IPv4 address of Get-VMNetworkAdapter's list (link-local ones are not).</summary>
        internal static string? PickAddress(string json)
        {
            var text = json.Trim();
            if (text.Length == 0)
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                var values = document.RootElement.ValueKind == JsonValueKind.Array
                    ? document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList()
                    : new List<string?> { document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : null };
                return values.FirstOrDefault(v => v != null && IPAddress.TryParse(v, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork && !v.StartsWith("169.254.", StringComparison.Ordinal));
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>The VM's state as Hyper-V names it (Running, Off, Saved, ...), or null when there is no such VM.</summary>
        private async Task<string?> QueryStateAsync(string vm, CancellationToken cancellationToken)
        {
            var state = (await RunScriptAsync(StateScript(vm), vm, cancellationToken).ConfigureAwait(false)).Trim();
            return state == "Absent" ? null : state;
        }

        private async Task<string> RunScriptAsync(string body, string vm, CancellationToken cancellationToken)
        {
            HostCommandResult result;
            try
            {
                result = await _runner.RunAsync(new HostCommand(PowerShell, PowerShellScript.Arguments(PowerShellScript.Wrap(body))), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !(e is ContainerEngineException))
            {
                throw new ContainerEngineException("HyperVCommandFailed", EngineErrorKind.OperationFailed,
                    $"Cannot run powershell.exe for Hyper-V: {e.Message}", vm, e);
            }

            if (result.ExitCode == 0)
            {
                return result.StandardOutput;
            }

            var message = Regex.Replace((result.StandardError + " " + result.StandardOutput).Trim(), @"\s+", " ");
            if (result.ExitCode == PowerShellScript.HyperVMissingExitCode)
            {
                throw new ContainerEngineException("HyperVNotEnabled", EngineErrorKind.NotSupported, HyperVNotEnabledMessage, vm);
            }

            if (result.ExitCode == PowerShellScript.AccessDeniedExitCode
                || message.IndexOf("required permission", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("access is denied", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new ContainerEngineException("HyperVAccessDenied", EngineErrorKind.PermissionDenied,
                    $"Hyper-V refused the request ({message}). Run PowerShell as Administrator, or add your account to the 'Hyper-V Administrators' group " +
                    "(Add-LocalGroupMember -Group 'Hyper-V Administrators' -Member $env:USERNAME, as Administrator) and sign in again.", vm);
            }

            throw new ContainerEngineException("HyperVCommandFailed", EngineErrorKind.OperationFailed,
                $"Hyper-V could not complete the step for VM '{vm}': {(message.Length == 0 ? "exit code " + result.ExitCode : message)}", vm);
        }

        private const string HyperVNotEnabledMessage =
            "Hyper-V is not enabled (the Hyper-V PowerShell module is missing). As Administrator run " +
            "'Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All', restart Windows, and try again; " +
            "Windows Home has no Hyper-V: use the Wsl provider there.";

        private static string SwitchName(MachineDefinition definition) =>
            definition.ProviderSettings.TryGetValue(SwitchSetting, out var name) && !string.IsNullOrWhiteSpace(name) ? name : DefaultSwitch;

        private static bool IsDefaultSwitch(string switchName) => string.Equals(switchName, DefaultSwitch, StringComparison.OrdinalIgnoreCase);

        private static string Folder(MachineContext context) => Path.Combine(context.MachineFolder, "hyperv");

        private static string ReadTls(MachineContext context, string file)
        {
            var path = Path.Combine(context.TlsFolder, file);
            if (!File.Exists(path))
            {
                throw new ContainerEngineException("MachineTlsFileMissing", EngineErrorKind.NotFound,
                    $"The machine's TLS file '{path}' is missing. Remove the machine and create it again.", path);
            }

            return File.ReadAllText(path);
        }

        private void PlanCertificateNames(MachineDefinition definition)
        {
            var hostname = CloudInitSeed.Hostname(VMName(definition));
            AddCertificateName(definition, hostname);
            if (IsDefaultSwitch(SwitchName(definition)))
            {
                AddCertificateName(definition, hostname + ".mshome.net");
            }
        }

        private static void AddCertificateName(MachineDefinition definition, string name)
        {
            if (!definition.CertificateNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                definition.CertificateNames.Add(name);
            }
        }

        private static bool DefaultIsHyperVModulePresent()
        {
            var windows = Environment.GetEnvironmentVariable("SystemRoot") ?? @"C:\Windows";
            return Directory.Exists(Path.Combine(windows, "System32", "WindowsPowerShell", "v1.0", "Modules", "Hyper-V"))
                   || Directory.Exists(Path.Combine(windows, "Sysnative", "WindowsPowerShell", "v1.0", "Modules", "Hyper-V"));
        }

        private static async Task<bool> DefaultIsPortOpenAsync(string host, int port, CancellationToken cancellationToken)
        {
            using var client = new TcpClient();
            var connect = client.ConnectAsync(host, port);
            var finished = await Task.WhenAny(connect, Task.Delay(TimeSpan.FromSeconds(3), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (finished != connect)
            {
                return false;
            }

            try
            {
                await connect.ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
