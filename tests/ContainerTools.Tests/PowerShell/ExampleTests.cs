using System.Diagnostics;
using System.IO;
using System.Linq;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>
    /// Every script in examples/ runs against the real engine in ctpwsh, as a separate process: so it uses the
    /// module folder's own (netstandard2.0) assemblies, exactly as shipped, not the test process's.
    /// </summary>
    public class ExampleTests
    {
        public static TheoryData<string> Examples()
        {
            var data = new TheoryData<string>();
            // quickstart.ps1 and compose-app.ps1 have their own tests below, with what they must print.
            foreach (var file in Directory.GetFiles(Path.Combine(TestEngine.RepositoryRoot, "examples"), "*.ps1").OrderBy(f => f)
                         .Where(f => Path.GetFileName(f) != "quickstart.ps1" && Path.GetFileName(f) != "compose-app.ps1"))
            {
                data.Add(Path.GetFileName(file));
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Examples))]
        public void Example_runs_cleanly(string example)
        {
            var (exitCode, output) = Ctpwsh.Run("-File", Path.Combine(TestEngine.RepositoryRoot, "examples", example));
            Assert.True(exitCode == 0, $"{example} exited {exitCode}:\n{output}");
            Assert.DoesNotContain("Exception", output);
        }

        [Fact]
        public void Quickstart_talks_to_its_web_server_and_cleans_up()
        {
            var (exitCode, text) = Ctpwsh.Run("-File", Path.Combine(TestEngine.RepositoryRoot, "examples", "quickstart.ps1"));
            Assert.True(exitCode == 0, text);
            Assert.Contains("says: hello from ContainerTools", text);
            Assert.Contains("Exit code 3, said: hello from a container", text);
            Assert.Contains("containers left from this example: 0", text);
            Assert.Matches(@"Id\s+Image\s+Command\s+Created\s+Status\s+Ports\s+Name", text);
            Assert.Equal(string.Empty, TestEngine.Docker("ps", "-a", "-q", "--filter", "label=io.containertools.example=quickstart"));
        }
    }

    public class ComposeExampleTests
    {
        [Fact]
        public void Compose_app_builds_talks_through_both_networks_and_leaves_nothing()
        {
            var (exitCode, text) = Ctpwsh.Run("-File", Path.Combine(TestEngine.RepositoryRoot, "examples", "compose-app.ps1"));
            Assert.True(exitCode == 0, text);
            Assert.DoesNotContain("Exception", text);
            Assert.Contains("web says: hello from a built image", text);
            Assert.Contains("the store says, through web: hello from the store", text);
            Assert.Contains("unchanged on the second run: True", text);
            Assert.Contains("containers left: 0", text);
            Assert.Contains("images left: 0", text);
        }
    }

    /// <summary>ctpwsh's exit code: what a CI job or scheduler sees.</summary>
    public class CtpwshTests
    {
        [Fact]
        public void Exit_code_is_zero_on_success_and_one_on_any_error()
        {
            Assert.Equal(0, Ctpwsh.Run("-Command", "Get-ContainerEngine | Out-Null").ExitCode);
            var nonTerminating = Ctpwsh.Run("-Command", "Get-Container no-such-container-ct; 'went on'");
            Assert.Equal(1, nonTerminating.ExitCode);
            Assert.Contains("went on", nonTerminating.Output);
            Assert.Contains("no-such-container-ct", nonTerminating.Output);
            Assert.Equal(1, Ctpwsh.Run("-Command", "throw 'stop here'").ExitCode);
            Assert.Equal(2, Ctpwsh.Run("-File", "/nonexistent/script.ps1").ExitCode);
            var script = Path.Combine(Path.GetTempPath(), "ct-exit-" + System.Guid.NewGuid().ToString("N") + ".ps1");
            File.WriteAllText(script, "'before'; exit 3");
            try
            {
                Assert.Equal(3, Ctpwsh.Run("-File", script).ExitCode);
            }
            finally
            {
                File.Delete(script);
            }
        }
    }

    /// <summary>The ctpwsh host built next to the tests, run as its own process against the test engine.</summary>
    public static class Ctpwsh
    {
        public static string Executable
        {
            get
            {
                var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(System.AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
                return Path.Combine(TestEngine.RepositoryRoot, "src", "ContainerTools.Host", "bin", configuration, "net10.0", "ctpwsh");
            }
        }

        public static (int ExitCode, string Output) Run(params string[] args)
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-Module");
            start.ArgumentList.Add(TestEngine.ModuleManifest);
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["DOCKER_HOST"] = TestEngine.Host;
            start.Environment.Remove("DOCKER_CONTEXT");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
