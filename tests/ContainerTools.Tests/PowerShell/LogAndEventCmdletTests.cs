using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;
using PS = System.Management.Automation.PowerShell;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Get-ContainerLog and Get-ContainerEvent through real pipelines, checked line by line against docker logs and docker events.</summary>
    public sealed class LogAndEventCmdletTests : IClassFixture<LogAndEventCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public Session()
            {
                // Select-Object (Microsoft.PowerShell.Utility) stops upstream commands early: the case the tests need.
                var utility = Path.Combine(Path.GetDirectoryName(typeof(PSObject).Assembly.Location)!, "Modules", "Microsoft.PowerShell.Utility", "Microsoft.PowerShell.Utility.psd1");
                Shell.Invoke("if (-not (Get-Command Select-Object -ErrorAction Ignore)) { Import-Module $utility }", Vars("utility", utility)).AssertSuccess();
            }

            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private const string Label = "-Label @{ 'io.containertools.test' = '1' }";
        private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(2);
        private readonly PowerShellSession _ps;
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();

        public LogAndEventCmdletTests(Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose() => _cleanup.Dispose();

        private static Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable();
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        /// <summary>Runs a container with the shell script as its command; with wait, until it has exited.</summary>
        private string Run(string script, bool wait = true, bool tty = false, string? name = null)
        {
            name ??= _cleanup.NewName("ctlog");
            _ps.Invoke($"New-Container -Image $image -Name $name -Command sh,-c,$script {(tty ? "-Tty" : string.Empty)} -Start {Label} | Out-Null",
                Vars("image", TestEngine.Image, "name", name, "script", script)).AssertSuccess();
            if (wait)
            {
                TestEngine.Docker("wait", name);
            }

            return name;
        }

        private List<ContainerLogRecord> Logs(string arguments, Hashtable vars) =>
            _ps.Invoke(arguments.StartsWith("Get-", StringComparison.Ordinal) ? arguments : "Get-ContainerLog " + arguments, vars)
                .AssertSuccess().Objects<ContainerLogRecord>().ToList();

        // The CLI's output as lines: split at '\n'; a final partial line counts, the empty piece after a last '\n' does not.
        private static List<string> Lines(string text)
        {
            var lines = text.Split('\n').ToList();
            if (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            return lines;
        }

        [Fact]
        public void Log_lines_match_docker_logs_per_stream_in_order_with_timestamps()
        {
            var name = Run("for i in $(seq 1 300); do echo \"out $i é€😀\"; echo \"err $i\" >&2; done; printf 'partial-last'");
            var records = Logs("$name", Vars("name", name));
            var cli = TestEngine.DockerResult("logs", name);
            Assert.Equal(0, cli.ExitCode);

            var stdout = records.Where(r => r.Stream == ContainerLogStream.Stdout).Select(r => r.Message).ToList();
            var stderr = records.Where(r => r.Stream == ContainerLogStream.Stderr).Select(r => r.Message).ToList();
            Assert.Equal(Lines(cli.Output), stdout);
            Assert.Equal(Lines(cli.Error), stderr);
            Assert.Equal(301, stdout.Count);
            Assert.Equal("out 7 é€😀", stdout[6]);
            Assert.Equal("partial-last", stdout[^1]);

            // docker logs -t: the same times, to the 100 ns a DateTimeOffset holds, and each record labelled with its container.
            var timed = TestEngine.DockerResult("logs", "-t", name);
            var cliTimes = Lines(timed.Output).Select(l => DateTimeOffset.Parse(l.Substring(0, l.IndexOf(' ')).Substring(0, 27) + "Z", CultureInfo.InvariantCulture)).ToList();
            var ourTimes = records.Where(r => r.Stream == ContainerLogStream.Stdout).Select(r => r.Timestamp).ToList();
            Assert.Equal(cliTimes, ourTimes);
            var id = TestEngine.Docker("inspect", "-f", "{{.Id}}", name);
            Assert.All(records, r =>
            {
                Assert.Equal(name, r.Container);
                Assert.Equal(id, r.ContainerId);
                Assert.Equal(TestEngine.Host, r.Engine.Address);
            });
            Assert.True(ourTimes.Zip(ourTimes.Skip(1)).All(p => p.First <= p.Second), "stdout timestamps go forward");
        }

        [Fact]
        public void A_tty_container_is_one_stdout_stream_without_carriage_returns()
        {
            var name = Run("echo one; echo two >&2; printf 'three'", tty: true);
            var records = Logs("$name", Vars("name", name));
            Assert.Equal(new[] { "one", "two", "three" }, records.Select(r => r.Message));
            Assert.All(records, r => Assert.Equal(ContainerLogStream.Stdout, r.Stream));
            Assert.Equal(Lines(TestEngine.Docker("logs", name).Replace("\r", string.Empty) + "\n"), records.Select(r => r.Message));
        }

        [Fact]
        public void Tail_stream_since_and_until_select_what_docker_selects()
        {
            var name = Run("for i in $(seq 1 20); do echo \"out $i\"; echo \"err $i\" >&2; sleep 0.01; done");
            var vars = Vars("name", name);

            var tail = Logs("$name -Tail 3", vars);
            Assert.Equal(Lines(TestEngine.Docker("logs", "--tail", "3", name)), tail.Where(r => r.Stream == ContainerLogStream.Stdout).Select(r => r.Message));
            Assert.Empty(Logs("$name -Tail 0", vars));

            var errors = Logs("$name -Stream Stderr", vars);
            Assert.Equal(Enumerable.Range(1, 20).Select(i => $"err {i}"), errors.Select(r => r.Message));
            Assert.All(errors, r => Assert.Equal(ContainerLogStream.Stderr, r.Stream));
            Assert.All(Logs("$name -Stream Stdout", vars), r => Assert.Equal(ContainerLogStream.Stdout, r.Stream));

            // -Since/-Until at the 10th stdout line's own time, as the CLI is given it.
            var all = Logs("$name -Stream Stdout", vars);
            var cut = all[9].Timestamp;
            vars["cut"] = cut;
            var since = Logs("$name -Stream Stdout -Since $cut", vars).Select(r => r.Message).ToList();
            var cliCut = TimeArgument.ToQueryValue(cut);
            Assert.Equal(Lines(TestEngine.Docker("logs", "--since", cliCut, name)), since);
            Assert.Equal("out 10", since[0]);
            var until = Logs("$name -Stream Stdout -Until $cut", vars).Select(r => r.Message).ToList();
            Assert.Equal(Lines(TestEngine.Docker("logs", "--until", cliCut, name)), until);
            Assert.DoesNotContain("out 10", until);

            // Relative durations, as docker takes them.
            Assert.Equal(40, Logs("$name -Since '10m'", vars).Count);
            Assert.Empty(Logs("$name -Until '10m'", vars));
            Assert.Equal(40, Logs("$name -Since ([timespan]::FromMinutes(10))", vars).Count);
        }

        [Fact]
        public void A_missing_container_is_an_object_not_found_error_and_the_rest_goes_on()
        {
            var name = Run("echo here");
            var missing = name + "-missing";
            var result = _ps.Invoke("Get-ContainerLog $missing, $name", Vars("name", name, "missing", missing));
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("ContainerNotFound,ContainerTools.Cmdlets.Container.GetContainerLogCommand", error.FullyQualifiedErrorId);
            Assert.Equal(missing, error.TargetObject);
            Assert.Contains(missing, error.Exception.Message);
            Assert.Equal("here", Assert.Single(result.Objects<ContainerLogRecord>()).Message);

            var badTime = _ps.Invoke("Get-ContainerLog $name -Since 'yesterday-ish'", Vars("name", name));
            Assert.Contains("10m", Assert.Single(badTime.AllErrors).Exception.Message);
        }

        [Fact]
        public void Follow_streams_until_the_container_stops()
        {
            var name = Run("for i in 1 2 3 4 5; do echo \"line $i\"; sleep 0.3; done", wait: false);
            var records = Logs("$name -Follow", Vars("name", name));
            Assert.Equal(Enumerable.Range(1, 5).Select(i => $"line {i}"), records.Select(r => r.Message));
            Assert.Equal("exited", TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name));
        }

        [Fact]
        public void Following_several_piped_containers_interleaves_correctly_labelled_records()
        {
            var prefix = TestEngine.UniqueName("ctlogm");
            var names = new[] { _cleanup.Track(prefix + "-a"), _cleanup.Track(prefix + "-b") };
            foreach (var n in names)
            {
                Run($"for i in $(seq 1 10); do echo \"{n} $i\"; sleep 0.3; done", wait: false, name: n);
            }

            // Followed together, while both run: each container's lines, labelled with it, in its order.
            var followed = Logs("Get-Container \"$prefix-*\" | Get-ContainerLog -Follow", Vars("prefix", prefix));
            foreach (var n in names)
            {
                Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{n} {i}"), followed.Where(r => r.Container == n).Select(r => r.Message));
            }

            Assert.Equal(20, followed.Count);

            // Interleaved as they arrive: the second container's first line came before the first container's last.
            var firstOfB = followed.FindIndex(r => r.Container == names[1]);
            var lastOfA = followed.FindLastIndex(r => r.Container == names[0]);
            Assert.True(firstOfB < lastOfA, "records of the followed containers interleave as they arrive");
        }

        [Fact]
        public void Log_records_pipe_on_to_the_container_cmdlets_and_show_as_a_table()
        {
            var name = Run("echo ready; sleep 600", wait: false);
            WaitForLine(name, "ready");
            _ps.Invoke("Get-ContainerLog $name -Tail 1 | Stop-Container -Timeout 0", Vars("name", name)).AssertSuccess();
            Assert.Equal("exited", TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name));

            var text = _ps.Render($"Get-ContainerLog {name}");
            var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.Matches(@"^Container\s+Timestamp\s+Stream\s+Message$", lines[0]);
            Assert.Matches($@"^{name}\s+\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{7}}Z\s+Stdout\s+ready$", lines[2]);

            var verbose = _ps.Invoke("Get-ContainerLog $name -Tail 5 -Verbose | Out-Null", Vars("name", name)).AssertSuccess().Verbose;
            Assert.Contains(verbose, v => v.Contains(name) && v.Contains("last 5 lines") && v.Contains(TestEngine.Host));
        }

        [Fact]
        public void Stopping_a_followed_log_returns_at_once_and_closes_its_connection()
        {
            using var relay = new UnixEngineRelay();
            // One line, then silence: a reader left waiting for more would keep its connection open.
            var name = Run("echo tick; echo tock; sleep 600", wait: false);
            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddCommand("Get-ContainerLog").AddParameter("Name", name).AddParameter("Follow").AddParameter("Engine", relay.Address);
            var output = new PSDataCollection<PSObject>();
            var started = ps.BeginInvoke<PSObject, PSObject>(null, output);
            WaitFor(() => output.Count >= 2, "followed lines to arrive");
            Assert.Equal(1, relay.OpenConnections("/logs?"));

            var watch = Stopwatch.StartNew();
            ps.Stop();
            Assert.True(watch.Elapsed < StopLimit, $"stop took {watch.Elapsed}");
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(started));
            Assert.Equal(0, relay.WaitUntilClosed("/logs?", StopLimit));
            Assert.Equal(1, relay.Connections("&follow=1"));
            Assert.Equal("running", TestEngine.Docker("inspect", "-f", "{{.State.Status}}", name));
        }

        [Fact]
        public void Select_first_stops_a_followed_log_and_closes_its_connection()
        {
            using var relay = new UnixEngineRelay();
            var name = Run("echo tick; sleep 600", wait: false);
            var result = InvokeWithin(TimeSpan.FromSeconds(20), "Get-ContainerLog $name -Follow -Engine $relay | Select-Object -First 1", Vars("name", name, "relay", relay.Address));
            Assert.Equal("tick", Assert.Single(result).Properties["Message"].Value);
            Assert.Equal(0, relay.WaitUntilClosed("/logs?", StopLimit));
            Assert.Equal(1, relay.Connections("&follow=1"));
        }

        [Fact]
        public void Events_match_docker_events_and_filter_by_hashtable_and_strings()
        {
            var tag = TestEngine.UniqueName("ev");
            var since = DateTimeOffset.UtcNow.AddSeconds(-1);
            var name = _cleanup.NewName("ctev");
            _ps.Invoke("New-Container -Image $image -Name $name -Command true -Label @{ 'io.containertools.test' = '1'; 'io.containertools.test.ev' = $tag } -Start | Wait-Container | Out-Null",
                Vars("image", TestEngine.Image, "name", name, "tag", tag)).AssertSuccess();
            var until = DateTimeOffset.UtcNow.AddSeconds(1);
            Thread.Sleep(1100); // the engine answers a query with an -Until in the future only once that time has passed
            var vars = Vars("tag", tag, "since", since, "until", until);

            var events = _ps.Invoke("Get-ContainerEvent -Since $since -Until $until -Filter @{ type = 'container'; label = \"io.containertools.test.ev=$tag\" }", vars)
                .AssertSuccess().Objects<ContainerEngineEvent>().ToList();
            var cli = Lines(TestEngine.Docker("events", "--since", TimeArgument.ToQueryValue(since), "--until", TimeArgument.ToQueryValue(until),
                "--filter", "type=container", "--filter", $"label=io.containertools.test.ev={tag}", "--format", "{{.Action}} {{.Actor.ID}}"));
            Assert.Equal(cli, events.Select(e => $"{e.Action} {e.Id}"));
            Assert.Equal(new[] { "create", "start", "die" }, events.Select(e => e.Action).Where(a => a is "create" or "start" or "die"));
            var id = TestEngine.Docker("inspect", "-f", "{{.Id}}", name);
            Assert.All(events, e =>
            {
                Assert.Equal("container", e.Type);
                Assert.Equal(name, e.Name);
                Assert.Equal(id, e.Id);
                Assert.Equal(tag, e.Attributes["io.containertools.test.ev"]);
                Assert.Equal("local", e.Scope);
                Assert.InRange(e.Time, since, until);
            });
            Assert.Equal("0", events.Single(e => e.Action == "die").Attributes["exitCode"]);

            // Without -Since and -Until: the last hour up to now. Strings and hashtables together; values of one key are alternatives.
            var starts = _ps.Invoke("Get-ContainerEvent -Filter @{ label = \"io.containertools.test.ev=$tag\" }, 'event=start'", vars).AssertSuccess()
                .Objects<ContainerEngineEvent>().ToList();
            Assert.Equal("start", Assert.Single(starts).Action);
            var two = _ps.Invoke("Get-ContainerEvent -Filter \"label=io.containertools.test.ev=$tag\", @{ event = 'start', 'die' }", vars).AssertSuccess()
                .Objects<ContainerEngineEvent>().Select(e => e.Action).ToList();
            Assert.Equal(new[] { "start", "die" }, two);

            var text = _ps.Render("Get-ContainerEvent -Filter @{ label = \"io.containertools.test.ev=$tag\"; event = 'start' }".Replace("$tag", tag, StringComparison.Ordinal));
            var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.Matches(@"^Time\s+Type\s+Action\s+Name\s+Id$", lines[0]);
            Assert.Matches($@"Z\s+container\s+start\s+{name}\s+{id.Substring(0, 12)}$", lines[2]);

            // Piped on: the event names its container.
            _ps.Invoke("Get-ContainerEvent -Filter @{ label = \"io.containertools.test.ev=$tag\"; event = 'start' } | Remove-Container", vars).AssertSuccess();
            Assert.False(TestEngine.ContainerExists(name));
        }

        [Fact]
        public void Bad_event_filters_are_invalid_argument_errors()
        {
            var notKeyValue = _ps.Invoke("Get-ContainerEvent -Filter 'container'");
            var error = Assert.Single(notKeyValue.AllErrors);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.StartsWith("InvalidEventFilter,", error.FullyQualifiedErrorId);

            var unknownKey = _ps.Invoke("Get-ContainerEvent -Filter @{ colour = 'blue' }");
            var refused = Assert.Single(unknownKey.AllErrors);
            Assert.Equal(ErrorCategory.InvalidArgument, refused.CategoryInfo.Category);
            Assert.StartsWith("InvalidEventFilter,", refused.FullyQualifiedErrorId);
            Assert.Contains("colour", refused.Exception.Message);
        }

        [Fact]
        public void Following_events_streams_new_ones_and_stopping_closes_the_connection()
        {
            using var relay = new UnixEngineRelay();
            var tag = TestEngine.UniqueName("evf");
            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddCommand("Get-ContainerEvent").AddParameter("Follow").AddParameter("Engine", relay.Address)
                .AddParameter("Filter", new object[] { new Hashtable { ["label"] = "io.containertools.test.ev=" + tag } });
            var output = new PSDataCollection<PSObject>();
            var started = ps.BeginInvoke<PSObject, PSObject>(null, output);
            WaitFor(() => relay.OpenConnections("/events?") == 1, "the event stream to open");

            var name = _cleanup.NewName("ctev");
            TestEngine.Docker("create", "--name", name, "--label", "io.containertools.test=1", "--label", "io.containertools.test.ev=" + tag, TestEngine.Image, "true");
            WaitFor(() => output.Count >= 1, "the create event to arrive");
            var created = (ContainerEngineEvent)output[0].BaseObject;
            Assert.Equal("create", created.Action);
            Assert.Equal(name, created.Name);

            var watch = Stopwatch.StartNew();
            ps.Stop();
            Assert.True(watch.Elapsed < StopLimit, $"stop took {watch.Elapsed}");
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(started));
            Assert.Equal(0, relay.WaitUntilClosed("/events?", StopLimit));

            // Select-Object -First 1 on a followed stream: it returns with the first event and lets go of the connection.
            var first = InvokeWithin(TimeSpan.FromSeconds(20),
                "Get-ContainerEvent -Follow -Since '1h' -Engine $relay -Filter @{ label = \"io.containertools.test.ev=$tag\" } | Select-Object -First 1",
                Vars("relay", relay.Address, "tag", tag));
            Assert.Equal("create", Assert.Single(first).Properties["Action"].Value);
            Assert.Equal(0, relay.WaitUntilClosed("/events?", StopLimit));
            Assert.Equal(2, relay.Connections("/events?"));
        }

        private void WaitForLine(string name, string line) =>
            WaitFor(() => TestEngine.Docker("logs", name).Contains(line, StringComparison.Ordinal), $"'{line}' in the log of {name}");

        private static void WaitFor(Func<bool> condition, string what)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
                Thread.Sleep(50);
            }
        }

        // Runs the script on the session's runspace and fails (stopping it) instead of hanging when it does not end in time.
        private List<PSObject> InvokeWithin(TimeSpan limit, string script, Hashtable vars)
        {
            foreach (DictionaryEntry v in vars)
            {
                _ps.Runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }

            using var ps = PS.Create();
            ps.Runspace = _ps.Runspace;
            ps.AddScript(script);
            var output = new PSDataCollection<PSObject>();
            var started = ps.BeginInvoke<PSObject, PSObject>(null, output);
            if (!started.AsyncWaitHandle.WaitOne(limit))
            {
                ps.Stop();
                Assert.Fail($"'{script}' did not end within {limit.TotalSeconds} s");
            }

            ps.EndInvoke(started);
            Assert.Empty(ps.Streams.Error);
            return output.ToList();
        }
    }
}
