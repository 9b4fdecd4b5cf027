using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>
    /// A one-node swarm (an isolated Local machine with the test image) that pages about services and stacks use as their
    /// default engine, so their examples read naturally. Made the first time a page needs it, removed when the examples end.
    /// </summary>
    public sealed class DocsSwarmFixture : IDisposable
    {
        private static readonly Regex SwarmPage = new Regex(@"-Container(Service|ServiceTask|Stack)\.md$", RegexOptions.CultureInvariant);
        private readonly object _gate = new object();
        private string? _store;
        private string? _dockerConfig;
        private ContainerTools.Engine.Connection.ContainerEngineConnection? _engine;
        private string? _context;
        private Exception? _failure;

        public static bool NeedsSwarm(string page) => SwarmPage.IsMatch(page);

        /// <summary>The swarm manager's engine, made on first use (a failure is kept: no second machine is tried).</summary>
        public ContainerTools.Engine.Connection.ContainerEngineConnection Engine
        {
            get
            {
                lock (_gate)
                {
                    if (_failure != null)
                    {
                        throw new InvalidOperationException("The docs swarm could not be made: " + _failure.Message, _failure);
                    }

                    try
                    {
                        return _engine ??= Create();
                    }
                    catch (Exception e)
                    {
                        _failure = e;
                        throw;
                    }
                }
            }
        }

        public void Dispose()
        {
            if (_store == null)
            {
                return;
            }

            var manager = Manager();
            foreach (var machine in manager.Store.List())
            {
                try
                {
                    manager.RemoveAsync(machine, force: true, null, System.Threading.CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (ContainerTools.Engine.ContainerEngineException e)
                {
                    Console.Error.WriteLine($"DocsSwarmFixture: removing machine {machine.Name} failed: {e.Message}");
                }
            }

            Directory.Delete(_store, recursive: true);
            Directory.Delete(_dockerConfig!, recursive: true);
        }

        private ContainerTools.Engine.Connection.ContainerEngineConnection Create()
        {
            // Any machine made here is in this store, which Dispose empties, even when making it failed half-way.
            _store = Directory.CreateTempSubdirectory("ct-docs-swarm-").FullName;
            _dockerConfig = Directory.CreateTempSubdirectory("ct-docs-swarm-config-").FullName;
            var previousStore = Environment.GetEnvironmentVariable(MachineStore.StoreVariable);
            var previousConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            Environment.SetEnvironmentVariable(MachineStore.StoreVariable, _store);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dockerConfig);
            try
            {
                using var shell = new PowerShellSession();
                _context = TestEngine.UniqueName("ctdocs");
                var machine = shell.Invoke($"New-ContainerMachine {_context} -Isolated -PassThru").AssertSuccess().Objects<ContainerMachine>().Single();
                var load = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true };
                load.Environment["DOCKER_CONFIG"] = _dockerConfig;
                load.Environment.Remove("DOCKER_HOST");
                foreach (var a in new[] { "-c", "docker --host \"$1\" save \"$2\" | docker --context \"$3\" load", "sh", TestEngine.Host, TestEngine.Image, _context })
                {
                    load.ArgumentList.Add(a);
                }

                using (var process = System.Diagnostics.Process.Start(load)!)
                {
                    var error = process.StandardError.ReadToEndAsync();
                    process.StandardOutput.ReadToEnd();
                    process.WaitForExit();
                    if (process.ExitCode != 0)
                    {
                        throw new InvalidOperationException("Loading the test image into the docs swarm failed: " + error.Result);
                    }
                }

                shell.Invoke($"Initialize-ContainerSwarm -Engine {_context} -AdvertiseAddress {machine.NetworkAddress}").AssertSuccess();
                return machine.Engine!;
            }
            finally
            {
                Environment.SetEnvironmentVariable(MachineStore.StoreVariable, previousStore);
                Environment.SetEnvironmentVariable("DOCKER_CONFIG", previousConfig);
            }
        }

        /// <summary>Runs the docker CLI against the swarm and returns its output (empty on failure).</summary>
        public string Docker(params string[] args)
        {
            var start = new System.Diagnostics.ProcessStartInfo("docker") { RedirectStandardError = true, RedirectStandardOutput = true };
            _ = Engine;
            start.Environment["DOCKER_CONFIG"] = _dockerConfig;
            start.Environment.Remove("DOCKER_HOST");
            start.ArgumentList.Add("--context");
            start.ArgumentList.Add(_context!);
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = System.Diagnostics.Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _ = error.Result;
            return process.ExitCode == 0 ? output.Trim() : string.Empty;
        }

        private MachineManager Manager() =>
            new MachineManager(new MachineStore(_store!), new ContainerTools.Engine.Connection.DockerContextStore(new ContainerTools.Engine.Connection.EngineEnvironment(
                v => v == "DOCKER_CONFIG" ? _dockerConfig : Environment.GetEnvironmentVariable(v), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), false)));
    }
}
