using System.IO;
using System.Linq;
using ContainerTools.Host;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Every script in examples/ runs against the real engine, through ctpwsh's runner, and succeeds.</summary>
    public class ExampleTests
    {
        public static TheoryData<string> Examples()
        {
            var data = new TheoryData<string>();
            foreach (var file in Directory.GetFiles(Path.Combine(TestEngine.RepositoryRoot, "examples"), "*.ps1").OrderBy(f => f))
            {
                data.Add(Path.GetFileName(file));
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Examples))]
        public void Example_runs_cleanly(string example)
        {
            System.Environment.SetEnvironmentVariable("DOCKER_HOST", TestEngine.Host);
            var output = new StringWriter();
            using var runner = new ScriptRunner(TestEngine.ModuleManifest, output, output, 160);
            var exitCode = runner.RunFile(Path.Combine(TestEngine.RepositoryRoot, "examples", example));
            Assert.True(exitCode == 0, $"{example} exited {exitCode}:\n{output}");
            Assert.DoesNotContain("Exception", output.ToString());
        }

        [Fact]
        public void Quickstart_talks_to_its_web_server_and_cleans_up()
        {
            System.Environment.SetEnvironmentVariable("DOCKER_HOST", TestEngine.Host);
            var output = new StringWriter();
            using var runner = new ScriptRunner(TestEngine.ModuleManifest, output, output, 160);
            Assert.Equal(0, runner.RunFile(Path.Combine(TestEngine.RepositoryRoot, "examples", "quickstart.ps1")));
            var text = output.ToString();
            Assert.Contains("says: hello from ContainerTools", text);
            Assert.Contains("Exit code 3, said: hello from a container", text);
            Assert.Contains("containers left from this example: 0", text);
            Assert.Matches(@"Id\s+Image\s+Command\s+Created\s+Status\s+Ports\s+Name", text);
            Assert.Equal(string.Empty, TestEngine.Docker("ps", "-a", "-q", "--filter", "label=io.containertools.example=quickstart"));
        }
    }
}
