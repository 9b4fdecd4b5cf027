using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Threading;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using PS = System.Management.Automation.PowerShell;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Get-ContainerStatistics, Get-ContainerProcess, Get-ContainerChange and Export-Container, with docker stats/top/diff/export as the oracle.</summary>
    public sealed class InspectCmdletTests : IClassFixture<InspectCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private readonly PowerShellSession _ps;
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "ctt-inspect-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public InspectCmdletTests(Session session)
        {
            _ps = session.Shell;
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            _cleanup.Dispose();
            Directory.Delete(_dir, recursive: true);
        }

        private static Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable();
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        // One process (no init), a fixed memory limit: pids and the limit are exact in docker stats.
        private string Run(string command = "sleep 600", string memory = "64m")
        {
            var name = _cleanup.NewName("ctt-insp");
            TestEngine.Docker(new[] { "run", "-d", "--name", name, "--label", TestEngine.TestLabel + "=1", "--memory", memory, TestEngine.Image, "sh", "-c", command });
            return name;
        }

        [Fact]
        public void Statistics_match_docker_stats()
        {
            var name = Run("exec sleep 600");
            var sample = Assert.Single(_ps.Invoke("Get-ContainerStatistics $name", Vars("name", name)).AssertSuccess().Objects<ContainerStatistics>());
            using var docker = JsonDocument.Parse(TestEngine.Docker("stats", "--no-stream", "--format", "{{json .}}", name));
            var row = docker.RootElement;

            Assert.Equal(name, sample.Name);
            Assert.Equal(64L * 1024 * 1024, sample.MemoryLimit);
            Assert.Equal(1, sample.Pids);
            Assert.Equal(row.GetProperty("PIDs").GetString(), sample.Pids.ToString(CultureInfo.InvariantCulture));
            var dockerMemory = row.GetProperty("MemUsage").GetString()!.Split(" / ");
            Assert.Equal("64MiB", dockerMemory[1]);
            var theirs = ParseBinarySize(dockerMemory[0]);
            Assert.InRange(sample.MemoryUsage, 1, sample.MemoryLimit);
            Assert.InRange((double)sample.MemoryUsage / theirs, 0.1, 10); // same order of magnitude: memory moves between two samples
            Assert.Equal(sample.MemoryUsage * 100.0 / sample.MemoryLimit, sample.MemoryPercent, 6);
            Assert.InRange(sample.CpuPercent, 0, 100 * Environment.ProcessorCount);
            Assert.True(sample.Read > DateTimeOffset.UtcNow.AddMinutes(-5));

            var table = _ps.Render("Get-ContainerStatistics $name");
            Assert.Contains("MEM USAGE / LIMIT", table);
            Assert.Contains("BLOCK I/O", table);
            Assert.Contains(" / 64MiB", table);
        }

        [Fact]
        public void Statistics_of_a_stopped_container_are_zero_and_a_stream_of_it_ends()
        {
            var name = _cleanup.NewName("ctt-insp");
            TestEngine.Docker("create", "--name", name, "--label", TestEngine.TestLabel + "=1", TestEngine.Image, "true");
            var once = Assert.Single(_ps.Invoke("Get-ContainerStatistics $name", Vars("name", name)).AssertSuccess().Objects<ContainerStatistics>());
            Assert.Equal(0, once.Pids);
            Assert.Equal(0, once.MemoryUsage);
            var streamed = _ps.Invoke("Get-ContainerStatistics -Name $name -Stream", Vars("name", name)).AssertSuccess().Objects<ContainerStatistics>().ToList();
            Assert.Single(streamed);
        }

        [Fact]
        public void Stream_writes_samples_until_the_container_stops()
        {
            var name = Run("sleep 4");
            var samples = _ps.Invoke("Get-ContainerStatistics $name -Stream", Vars("name", name)).AssertSuccess().Objects<ContainerStatistics>().ToList();
            Assert.NotEmpty(samples);
            Assert.All(samples, s => Assert.Equal(name, s.Name));
            // The feed ends when the engine's stats collector sees the process gone; the engine records the exit a moment
            // later. A feed that ended while the container still had seconds to run would not see "exited" in this window.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            var state = TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name);
            while (state != "exited" && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
                state = TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name);
            }

            Assert.Equal("exited", state);
        }

        [Fact]
        public void Stopping_a_stream_returns_and_ends_the_feeds()
        {
            var first = Run();
            var second = Run();
            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddCommand("Get-ContainerStatistics").AddParameter("Name", new[] { first, second }).AddParameter("Stream");
            var output = new PSDataCollection<PSObject>();
            using var enough = new ManualResetEventSlim();
            var names = new HashSet<string>();
            output.DataAdded += (_, e) =>
            {
                lock (names)
                {
                    names.Add(((ContainerStatistics)output[e.Index].BaseObject).Name);
                    if (output.Count >= 4 && names.Count == 2)
                    {
                        enough.Set();
                    }
                }
            };
            var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
            Assert.True(enough.Wait(TimeSpan.FromSeconds(60)), "no samples of both containers within a minute");
            var stop = ps.BeginStop(null, null);
            Assert.True(stop.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "Stop did not return");
            ps.EndStop(stop);
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Contains(first, names);
            Assert.Contains(second, names);
        }

        [Fact]
        public void Processes_match_docker_top()
        {
            var name = Run("exec sleep 600");
            WaitFor(() => TestEngine.Docker("top", name).Contains("sleep 600")); // until the exec, the process is "runc init"
            var processes = _ps.Invoke("Get-ContainerProcess $name", Vars("name", name)).AssertSuccess().Output;
            var process = Assert.Single(processes);
            var typed = (ContainerProcess)process.BaseObject;
            var top = TestEngine.Docker("top", name).Split('\n');
            var pid = top[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            Assert.Equal(pid, typed.Pid?.ToString(CultureInfo.InvariantCulture));
            Assert.Equal("sleep 600", typed.Command);
            Assert.Equal("root", process.Properties["UID"].Value);
            Assert.Equal(new[] { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" }, typed.Columns.Keys);
            Assert.Equal(typed.Pid, Assert.Single(_ps.Invoke("Get-Container $name | Get-ContainerProcess", Vars("name", name)).AssertSuccess().Objects<ContainerProcess>()).Pid);

            var aux = Assert.Single(_ps.Invoke("Get-ContainerProcess $name -Arguments aux", Vars("name", name)).AssertSuccess().Output);
            Assert.Equal("root", ((ContainerProcess)aux.BaseObject).User);
            Assert.NotNull(aux.Properties["%CPU"]);
            Assert.NotNull(aux.Properties["RSS"]);
            Assert.Contains("sleep 600", _ps.Render("Get-ContainerProcess $name"));
        }

        [Fact]
        public void Changes_match_docker_diff()
        {
            var name = Run("mkdir /tmp/new && echo x > /tmp/new/f && rm /bin/vi && echo y >> /etc/group && exec sleep 600");
            WaitFor(() => TestEngine.Docker("diff", name).Contains("/tmp/new/f"));
            var changes = _ps.Invoke("Get-ContainerChange $name", Vars("name", name)).AssertSuccess().Objects<ContainerChange>().ToList();
            var theirs = TestEngine.Docker("diff", name).Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(l => l, StringComparer.Ordinal);
            Assert.Equal(theirs, changes.Select(c => c.ToString()).OrderBy(l => l, StringComparer.Ordinal));
            Assert.Contains(changes, c => c.Path == "/tmp/new/f" && c.Kind == ContainerChangeKind.Added);
            Assert.Contains(changes, c => c.Path == "/bin/vi" && c.Kind == ContainerChangeKind.Deleted);
            Assert.Contains(changes, c => c.Path == "/etc/group" && c.Kind == ContainerChangeKind.Changed);
            var deleted = _ps.Invoke("Get-ContainerChange $name -Kind Deleted", Vars("name", name)).AssertSuccess().Objects<ContainerChange>().ToList();
            Assert.Equal("/bin/vi", Assert.Single(deleted).Path);
        }

        [Fact]
        public void Export_writes_what_docker_export_writes_and_keeps_an_existing_file_without_force()
        {
            var name = Run("echo hello > /tmp/marker && exec sleep 600");
            WaitFor(() => TestEngine.Docker("diff", name).Contains("/tmp/marker"));
            var ours = Path.Combine(_dir, "ours.tar");
            var file = Assert.Single(_ps.Invoke("Export-Container $name -Path $path -PassThru", Vars("name", name, "path", ours)).AssertSuccess().Objects<FileInfo>());
            Assert.Equal(ours, file.FullName);
            var theirs = Path.Combine(_dir, "theirs.tar");
            TestEngine.Docker("export", "-o", theirs, name);
            Assert.Equal(Entries(theirs), Entries(ours));
            Assert.Contains("tmp/marker", Entries(ours));

            var before = File.GetLastWriteTimeUtc(ours);
            var again = _ps.Invoke("Export-Container $name -Path $path", Vars("name", name, "path", ours));
            var error = Assert.Single(again.Errors);
            Assert.Equal("ExportFileExists,ContainerTools.Cmdlets.Container.ExportContainerCommand", error.FullyQualifiedErrorId);
            Assert.Contains("-Force", error.Exception.Message);
            Assert.Equal(before, File.GetLastWriteTimeUtc(ours));
            _ps.Invoke("Get-Container $name | Export-Container -Path $path -Force", Vars("name", name, "path", ours)).AssertSuccess();
            Assert.Equal(2, Directory.GetFiles(_dir).Length); // no partial file left beside them
        }

        [Fact]
        public void Missing_containers_are_object_not_found_and_leave_no_file()
        {
            var missing = TestEngine.UniqueName("ctt-missing");
            foreach (var command in new[] { "Get-ContainerStatistics", "Get-ContainerProcess", "Get-ContainerChange" })
            {
                var result = _ps.Invoke($"{command} $name", Vars("name", missing));
                var error = Assert.Single(result.Errors);
                Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
                Assert.StartsWith("ContainerNotFound,", error.FullyQualifiedErrorId);
            }

            var export = _ps.Invoke("Export-Container $name -Path $path", Vars("name", missing, "path", Path.Combine(_dir, "x.tar")));
            Assert.Equal(ErrorCategory.ObjectNotFound, Assert.Single(export.Errors).CategoryInfo.Category);
            Assert.Empty(Directory.GetFiles(_dir));
        }

        [Fact]
        public void A_cancelled_export_leaves_no_file()
        {
            var name = Run();
            var path = Path.Combine(_dir, "cancelled.tar");
            using var cancel = new CancellationTokenSource();
            var progress = new Progress(() => cancel.Cancel());
            Assert.ThrowsAny<OperationCanceledException>(() =>
                TestEngine.Connection.Containers.ExportAsync(name, path, false, progress, cancel.Token).GetAwaiter().GetResult());
            Assert.Empty(Directory.GetFiles(_dir));
        }

        private sealed class Progress : IProgress<long>
        {
            private readonly Action _onFirst;

            public Progress(Action onFirst) => _onFirst = onFirst;

            public void Report(long value) => _onFirst();
        }

        private static List<string> Entries(string tar)
        {
            var names = new List<string>();
            using var file = File.OpenRead(tar);
            var reader = new ContainerTools.Engine.Internal.TarStreamReader(file);
            ContainerTools.Engine.Internal.TarEntry? entry;
            while ((entry = reader.NextAsync(CancellationToken.None).GetAwaiter().GetResult()) != null)
            {
                names.Add(entry.Name.TrimEnd('/'));
            }

            names.Sort(StringComparer.Ordinal);
            return names;
        }

        private static long ParseBinarySize(string text)
        {
            var units = new[] { "KiB", "MiB", "GiB", "B" };
            foreach (var unit in units)
            {
                if (text.EndsWith(unit, StringComparison.Ordinal))
                {
                    var value = double.Parse(text.Substring(0, text.Length - unit.Length), CultureInfo.InvariantCulture);
                    var factor = unit == "KiB" ? 1024.0 : unit == "MiB" ? 1024.0 * 1024 : unit == "GiB" ? 1024.0 * 1024 * 1024 : 1;
                    return (long)(value * factor);
                }
            }

            throw new FormatException(text);
        }

        private static void WaitFor(Func<bool> condition)
        {
            for (var i = 0; i < 100 && !condition(); i++)
            {
                Thread.Sleep(100);
            }
        }
    }
}
