using System.Linq;
using ContainerTools.Tests.Infrastructure;

namespace ContainerTools.Tests.Compose
{
    /// <summary>What compose project tests share: reading the CLI's id lists, and removing whatever a test's project left.</summary>
    internal static class ComposeTestProject
    {
        public static string[] Lines(string text) => text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

        /// <summary>Everything labelled with the test's unique project name: containers (with their anonymous volumes), networks, volumes.</summary>
        public static void RemoveEverythingOf(string project)
        {
            var filter = "label=com.docker.compose.project=" + project;
            foreach (var id in Lines(TestEngine.Docker("ps", "-aq", "--filter", filter)))
            {
                TestEngine.DockerResult("rm", "-f", "-v", id);
            }

            foreach (var id in Lines(TestEngine.Docker("network", "ls", "-q", "--filter", filter)))
            {
                TestEngine.DockerResult("network", "rm", id);
            }

            foreach (var name in Lines(TestEngine.Docker("volume", "ls", "-q", "--filter", filter)))
            {
                TestEngine.DockerResult("volume", "rm", "-f", name);
            }
        }
    }
}
