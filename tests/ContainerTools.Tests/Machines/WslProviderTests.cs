using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Download;
using ContainerTools.Engine.Machines.Wsl;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>
    /// The Wsl provider's plans (wsl.exe arguments in order, files written through standard input), its state machine
    /// and its errors, against a recording runner: wsl.exe cannot run here.
    /// </summary>
    public sealed class WslProviderTests : IDisposable
    {
        private const string Distro = "containertools-m1";
        private const string Header = "  NAME                   STATE           VERSION\r\n";

        private readonly string _folder = Path.Combine(Path.GetTempPath(), "ct-wsl-" + Guid.NewGuid().ToString("N"));
        private readonly RecordingHostRunner _runner = new RecordingHostRunner();
        private readonly RecordingLauncher _launcher = new RecordingLauncher();
        private readonly string _rootfs;
        private readonly string _rootfsSha256;

        public WslProviderTests()
        {
            Directory.CreateDirectory(Path.Combine(_folder, "machine", "tls"));
            foreach (var file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.WriteAllText(Path.Combine(_folder, "machine", "tls", file), $"-----BEGIN {file}-----\r\nAAAA\r\n-----END {file}-----\r\n");
            }

            _rootfs = Path.Combine(_folder, "rootfs.tar");
            File.WriteAllBytes(_rootfs, Encoding.ASCII.GetBytes("not really a tar"));
            _rootfsSha256 = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_rootfs))).ToLowerInvariant();
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private WslProvider Provider() => new WslProvider(_runner, new ImageDownloader { RetryDelay = TimeSpan.Zero }, _launcher, Path.Combine(_folder, "cache"))
        {
            IsPortFree = _ => true,
        };

        private MachineContext Context(bool complete = true, string name = "m1")
        {
            var definition = new MachineDefinition { Name = name, Provider = MachineProviderKind.Wsl, CreationComplete = complete };
            definition.ProviderSettings[WslProvider.RootFileSystemSetting] = _rootfs;
            definition.ProviderSettings[WslProvider.RootFileSystemChecksumSetting] = _rootfsSha256;
            return new MachineContext(definition, Path.Combine(_folder, "machine"), Path.Combine(_folder, "machine", "tls"));
        }

        /// <summary>wsl.exe's UTF-16LE output as a runner that decoded it as UTF-8 would hand it over (NULs between letters).</summary>
        private static string AsMisreadUtf16(string text) => Encoding.UTF8.GetString(Encoding.Unicode.GetBytes(text));

        private static bool IsList(HostCommand c) => c.Arguments.SequenceEqual(new[] { "--list", "--verbose" });

        private void ListAnswers(string state, int version = 2) =>
            _runner.On(IsList, 0, AsMisreadUtf16(Header + $"* Ubuntu                 Running         2\r\n  {Distro}      {state}         {version}\r\n"));

        private void NoDistributions() =>
            _runner.On(IsList, -1, AsMisreadUtf16("Windows Subsystem for Linux has no installed distributions.\r\nYou can resolve this by installing a distribution.\r\n"));

        private string[] Plan() => _runner.Commands.Select(c => c.FileName + " " + string.Join(" ", c.Arguments.Select(a => a.StartsWith("set -e", StringComparison.Ordinal) ? "<write>" : a))).ToArray();

        [Fact]
        public void On_linux_the_provider_constructs_and_says_why_it_cannot_run()
        {
            var provider = new WslProvider(new RecordingHostRunner());
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            var reason = provider.UnavailableReason();
            Assert.NotNull(reason);
            Assert.Contains("Windows 10 version 2004", reason);
            Assert.Contains("WSL 2", reason);
            Assert.Equal(MachineProviderKind.Wsl, provider.Kind);
        }

        [Fact]
        public void On_windows_an_old_build_or_missing_wsl_is_named_with_the_fix()
        {
            var provider = Provider();
            provider.IsWindows = true;
            provider.WindowsBuild = 18363;
            provider.IsWslInstalled = () => true;
            Assert.Contains("build 18363", provider.UnavailableReason());

            provider.WindowsBuild = 22631;
            provider.IsWslInstalled = () => false;
            Assert.Contains("wsl.exe --install --no-distribution", provider.UnavailableReason());

            provider.IsWslInstalled = () => true;
            Assert.Null(provider.UnavailableReason());
        }

        [Fact]
        public async Task Create_imports_writes_the_configuration_through_stdin_and_starts_dockerd()
        {
            NoDistributions();
            var context = Context(complete: false);

            await Provider().CreateAsync(context, CancellationToken.None);

            var port = int.Parse(context.Definition.ProviderSettings[WslProvider.PortSetting]);
            var install = Path.Combine(_folder, "machine", "wsl");
            var write = $"wsl.exe -d {Distro} -u root -- sh -c <write>";
            Assert.Equal(new[]
            {
                "wsl.exe --list --verbose",
                $"wsl.exe --import {Distro} {install} {_rootfs} --version 2",
                write, write, write, write, write, write,
                $"wsl.exe -d {Distro} -u root -- /usr/local/bin/containertools-dockerd",
            }, Plan());
            Assert.True(Directory.Exists(install));

            var writes = _runner.Commands.Skip(2).Take(6).ToDictionary(c => c.Arguments.Last(), c => c.StandardInput);
            var keyWrite = writes.Keys.Single(k => k.Contains("/etc/docker/containertools/server-key.pem"));
            Assert.Contains("chmod 0600", keyWrite);
            Assert.Equal("-----BEGIN server-key.pem-----\nAAAA\n-----END server-key.pem-----\n", writes[keyWrite]);
            var daemon = JsonDocument.Parse(writes[writes.Keys.Single(k => k.Contains("/etc/docker/daemon.json"))]!).RootElement;
            Assert.Contains($"tcp://0.0.0.0:{port}", daemon.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
            Assert.True(daemon.GetProperty("tlsverify").GetBoolean());
            Assert.Equal("/etc/docker/containertools/ca.pem", daemon.GetProperty("tlscacert").GetString());
            Assert.Contains("command = /usr/local/bin/containertools-dockerd", writes[writes.Keys.Single(k => k.Contains("/etc/wsl.conf"))]);
            Assert.All(writes.Keys, script => Assert.DoesNotContain("AAAA", script));

            Assert.Equal($"tcp://127.0.0.1:{port}", context.Definition.EngineAddress);
            Assert.InRange(port, WslProvider.FirstPort, WslProvider.FirstPort + WslProvider.PortCount - 1);
            Assert.Contains("localhost", context.Definition.CertificateNames);
            Assert.Contains("127.0.0.1", context.Definition.CertificateNames);
            Assert.Equal($"wsl.exe -d {Distro} -u root -- sleep 2147483647", _launcher.Launched.Single().ToString());
        }

        [Fact]
        public async Task The_port_skips_busy_ports_and_is_kept_for_the_machine()
        {
            NoDistributions();
            var busy = new HashSet<int>();
            var provider = Provider();
            provider.IsPortFree = p => !busy.Contains(p);
            var first = Context(complete: false);
            await provider.CreateAsync(first, CancellationToken.None);
            var chosen = int.Parse(first.Definition.ProviderSettings[WslProvider.PortSetting]);

            busy.Add(chosen);
            var second = Context(complete: false);
            await provider.CreateAsync(second, CancellationToken.None);
            var next = int.Parse(second.Definition.ProviderSettings[WslProvider.PortSetting]);
            Assert.NotEqual(chosen, next);
            Assert.Equal(WslProvider.FirstPort + ((chosen - WslProvider.FirstPort + 1) % WslProvider.PortCount), next);

            // The recorded port is the machine's, busy or not (it is busy because its own engine listens there).
            await provider.CreateAsync(first, CancellationToken.None);
            Assert.Equal($"tcp://127.0.0.1:{chosen}", first.Definition.EngineAddress);
        }

        [Fact]
        public async Task Create_again_resumes_without_importing_twice()
        {
            ListAnswers("Stopped");

            await Provider().CreateAsync(Context(complete: false), CancellationToken.None);

            Assert.DoesNotContain(_runner.Commands, c => c.Arguments.Contains("--import"));
            Assert.Equal(6, _runner.Commands.Count(c => c.Arguments.Contains("sh")));
            Assert.Single(_launcher.Launched);
        }

        [Fact]
        public async Task Start_after_a_crash_starts_the_stopped_distribution_again()
        {
            ListAnswers("Stopped");

            await Provider().StartAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "wsl.exe --list --verbose", $"wsl.exe -d {Distro} -u root -- /usr/local/bin/containertools-dockerd" }, Plan());
            Assert.Single(_launcher.Launched);
        }

        [Fact]
        public async Task Start_when_running_only_makes_sure_dockerd_runs()
        {
            ListAnswers("Running");

            await Provider().StartAsync(Context(), CancellationToken.None);

            Assert.Equal(2, _runner.Commands.Count);
            Assert.Empty(_launcher.Launched);
        }

        [Fact]
        public async Task Start_of_a_machine_whose_distribution_was_unregistered_says_what_to_do()
        {
            NoDistributions();

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().StartAsync(Context(), CancellationToken.None));

            Assert.Equal("WslDistributionMissing", error.ErrorId);
            Assert.Contains("Remove-ContainerMachine", error.Message);
        }

        [Fact]
        public async Task Stop_when_already_stopped_runs_nothing_and_is_no_error()
        {
            ListAnswers("Stopped");

            await Provider().StopAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "wsl.exe --list --verbose" }, Plan());
        }

        [Fact]
        public async Task Stop_terminates_a_running_distribution()
        {
            ListAnswers("Running");

            await Provider().StopAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "wsl.exe --list --verbose", $"wsl.exe --terminate {Distro}" }, Plan());
        }

        [Fact]
        public async Task Remove_of_a_running_machine_stops_then_unregisters_and_deletes_the_folder()
        {
            ListAnswers("Running");
            var install = Path.Combine(_folder, "machine", "wsl");
            Directory.CreateDirectory(install);

            await Provider().RemoveAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "wsl.exe --list --verbose", $"wsl.exe --terminate {Distro}", $"wsl.exe --unregister {Distro}" }, Plan());
            Assert.False(Directory.Exists(install));
        }

        [Fact]
        public async Task Remove_of_what_is_gone_is_no_error()
        {
            NoDistributions();

            await Provider().RemoveAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "wsl.exe --list --verbose" }, Plan());
        }

        [Fact]
        public async Task A_missing_wsl_exe_is_a_clear_error()
        {
            _runner.On(_ => true, c => throw new Win32Exception(2, "The system cannot find the file specified"));

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().CreateAsync(Context(complete: false), CancellationToken.None));

            Assert.Equal("WslNotInstalled", error.ErrorId);
            Assert.Equal(EngineErrorKind.NotSupported, error.Kind);
            Assert.Contains("wsl.exe --install", error.Message);
            Assert.Equal(MachineState.Unknown, await Provider().GetStateAsync(Context(), CancellationToken.None));
        }

        [Fact]
        public async Task Wsl_not_enabled_is_reported_from_the_list_command()
        {
            _runner.On(IsList, 1, AsMisreadUtf16("The Windows Subsystem for Linux optional component is not enabled. Please enable it and try again.\r\n"));

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().StopAsync(Context(), CancellationToken.None));

            Assert.Equal("WslNotInstalled", error.ErrorId);
            Assert.Contains("optional component is not enabled", error.Message);
        }

        [Fact]
        public async Task Wsl_1_only_surfaces_wsls_message_and_the_fix()
        {
            NoDistributions();
            _runner.On(c => c.Arguments.Contains("--import"), -1, AsMisreadUtf16(
                "Please enable the Virtual Machine Platform Windows feature and ensure virtualization is enabled in the BIOS.\r\nError code: Wsl/Service/RegisterDistro/CreateVm/HCS/HCS_E_HYPERV_NOT_INSTALLED\r\n"));

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().CreateAsync(Context(complete: false), CancellationToken.None));

            Assert.Equal("WslVersion2Unavailable", error.ErrorId);
            Assert.Contains("Please enable the Virtual Machine Platform Windows feature", error.Message);
            Assert.False(error.Message.Contains('\0'), "NULs of misread UTF-16 left in the message");
            Assert.Contains("wsl.exe --update", error.Message);
            Assert.DoesNotContain(_runner.Commands, c => c.Arguments.Contains("sh"));
        }

        [Fact]
        public async Task A_distribution_of_that_name_under_wsl_1_is_refused()
        {
            ListAnswers("Stopped", version: 1);

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().StartAsync(Context(), CancellationToken.None));

            Assert.Equal("WslVersion1Distribution", error.ErrorId);
            Assert.Contains($"wsl.exe --set-version {Distro} 2", error.Message);
        }

        [Fact]
        public async Task An_import_failure_surfaces_wsls_message()
        {
            NoDistributions();
            _runner.On(c => c.Arguments.Contains("--import"), -1, AsMisreadUtf16("The operation could not be started because a required feature is not installed.\r\nError code: Wsl/Service/RegisterDistro/E_ACCESSDENIED\r\n"));

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().CreateAsync(Context(complete: false), CancellationToken.None));

            Assert.Equal("WslImportFailed", error.ErrorId);
            Assert.Contains("Error code: Wsl/Service/RegisterDistro/E_ACCESSDENIED", error.Message);
        }

        [Fact]
        public async Task A_dockerd_start_failure_names_the_logs()
        {
            ListAnswers("Running");
            _runner.On(c => c.Arguments.Last() == "/usr/local/bin/containertools-dockerd", 4, "", "dockerd did not start within 60 seconds; the end of /var/log/dockerd.log:\nfailed to load listeners");

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() => Provider().StartAsync(Context(), CancellationToken.None));

            Assert.Equal("WslEngineStartFailed", error.ErrorId);
            Assert.Contains("failed to load listeners", error.Message);
        }

        [Theory]
        [InlineData("Running", MachineState.Running)]
        [InlineData("Stopped", MachineState.Stopped)]
        [InlineData("Installing", MachineState.Starting)]
        [InlineData("Uninstalling", MachineState.Stopping)]
        public async Task The_state_comes_from_the_list(string state, MachineState expected)
        {
            ListAnswers(state);

            Assert.Equal(expected, await Provider().GetStateAsync(Context(), CancellationToken.None));
            Assert.Equal(MachineState.Incomplete, await Provider().GetStateAsync(Context(complete: false), CancellationToken.None));
        }

        [Fact]
        public async Task A_hostile_distribution_name_is_refused_before_any_command()
        {
            var context = Context();
            context.Definition.ProviderSettings[WslProvider.DistributionSetting] = "x'; rm -rf / #";

            var error = await Assert.ThrowsAsync<InvalidSpecException>(() => Provider().RemoveAsync(context, CancellationToken.None));

            Assert.Equal("InvalidWslDistributionName", error.ErrorId);
            Assert.Empty(_runner.Commands);
        }

        [Fact]
        public async Task A_root_filesystem_address_is_downloaded_into_the_cache_and_imported_from_there()
        {
            var content = Encoding.ASCII.GetBytes("rootfs from the server");
            using var server = new LoopbackHttpServer(content);
            NoDistributions();
            var context = Context(complete: false);
            context.Definition.ProviderSettings[WslProvider.RootFileSystemSetting] = server.Address().ToString();
            context.Definition.ProviderSettings[WslProvider.RootFileSystemChecksumSetting] = "sha256:" + Convert.ToHexString(SHA256.HashData(content));

            await Provider().CreateAsync(context, CancellationToken.None);

            var import = _runner.Commands.Single(c => c.Arguments.Contains("--import"));
            Assert.Equal(content, File.ReadAllBytes(import.Arguments[3]));
            Assert.StartsWith(Path.Combine(_folder, "cache"), import.Arguments[3]);
        }

        [Fact]
        public void The_list_parses_from_utf16_however_it_was_decoded()
        {
            var text = Header + "* Ubuntu-22.04           Running         2\r\n  containertools-dev     Stopped         2\r\n  legacy                 Stopped         1\r\n";
            var utf16 = Encoding.Unicode.GetBytes(text);
            var withBom = new byte[] { 0xFF, 0xFE }.Concat(utf16).ToArray();
            var decodings = new[]
            {
                Encoding.UTF8.GetString(utf16),                          // UTF-16LE read as UTF-8: NULs between letters
                Encoding.Latin1.GetString(withBom),                      // read as a single-byte code page, BOM and all
                Encoding.Unicode.GetString(utf16),                       // read correctly
                Encoding.Unicode.GetString(Encoding.UTF8.GetBytes(text)), // WSL_UTF8=1 output read as UTF-16
                WslText.Decode(utf16),
                WslText.Decode(withBom),
                WslText.Decode(Encoding.UTF8.GetBytes(text)),
            };

            foreach (var decoded in decodings)
            {
                var list = WslText.ParseList(decoded);
                Assert.Equal(new[] { "Ubuntu-22.04", "containertools-dev", "legacy" }, list.Select(d => d.Name));
                Assert.Equal(new[] { "Running", "Stopped", "Stopped" }, list.Select(d => d.State));
                Assert.Equal(new[] { 2, 2, 1 }, list.Select(d => d.Version));
                Assert.True(list[0].IsDefault);
                Assert.False(list[1].IsDefault);
            }
        }

        [Fact]
        public void The_scripts_run_in_the_distribution_are_valid_sh()
        {
            if (!File.Exists("/bin/sh"))
            {
                return;
            }

            foreach (var script in new[] { WslProvider.StartScript, WslProvider.WriteFileScript("/etc/docker/daemon.json", "0644") })
            {
                var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
                start.ArgumentList.Add("-n");
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add(script);
                using var process = System.Diagnostics.Process.Start(start)!;
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, error);
            }

            Assert.Throws<ArgumentException>(() => WslProvider.WriteFileScript("/etc/x'; reboot; '", "0644"));
        }

        [Theory]
        [InlineData("plain", "plain")]
        [InlineData("two words", "\"two words\"")]
        [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
        [InlineData(@"C:\Program Files\", "\"C:\\Program Files\\\\\"")]
        [InlineData("", "\"\"")]
        public void Windows_command_lines_quote_as_the_c_runtime_splits(string argument, string expected)
        {
            Assert.Equal(expected, WindowsCommandLine.Quote(argument));
        }
    }
}
