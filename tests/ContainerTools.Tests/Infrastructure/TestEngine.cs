using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>
    /// The real engine and registry the tests run against, started by tests/engine/test-engine.sh. There is no
    /// mock and no skip: when the engine does not answer, every test that needs it fails with the reason.
    /// </summary>
    public static class TestEngine
    {
        /// <summary>Every container a test creates carries this label, so leftovers of a crashed run can be found.</summary>
        public const string TestLabel = "io.containertools.test";

        private static readonly Lazy<ContainerEngineConnection> Shared = new Lazy<ContainerEngineConnection>(Connect, LazyThreadSafetyMode.ExecutionAndPublication);

        public static string Host => Environment.GetEnvironmentVariable("CONTAINERTOOLS_TEST_HOST") ?? "unix:///tmp/containertools-engine/docker.sock";

        /// <summary>A local busybox image built by the set-up (no registry is reachable); also tagged busybox:latest.</summary>
        public static string Image => Environment.GetEnvironmentVariable("CONTAINERTOOLS_TEST_IMAGE") ?? "containertools-test/busybox:latest";

        public static string Registry => Environment.GetEnvironmentVariable("CONTAINERTOOLS_TEST_REGISTRY") ?? "127.0.0.1:5055";

        public static string RegistryUser => Environment.GetEnvironmentVariable("CONTAINERTOOLS_TEST_REGISTRY_USER") ?? "ctuser";

        public static string RegistryPassword => Environment.GetEnvironmentVariable("CONTAINERTOOLS_TEST_REGISTRY_PASSWORD") ?? "ct-test-password";

        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        public static string ModuleManifest => Path.Combine(RepositoryRoot, "out", "ContainerTools", "ContainerTools.psd1");

        public static ContainerEngineConnection Connection => Shared.Value;

        /// <summary>A name no other test (or run) uses.</summary>
        public static string UniqueName(string prefix = "ctt") => $"{prefix}-{Guid.NewGuid():N}".Substring(0, prefix.Length + 13);

        /// <summary>Runs the docker CLI against the test engine: the independent oracle.</summary>
        public static string Docker(params string[] args)
        {
            var result = DockerResult(args);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"docker {string.Join(" ", args)} failed ({result.ExitCode}): {result.Error}");
            }

            return result.Output.Trim();
        }

        public static (int ExitCode, string Output, string Error) DockerResult(params string[] args) => DockerWithConfig(null, args);

        /// <summary>docker build with the classic builder (DOCKER_BUILDKIT=0), as the oracle for New-ContainerImage; returns the image id.</summary>
        public static string LegacyBuild(params string[] args)
        {
            var result = RunDocker(null, null, new[] { "build", "-q" }.Concat(args).ToArray(), new[] { ("DOCKER_BUILDKIT", "0") });
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"DOCKER_BUILDKIT=0 docker build {string.Join(" ", args)} failed ({result.ExitCode}): {result.Error}{result.Output}");
            }

            return result.Output.Trim();
        }

        /// <summary>Runs the docker CLI and returns its standard output as bytes (docker cp … -, docker save).</summary>
        public static byte[] DockerBytes(params string[] args)
        {
            var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("--host");
            start.ArgumentList.Add(Host);
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            start.Environment.Remove("DOCKER_CONTEXT");
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            using var buffer = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(buffer);
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"docker {string.Join(" ", args)} failed ({process.ExitCode}): {stderr.Result}");
            }

            return buffer.ToArray();
        }

        /// <summary>
        /// Removes every image (intermediate ones included) that carries the label, children before parents, and the
        /// tags of the repository: what a test's builds left, and nothing else.
        /// </summary>
        public static void RemoveImages(string label, string? repository = null)
        {
            if (repository != null)
            {
                var tags = Docker("images", repository, "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (tags.Length > 0)
                {
                    DockerResult(new[] { "rmi", "-f" }.Concat(tags).ToArray());
                }
            }

            for (var round = 0; round < 10; round++)
            {
                var ids = Docker("images", "-a", "-q", "--no-trunc", "--filter", "label=" + label).Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
                if (ids.Length == 0)
                {
                    return;
                }

                DockerResult(new[] { "rmi", "-f" }.Concat(ids).ToArray());
            }
        }

        /// <summary>The docker CLI with a configuration folder and text on its standard input (docker login --password-stdin).</summary>
        public static (int ExitCode, string Output, string Error) DockerWithInput(string? configDirectory, string input, params string[] args) =>
            RunDocker(configDirectory, input, args);

        public static (int ExitCode, string Output, string Error) DockerWithConfig(string? configDirectory, params string[] args) =>
            RunDocker(configDirectory, null, args);

        private static (int ExitCode, string Output, string Error) RunDocker(string? configDirectory, string? input, string[] args,
            (string Name, string Value)[]? environment = null)
        {
            var start = new ProcessStartInfo("docker")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = input != null,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--host");
            start.ArgumentList.Add(Host);
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            start.Environment.Remove("DOCKER_CONTEXT");
            foreach (var (name, value) in environment ?? Array.Empty<(string, string)>())
            {
                start.Environment[name] = value;
            }

            if (configDirectory != null)
            {
                start.Environment["DOCKER_CONFIG"] = configDirectory;
            }

            using var process = Process.Start(start)!;
            if (input != null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }

        /// <summary>True when docker inspect finds a container by that name or id.</summary>
        public static bool ContainerExists(string nameOrId) => DockerResult("container", "inspect", nameOrId).ExitCode == 0;

        private static ContainerEngineConnection Connect()
        {
            var connection = ContainerEngineConnection.FromArgument(Host);
            try
            {
                connection.ConnectAsync().GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"The test engine at {Host} does not answer ({e.Message}). Start it with 'tests/engine/test-engine.sh start' (the README's test command does).", e);
            }

            RemoveStaleLeftovers(connection);
            return connection;
        }

        // Containers of a crashed earlier run: labelled, and older than any run in progress could be.
        private static void RemoveStaleLeftovers(ContainerEngineConnection connection)
        {
            var query = new ContainerQuery();
            query.Labels.Add(TestLabel);
            var stale = connection.Containers.ListAsync(query).GetAwaiter().GetResult()
                .Where(c => c.Created < DateTimeOffset.UtcNow.AddMinutes(-30));
            foreach (var container in stale)
            {
                connection.Containers.RemoveAsync(container.Id, force: true, removeVolumes: true).GetAwaiter().GetResult();
            }
        }

        private static string FindRepositoryRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ContainerTools.psd1")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (ContainerTools.psd1) above " + AppContext.BaseDirectory);
        }
    }
}
