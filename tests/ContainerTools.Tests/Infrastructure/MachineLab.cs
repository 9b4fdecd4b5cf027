using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Local;
using Xunit;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>Machine tests start real dockerd processes, namespaces and a bridge: one at a time, apart from every other test.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class MachineCollection
    {
        public const string Name = "Machines";
    }

    /// <summary>
    /// A machine store and a docker configuration of the test's own (temporary folders), and a clean-up that removes
    /// every machine made in them even when the test failed, then checks that nothing of them is left on the host.
    /// </summary>
    public sealed class MachineLab : IDisposable
    {
        public MachineLab()
        {
            StoreFolder = Directory.CreateTempSubdirectory("ct-machines-").FullName;
            DockerConfig = Directory.CreateTempSubdirectory("ct-machines-config-").FullName;
            Manager = new MachineManager(new MachineStore(StoreFolder),
                new DockerContextStore(new EngineEnvironment(v => v == "DOCKER_CONFIG" ? DockerConfig : Environment.GetEnvironmentVariable(v), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), false)));
        }

        public string StoreFolder { get; }

        public string DockerConfig { get; }

        public MachineManager Manager { get; }

        /// <summary>Runs the docker CLI with this lab's configuration (so --context finds the machines' contexts).</summary>
        public (int ExitCode, string Output, string Error) Docker(params string[] args) => Run("docker", args);

        public string DockerChecked(params string[] args)
        {
            var result = Docker(args);
            Assert.True(result.ExitCode == 0, $"docker {string.Join(" ", args)} failed ({result.ExitCode}): {result.Error}{result.Output}");
            return result.Output.Trim();
        }

        /// <summary>Copies the test image from the shared engine into a machine (no registry is reachable).</summary>
        public void LoadTestImage(string context)
        {
            var result = Run("/bin/sh", new[] { "-c", "docker --host \"$1\" save \"$2\" | docker --context \"$3\" load", "sh", TestEngine.Host, TestEngine.Image, context });
            for (var attempt = 1; result.ExitCode != 0 && result.Error.Contains("is too new", StringComparison.Ordinal) && attempt < 3; attempt++)
            {
                // The CLI asks a new engine its API version first; when that ask fails (engine still starting, a busy host) it
                // sends its own newest version, which an older engine refuses: ask again.
                Thread.Sleep(1000);
                result = Run("/bin/sh", new[] { "-c", "docker --host \"$1\" save \"$2\" | docker --context \"$3\" load", "sh", TestEngine.Host, TestEngine.Image, context });
            }

            Assert.True(result.ExitCode == 0, $"loading the test image into {context} failed: {result.Error}{result.Output}");
        }

        public (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> args)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["DOCKER_CONFIG"] = DockerConfig;
            start.Environment.Remove("DOCKER_HOST");
            start.Environment.Remove("DOCKER_CONTEXT");
            start.Environment.Remove("DOCKER_TLS_VERIFY");
            start.Environment.Remove("DOCKER_CERT_PATH");
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }

        /// <summary>What a machine leaves on the host while it exists: its run folder and, isolated, its namespace. Gone after removal.</summary>
        public void AssertNothingLeftOf(MachineDefinition definition, string machineFolder)
        {
            Assert.False(Directory.Exists(machineFolder), $"{machineFolder} is still there");
            Assert.False(Directory.Exists(LocalMachineProvider.RunFolder(definition)), $"{LocalMachineProvider.RunFolder(definition)} is still there");
            var mounts = File.ReadAllText("/proc/self/mountinfo");
            Assert.DoesNotContain(machineFolder, mounts, StringComparison.Ordinal);
            Assert.DoesNotContain(LocalMachineProvider.RunFolder(definition), mounts, StringComparison.Ordinal);
            var processes = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Select(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                }
                catch (IOException)
                {
                    return string.Empty;
                }
            });
            Assert.DoesNotContain(processes, p => p.Contains(LocalMachineProvider.RunFolder(definition), StringComparison.Ordinal));
            var links = Run("ip", new[] { "-o", "link", "show" }).Output;
            // The host engine's docker0 is never touched (dockerd deletes it when started with '--bridge none' in the host's namespace).
            Assert.Contains(" docker0:", links, StringComparison.Ordinal);
            if (!LocalMachineProvider.IsIsolated(definition))
            {
                Assert.DoesNotContain(LocalMachineProvider.HostBridge(definition) + ":", links, StringComparison.Ordinal);
            }
            else
            {
                Assert.False(File.Exists("/var/run/netns/" + LocalMachineProvider.NamespaceName(definition)), "the network namespace is still there");
            }
        }

        public void Dispose()
        {
            try
            {
                foreach (var definition in Manager.Store.List())
                {
                    try
                    {
                        Manager.RemoveAsync(definition, force: true, null, CancellationToken.None).GetAwaiter().GetResult();
                    }
                    catch (Exception e)
                    {
                        Console.Error.WriteLine($"MachineLab: removing machine {definition.Name} failed: {e.Message}");
                    }
                }
            }
            finally
            {
                Directory.Delete(DockerConfig, recursive: true);
                if (Directory.Exists(StoreFolder) && File.ReadAllText("/proc/self/mountinfo").IndexOf(StoreFolder, StringComparison.Ordinal) < 0)
                {
                    Directory.Delete(StoreFolder, recursive: true);
                }
            }
        }
    }
}
