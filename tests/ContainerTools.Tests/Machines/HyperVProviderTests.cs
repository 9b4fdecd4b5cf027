using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Download;
using ContainerTools.Engine.Machines.HyperV;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>
    /// The HyperV provider's plans (the PowerShell each step runs, parsed with PowerShell's own parser), its first-boot
    /// seed (read back from the ISO), its state machine and its errors, against a recording runner.
    /// </summary>
    public sealed class HyperVProviderTests : IDisposable
    {
        // A folder name with quotes of both kinds: paths enter scripts as literals too.
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "ct-hyperv-" + Guid.NewGuid().ToString("N"), "o'brien \u2019s");
        private readonly RecordingHostRunner _runner = new RecordingHostRunner();
        private readonly List<string> _addressAnswers = new List<string>();
        private string _state = "Absent";
        private string _image = string.Empty;
        private string _imageSha256 = string.Empty;
        private long? _vhdLengthAtConvert;

        public HyperVProviderTests()
        {
            Directory.CreateDirectory(Path.Combine(_folder, "machine", "tls"));
            foreach (var file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.WriteAllText(Path.Combine(_folder, "machine", "tls", file), $"-----BEGIN {file}-----\r\nAAAA\"'<&>\r\n-----END {file}-----\r\n");
            }

            _image = Path.Combine(_folder, "debian.raw");
            File.WriteAllBytes(_image, new byte[3000]);
            _imageSha256 = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_image))).ToLowerInvariant();

            _runner.On(c => Script(c).Contains("'Absent'"), _ => new HostCommandResult(0, _state + "\r\n", string.Empty));
            _runner.On(c => Script(c).Contains("Get-VMNetworkAdapter"), _ =>
            {
                var answer = _addressAnswers.Count > 1 ? _addressAnswers[0] : _addressAnswers.FirstOrDefault() ?? "[]";
                if (_addressAnswers.Count > 1)
                {
                    _addressAnswers.RemoveAt(0);
                }

                return new HostCommandResult(0, answer + "\r\n", string.Empty);
            });
            _runner.On(c => Script(c).Contains("Convert-VHD"), _ =>
            {
                var vhd = Path.Combine(_folder, "machine", "hyperv", "disk.vhd");
                _vhdLengthAtConvert = File.Exists(vhd) ? new FileInfo(vhd).Length : null;
                return new HostCommandResult(0, string.Empty, string.Empty);
            });
        }

        public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

        private static string Script(HostCommand command) => PowerShellScript.Decode(command.Arguments);

        /// <summary>The body of a step: the script between the shared preamble's try { and } catch.</summary>
        private static string Body(HostCommand command)
        {
            var script = Script(command);
            var start = script.IndexOf("try {\n", StringComparison.Ordinal) + 6;
            return script.Substring(start, script.LastIndexOf("} catch {", StringComparison.Ordinal) - start);
        }

        private string[] Steps() => _runner.Commands.Select(c =>
        {
            var body = Body(c);
            return body.Contains("'Absent'") ? "state"
                : body.Contains("Convert-VHD") ? "disk"
                : body.Contains("New-VM") ? "create"
                : body.Contains("Start-VM") ? "start"
                : body.Contains("Get-VMNetworkAdapter") ? "address"
                : body.Contains("-TurnOff") ? "turnoff"
                : body.Contains("Stop-VM") ? "stop"
                : body.Contains("Remove-VM") ? "remove"
                : body;
        }).ToArray();

        private HyperVProvider Provider(Func<string, int, CancellationToken, Task<bool>>? probe = null) =>
            new HyperVProvider(_runner, new ImageDownloader { RetryDelay = TimeSpan.Zero }, Path.Combine(_folder, "cache"))
            {
                PollInterval = TimeSpan.Zero,
                IsPortOpen = probe ?? ((_, _, _) => Task.FromResult(true)),
            };

        private MachineContext Context(bool complete = true)
        {
            var definition = new MachineDefinition { Name = "m1", Provider = MachineProviderKind.HyperV, CreationComplete = complete, DiskBytes = 30L << 30 };
            definition.ProviderSettings[HyperVProvider.ImageSetting] = _image;
            definition.ProviderSettings[HyperVProvider.ImageChecksumSetting] = _imageSha256;
            return new MachineContext(definition, Path.Combine(_folder, "machine"), Path.Combine(_folder, "machine", "tls"));
        }

        [Fact]
        public void On_linux_the_provider_constructs_and_says_why_it_cannot_run()
        {
            var provider = new HyperVProvider(new RecordingHostRunner());
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            Assert.Contains("Hyper-V", provider.UnavailableReason());
            Assert.Equal(MachineProviderKind.HyperV, provider.Kind);
        }

        [Fact]
        public void On_windows_a_missing_hyperv_module_says_how_to_enable_it()
        {
            var provider = Provider();
            provider.IsWindows = true;
            provider.IsHyperVModulePresent = () => false;
            Assert.Contains("Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All", provider.UnavailableReason());

            provider.IsHyperVModulePresent = () => true;
            Assert.Null(provider.UnavailableReason());
        }

        [Fact]
        public async Task Create_prepares_the_disk_writes_the_seed_creates_a_generation_2_vm_and_finds_its_address()
        {
            _addressAnswers.AddRange(new[] { "[]", "[\"169.254.3.4\",\"fe80::215:5dff:fe00:1\"]", "[\"172.20.1.5\",\"fe80::215:5dff:fe00:1\"]" });
            var probed = new List<(string, int)>();
            var context = Context(complete: false);

            await Provider((host, port, _) => { probed.Add((host, port)); return Task.FromResult(true); }).CreateAsync(context, CancellationToken.None);

            Assert.Equal(new[] { "state", "disk", "create", "start", "address", "address", "address" }, Steps());
            Assert.Equal(3072 + 512, _vhdLengthAtConvert);
            var hyperv = Path.Combine(_folder, "machine", "hyperv");
            var disk = Body(_runner.Commands[1]);
            Assert.Contains($"Convert-VHD -Path {PowerShellScript.Literal(Path.Combine(hyperv, "disk.vhd"))} -DestinationPath {PowerShellScript.Literal(Path.Combine(hyperv, "disk.vhdx"))} -VHDType Dynamic", disk);
            Assert.Contains("Resize-VHD", disk);
            Assert.Contains((30L << 30).ToString(), disk);

            var create = Body(_runner.Commands[2]);
            Assert.Contains("New-VM -Name 'containertools-m1' -Generation 2 -MemoryStartupBytes 2147483648", create);
            Assert.Contains("-SwitchName 'Default Switch'", create);
            Assert.Contains("Set-VMProcessor -VM $vm -Count 2", create);
            Assert.Contains("-SecureBootTemplate 'MicrosoftUEFICertificateAuthority'", create);
            Assert.Contains($"Add-VMDvdDrive -VM $vm -Path {PowerShellScript.Literal(Path.Combine(hyperv, "seed.iso"))}", create);
            Assert.All(_runner.Commands, c =>
            {
                Assert.Equal("powershell.exe", c.FileName);
                Assert.Equal(new[] { "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand" }, c.Arguments.Take(5));
                Assert.Contains("Get-Command Get-VM", Script(c));
                Assert.Contains("S-1-5-32-578", Script(c));
            });

            Assert.Equal("tcp://containertools-m1.mshome.net:2376", context.Definition.EngineAddress);
            Assert.Equal("172.20.1.5", context.Definition.ProviderSettings[HyperVProvider.IPAddressSetting]);
            Assert.Contains("containertools-m1.mshome.net", context.Definition.CertificateNames);
            Assert.Contains("172.20.1.5", context.Definition.CertificateNames);
            Assert.Equal(new[] { ("172.20.1.5", 2376) }, probed);

            // The seed, read back from the ISO.
            var (primary, joliet) = IsoReader.Read(File.ReadAllBytes(Path.Combine(hyperv, "seed.iso")));
            Assert.Equal("cidata", primary.VolumeLabel);
            Assert.NotNull(joliet);
            Assert.Equal("cidata", joliet!.VolumeLabel);
            Assert.Equal(new[] { "meta-data", "user-data" }, joliet.Files.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(new[] { "META_DAT.;1", "USER_DAT.;1" }, primary.Files.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(joliet.Files["user-data"], primary.Files["USER_DAT.;1"]);

            var userData = Encoding.UTF8.GetString(joliet.Files["user-data"]);
            Assert.StartsWith("#cloud-config\n", userData);
            var config = JsonDocument.Parse(userData.Substring(userData.IndexOf('\n') + 1)).RootElement;
            Assert.Equal("containertools-m1", config.GetProperty("hostname").GetString());
            Assert.Contains("docker.io", config.GetProperty("packages").EnumerateArray().Select(p => p.GetString()));
            Assert.Contains("hyperv-daemons", config.GetProperty("packages").EnumerateArray().Select(p => p.GetString()));
            var files = config.GetProperty("write_files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f);
            Assert.Equal("0600", files["/etc/docker/containertools/server-key.pem"].GetProperty("permissions").GetString());
            Assert.Equal("-----BEGIN server-key.pem-----\nAAAA\"'<&>\n-----END server-key.pem-----\n", files["/etc/docker/containertools/server-key.pem"].GetProperty("content").GetString());
            var daemon = JsonDocument.Parse(files["/etc/docker/daemon.json"].GetProperty("content").GetString()!).RootElement;
            Assert.Contains("tcp://0.0.0.0:2376", daemon.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
            Assert.True(daemon.GetProperty("tlsverify").GetBoolean());
            Assert.Contains("ExecStart=/usr/sbin/dockerd", files["/etc/systemd/system/docker.service.d/containertools.conf"].GetProperty("content").GetString());
            Assert.All(userData, c => Assert.True(c < 0x80, "user-data is plain ASCII"));

            var metaData = JsonDocument.Parse(joliet.Files["meta-data"]).RootElement;
            Assert.Equal(context.Definition.ProviderSettings[HyperVProvider.InstanceIdSetting], metaData.GetProperty("instance-id").GetString());
            Assert.Equal("containertools-m1", metaData.GetProperty("local-hostname").GetString());

            CheckWithIsoinfo(Path.Combine(hyperv, "seed.iso"), joliet.Files["user-data"]);
        }

        /// <summary>When genisoimage's isoinfo is installed (not needed by CI), it reads the same Joliet names and content.</summary>
        private static void CheckWithIsoinfo(string iso, byte[] userData)
        {
            if (!File.Exists("/usr/bin/isoinfo"))
            {
                return;
            }

            var listing = Run("/usr/bin/isoinfo", "-J", "-f", "-i", iso);
            Assert.Contains("/user-data", listing);
            Assert.Contains("/meta-data", listing);
            Assert.Equal(Encoding.UTF8.GetString(userData), Run("/usr/bin/isoinfo", "-J", "-i", iso, "-x", "/user-data"));
            Assert.Contains("Volume id: cidata", Run("/usr/bin/isoinfo", "-d", "-i", iso));
        }

        private static string Run(string file, params string[] arguments)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            return output;
        }

        [Fact]
        public async Task Hostile_names_and_paths_stay_single_quoted_literals()
        {
            _addressAnswers.Add("[\"10.1.2.3\"]");
            var vm = "evil'; Remove-Item -Recurse C:\\ ; '\u2019x\u2018 $(Stop-Computer) `n";
            var switchName = "sw\u201B); Stop-Computer; #";
            var context = Context(complete: false);
            context.Definition.ProviderSettings[HyperVProvider.VMNameSetting] = vm;
            context.Definition.ProviderSettings[HyperVProvider.SwitchSetting] = switchName;

            await Provider().CreateAsync(context, CancellationToken.None);
            await Provider().RemoveAsync(context, CancellationToken.None);

            var literals = new HashSet<string>();
            foreach (var command in _runner.Commands)
            {
                var ast = Parser.ParseInput(Script(command), out _, out var errors);
                Assert.Empty(errors);
                var commands = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName()).ToList();
                Assert.DoesNotContain("Remove-Item", commands.Where(_ => !Body(command).Contains("Convert-VHD")));
                Assert.DoesNotContain("Stop-Computer", commands);
                Assert.Empty(ast.FindAll(a => a is SubExpressionAst, true));
                foreach (var literal in ast.FindAll(a => a is StringConstantExpressionAst s && s.StringConstantType == StringConstantType.SingleQuoted, true))
                {
                    literals.Add(((StringConstantExpressionAst)literal).Value);
                }
            }

            Assert.Contains(vm, literals);
            Assert.Contains(switchName, literals);
            Assert.Contains(Path.Combine(_folder, "machine", "hyperv", "seed.iso"), literals);
            Assert.Equal("tcp://10.1.2.3:2376", context.Definition.EngineAddress);
        }

        [Theory]
        [InlineData("plain", "'plain'")]
        [InlineData("it's", "'it''s'")]
        [InlineData("\u2018curly\u2019", "'\u2018\u2018curly\u2019\u2019'")]
        [InlineData("$env:x `n \"q\"", "'$env:x `n \"q\"'")]
        public void Literals_double_every_kind_of_single_quote(string value, string expected)
        {
            Assert.Equal(expected, PowerShellScript.Literal(value));
        }

        [Fact]
        public async Task Create_again_after_the_vm_exists_does_not_make_it_twice()
        {
            _state = "Off";
            _addressAnswers.Add("[\"172.20.1.5\"]");

            await Provider().CreateAsync(Context(complete: false), CancellationToken.None);

            Assert.Equal(new[] { "state", "start", "address" }, Steps());
        }

        [Fact]
        public async Task Start_after_a_crash_starts_the_vm_and_waits_for_dockerd()
        {
            _state = "Off";
            _addressAnswers.Add("[\"172.20.1.9\"]");
            var probes = 0;

            await Provider((_, _, _) => Task.FromResult(++probes >= 3)).StartAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "state", "start", "address" }, Steps());
            Assert.Equal(3, probes);
            Assert.Contains("elseif ($vm.State -ne 'Running') { Start-VM -VM $vm }", Body(_runner.Commands[1]));
        }

        [Fact]
        public async Task Start_of_a_machine_whose_vm_was_deleted_says_what_to_do()
        {
            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().StartAsync(Context(), CancellationToken.None));

            Assert.Equal("HyperVMachineMissing", error.ErrorId);
            Assert.Contains("Remove-ContainerMachine", error.Message);
        }

        [Fact]
        public async Task Stop_when_already_off_runs_nothing_and_is_no_error()
        {
            _state = "Off";

            await Provider().StopAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "state" }, Steps());
        }

        [Fact]
        public async Task Stop_shuts_a_running_vm_down()
        {
            _state = "Running";

            await Provider().StopAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "state", "stop" }, Steps());
            Assert.Equal("Stop-VM -Name 'containertools-m1' -Force\n", Body(_runner.Commands[1]));
        }

        [Fact]
        public async Task Remove_of_a_running_machine_turns_it_off_removes_it_and_deletes_its_disks()
        {
            _state = "Running";
            var hyperv = Path.Combine(_folder, "machine", "hyperv");
            Directory.CreateDirectory(hyperv);
            File.WriteAllText(Path.Combine(hyperv, "disk.vhdx"), "disk");
            File.WriteAllText(Path.Combine(hyperv, "seed.iso"), "seed");

            await Provider().RemoveAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "state", "turnoff", "remove" }, Steps());
            Assert.Equal("Remove-VM -Name 'containertools-m1' -Force\n", Body(_runner.Commands[2]));
            Assert.False(Directory.Exists(hyperv));
        }

        [Fact]
        public async Task Remove_of_what_is_gone_is_no_error()
        {
            await Provider().RemoveAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "state" }, Steps());
        }

        [Fact]
        public async Task Hyperv_not_enabled_is_a_clear_error()
        {
            var runner = new RecordingHostRunner().On(_ => true, PowerShellScript.HyperVMissingExitCode, "", "The Hyper-V PowerShell module (Get-VM) is not available.");
            var provider = new HyperVProvider(runner) { PollInterval = TimeSpan.Zero };

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => provider.CreateAsync(Context(complete: false), CancellationToken.None));

            Assert.Equal("HyperVNotEnabled", error.ErrorId);
            Assert.Equal(EngineErrorKind.NotSupported, error.Kind);
            Assert.Contains("Enable-WindowsOptionalFeature", error.Message);
            Assert.Equal(MachineState.Unknown, await provider.GetStateAsync(Context(), CancellationToken.None));
        }

        [Theory]
        [InlineData(PowerShellScript.AccessDeniedExitCode, "This account is neither an elevated Administrator nor a member of Hyper-V Administrators.")]
        [InlineData(1, "You do not have the required permission to complete this task. Contact the administrator of the authorization policy for the computer 'PC'.")]
        public async Task Missing_rights_are_a_permission_error_naming_the_group(int exitCode, string message)
        {
            var runner = new RecordingHostRunner().On(_ => true, exitCode, "", message);

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => new HyperVProvider(runner).StopAsync(Context(), CancellationToken.None));

            Assert.Equal("HyperVAccessDenied", error.ErrorId);
            Assert.Equal(EngineErrorKind.PermissionDenied, error.Kind);
            Assert.Contains("Hyper-V Administrators", error.Message);
            Assert.Contains(message, error.Message);
        }

        [Fact]
        public async Task A_failing_step_surfaces_hyperv_s_message()
        {
            _runner.On(c => Script(c).Contains("New-VM"), 1, "", "The operation failed because the file was not found.\r\n");

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().CreateAsync(Context(complete: false), CancellationToken.None));

            Assert.Equal("HyperVCommandFailed", error.ErrorId);
            Assert.Contains("The operation failed because the file was not found.", error.Message);
        }

        [Fact]
        public async Task No_address_in_time_is_a_timeout_naming_the_cause()
        {
            _state = "Off";
            var provider = Provider();
            provider.AddressTimeout = TimeSpan.Zero;

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => provider.StartAsync(Context(), CancellationToken.None));

            Assert.Equal("HyperVAddressTimeout", error.ErrorId);
            Assert.Equal(EngineErrorKind.Timeout, error.Kind);
        }

        [Fact]
        public async Task An_unsupported_image_format_is_refused()
        {
            var qcow = Path.Combine(_folder, "debian.qcow2");
            File.WriteAllBytes(qcow, new byte[10]);
            var context = Context(complete: false);
            context.Definition.ProviderSettings[HyperVProvider.ImageSetting] = qcow;
            context.Definition.ProviderSettings.Remove(HyperVProvider.ImageChecksumSetting);

            var error = await Assert.ThrowsAsync<InvalidSpecException>(() => Provider().CreateAsync(context, CancellationToken.None));

            Assert.Equal("HyperVImageFormatNotSupported", error.ErrorId);
            Assert.Contains("qemu-img", error.Message);
        }

        [Theory]
        [InlineData("Running", MachineState.Running)]
        [InlineData("Off", MachineState.Stopped)]
        [InlineData("Saved", MachineState.Stopped)]
        [InlineData("Starting", MachineState.Starting)]
        [InlineData("Stopping", MachineState.Stopping)]
        [InlineData("Absent", MachineState.Unknown)]
        public async Task The_state_comes_from_get_vm(string state, MachineState expected)
        {
            _state = state;

            Assert.Equal(expected, await Provider().GetStateAsync(Context(), CancellationToken.None));
            Assert.Equal(MachineState.Incomplete, await Provider().GetStateAsync(Context(complete: false), CancellationToken.None));
        }

        [Theory]
        [InlineData("[]", null)]
        [InlineData("", null)]
        [InlineData("\"10.0.0.5\"", "10.0.0.5")]
        [InlineData("[\"fe80::1\",\"169.254.0.9\",\"192.168.5.20\"]", "192.168.5.20")]
        [InlineData("[\"fe80::1\"]", null)]
        [InlineData("not json", null)]
        public void The_address_is_the_first_usable_ipv4(string json, string? expected)
        {
            Assert.Equal(expected, HyperVProvider.PickAddress(json));
        }

        [Fact]
        public void The_vhd_footer_is_a_valid_fixed_disk_footer()
        {
            var size = 20L << 30;
            var footer = VhdFooter.Build(size, Guid.NewGuid(), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

            Assert.Equal("conectix", Encoding.ASCII.GetString(footer, 0, 8));
            Assert.Equal(size, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(footer.AsSpan(48)));
            Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(footer.AsSpan(60)));
            Assert.Equal(-1L, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(footer.AsSpan(16)));
            uint sum = 0;
            for (var i = 0; i < footer.Length; i++)
            {
                if (i < 64 || i > 67)
                {
                    sum += footer[i];
                }
            }

            Assert.Equal(~sum, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(footer.AsSpan(64)));

            // 20 GiB: the spec's algorithm gives 41610 cylinders, 16 heads, 63 sectors.
            Assert.Equal((41610, 16, 63), VhdFooter.Geometry(size));
            Assert.Throws<ArgumentOutOfRangeException>(() => VhdFooter.Build(1000, Guid.Empty, DateTime.UtcNow));
        }

        [Theory]
        [InlineData("containertools-My_Machine", "containertools-my-machine")]
        [InlineData("--x--", "x")]
        [InlineData("!!!", "containertools")]
        public void Hostnames_are_valid_dns_labels(string name, string expected)
        {
            Assert.Equal(expected, CloudInitSeed.Hostname(name));
        }
    }
}
