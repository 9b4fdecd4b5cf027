using System;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Machines;

namespace ContainerTools.Engine.Model
{
    /// <summary>A managed engine (a machine) as Get-ContainerMachine shows it, like 'docker-machine ls' / 'podman machine ls'.</summary>
    public sealed class ContainerMachine
    {
        internal ContainerMachine(MachineDefinition definition, MachineState state, string? engineVersion, ContainerEngineConnection? engine,
            string folder, string tlsFolder, string? networkAddress, string? unavailableReason)
        {
            Name = definition.Name;
            Provider = definition.Provider;
            State = state;
            EngineAddress = definition.EngineAddress;
            EngineVersion = engineVersion;
            Engine = engine;
            Cpus = definition.Cpus;
            MemoryBytes = definition.MemoryBytes;
            DiskBytes = definition.DiskBytes;
            Created = definition.Created;
            Path = folder;
            TlsCertificatePath = tlsFolder;
            NetworkAddress = networkAddress;
            ProviderUnavailableReason = unavailableReason;
        }

        public string Name { get; }

        public MachineProviderKind Provider { get; }

        public MachineState State { get; }

        /// <summary>The engine's TLS endpoint, e.g. tcp://10.231.0.2:2376.</summary>
        public string? EngineAddress { get; }

        /// <summary>The engine's version when it is running and answered, else null.</summary>
        public string? EngineVersion { get; }

        /// <summary>The machine's engine, reached over TLS with its client certificate (null until created). Give it to -Engine.</summary>
        public ContainerEngineConnection? Engine { get; }

        /// <summary>Processors given to the machine; 0: the host's (the Local provider shares the host's).</summary>
        public int Cpus { get; }

        /// <summary>Memory given to the machine, in bytes; 0: the host's.</summary>
        public long MemoryBytes { get; }

        /// <summary>Disk given to the machine, in bytes; 0: the host's.</summary>
        public long DiskBytes { get; }

        public DateTimeOffset Created { get; }

        /// <summary>The machine's folder in the per-user store (machine.json, tls/, and provider files).</summary>
        public string Path { get; }

        /// <summary>The folder with ca.pem, cert.pem and key.pem for clients (Connect-ContainerEngine -TlsCertificatePath, docker --tlsverify).</summary>
        public string TlsCertificatePath { get; }

        /// <summary>The machine's own address (a Local machine in its own network namespace), else null.</summary>
        public string? NetworkAddress { get; }

        /// <summary>Why the machine's provider cannot act on this host, when it cannot.</summary>
        public string? ProviderUnavailableReason { get; }

        public override string ToString() => Name;
    }
}
