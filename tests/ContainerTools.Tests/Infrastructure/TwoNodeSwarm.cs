using System;
using System.Globalization;
using System.Linq;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>
    /// A two-node swarm (manager and worker: isolated Local machines with the test image and SecondImage), a class fixture of
    /// the machine collection: each test class that uses it gets a swarm of its own. A constructor that fails removes its machines.
    /// </summary>
    public sealed class TwoNodeSwarm : IDisposable
    {
        public const string SecondImage = "containertools-test/busybox:v2";
        private readonly string? _previousStore = Environment.GetEnvironmentVariable(MachineStore.StoreVariable);
        private readonly string? _previousConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");

        public TwoNodeSwarm()
        {
            // Safe: the machine collection runs alone, apart from every other test.
            Environment.SetEnvironmentVariable(MachineStore.StoreVariable, Lab.StoreFolder);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", Lab.DockerConfig);
            Shell = new PowerShellSession();
            try
            {
                Create();
            }
            catch
            {
                // xunit does not dispose a fixture whose constructor threw: remove the machines made so far here.
                Dispose();
                throw;
            }
        }

        private void Create()
        {
            Manager = TestEngine.UniqueName("ctsm");
            Worker = TestEngine.UniqueName("ctsw");
            var machines = Shell.Invoke($"New-ContainerMachine {Manager} -Isolated -PassThru; New-ContainerMachine {Worker} -Isolated -PassThru").AssertSuccess().Objects<ContainerMachine>().ToList();
            foreach (var machine in new[] { Manager, Worker })
            {
                Lab.LoadTestImage(machine);
                Lab.DockerChecked("--context", machine, "tag", TestEngine.Image, SecondImage);
            }

            Shell.Invoke($"Initialize-ContainerSwarm -Engine {Manager} -AdvertiseAddress {machines[0].NetworkAddress}").AssertSuccess();
            Shell.Invoke($"Join-ContainerSwarm -Engine {Worker} -Manager (Get-ContainerMachine {Manager}) -AdvertiseAddress {machines[1].NetworkAddress}").AssertSuccess();
            WorkerHostname = Lab.DockerChecked("--context", Worker, "info", "--format", "{{.Name}}");
        }

        public MachineLab Lab { get; } = new MachineLab();

        public PowerShellSession Shell { get; }

        public string Manager { get; private set; } = string.Empty;

        public string Worker { get; private set; } = string.Empty;

        public string WorkerHostname { get; private set; } = string.Empty;

        /// <summary>The docker CLI on the manager (the oracle); fails the test when it fails.</summary>
        public string ManagerDocker(params string[] args) => Lab.DockerChecked(new[] { "--context", Manager }.Concat(args).ToArray());

        /// <summary>The service's version index: it grows with every update the manager accepts.</summary>
        public long ServiceVersion(string service) =>
            long.Parse(ManagerDocker("service", "inspect", service, "--format", "{{.Version.Index}}"), CultureInfo.InvariantCulture);

        public void Dispose()
        {
            if (Worker.Length > 0)
            {
                Lab.Docker("--context", Worker, "swarm", "leave", "--force");
                Lab.Docker("--context", Manager, "swarm", "leave", "--force");
            }

            Shell.Dispose();
            Lab.Dispose();
            Environment.SetEnvironmentVariable(MachineStore.StoreVariable, _previousStore);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _previousConfig);
        }
    }
}
