using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    public enum ContainerState
    {
        Unknown,
        Created,
        Running,
        Paused,
        Restarting,
        Removing,
        Exited,
        Dead,
    }

    public enum RestartPolicy
    {
        No,
        Always,
        OnFailure,
        UnlessStopped,
    }

    /// <summary>A published (or only exposed) port, as docker ps shows it.</summary>
    public sealed class ContainerPort
    {
        public ContainerPort(int privatePort, string protocol, string? hostIP, int? publicPort)
        {
            PrivatePort = privatePort;
            Protocol = protocol;
            HostIP = string.IsNullOrEmpty(hostIP) ? null : hostIP;
            PublicPort = publicPort;
        }

        public int PrivatePort { get; }

        public string Protocol { get; }

        public string? HostIP { get; }

        public int? PublicPort { get; }

        /// <summary>docker ps form: 127.0.0.1:8080->80/tcp, or 80/tcp when only exposed.</summary>
        public override string ToString()
        {
            var inner = PrivatePort.ToString(CultureInfo.InvariantCulture) + "/" + Protocol;
            if (PublicPort == null)
            {
                return inner;
            }

            var ip = HostIP == null ? string.Empty : (HostIP.Contains(":") ? "[" + HostIP + "]" : HostIP) + ":";
            return ip + PublicPort.Value.ToString(CultureInfo.InvariantCulture) + "->" + inner;
        }
    }

    /// <summary>A container on an engine.</summary>
    public sealed class Container
    {
        internal Container(ContainerEngineConnection engine, string id, string name, string image, string imageId, string command,
            DateTimeOffset created, ContainerState state, string status, IReadOnlyList<ContainerPort> ports,
            IReadOnlyDictionary<string, string> labels, IReadOnlyList<string> networks)
        {
            Engine = engine;
            Id = id;
            Name = name;
            Image = image;
            ImageId = imageId;
            Command = command;
            Created = created;
            State = state;
            Status = status;
            Ports = ports;
            Labels = labels;
            Networks = networks;
        }

        public string Id { get; }

        public string ShortId => Id.Length > 12 ? Id.Substring(0, 12) : Id;

        /// <summary>The name without docker's leading '/'.</summary>
        public string Name { get; }

        public string Image { get; }

        public string ImageId { get; }

        public string Command { get; }

        public DateTimeOffset Created { get; }

        public ContainerState State { get; }

        /// <summary>The engine's human text, e.g. "Up 3 minutes" or "Exited (0) 2 seconds ago".</summary>
        public string Status { get; }

        public IReadOnlyList<ContainerPort> Ports { get; }

        public IReadOnlyDictionary<string, string> Labels { get; }

        public IReadOnlyList<string> Networks { get; }

        /// <summary>The engine this container lives on; piping the object to another cmdlet reaches the same engine.</summary>
        public ContainerEngineConnection Engine { get; }

        /// <summary>Ports joined as docker ps shows them.</summary>
        public string PortsText => string.Join(", ", Ports.Select(p => p.ToString()));

        public override string ToString() => Name;

        internal static ContainerState ParseState(string? state) =>
            Enum.TryParse<ContainerState>(state, ignoreCase: true, out var s) ? s : ContainerState.Unknown;
    }

    /// <summary>What Wait-Container returns.</summary>
    public sealed class ContainerExit
    {
        internal ContainerExit(Container container, long exitCode, string? error)
        {
            Container = container;
            ExitCode = exitCode;
            Error = error;
        }

        public Container Container { get; }

        public string Name => Container.Name;

        public string Id => Container.Id;

        public long ExitCode { get; }

        public string? Error { get; }

        public ContainerEngineConnection Engine => Container.Engine;
    }

    /// <summary>What Invoke-ContainerImage returns: the output lines and the exit code, no text to parse.</summary>
    public sealed class ContainerRunResult
    {
        internal ContainerRunResult(string containerId, string name, string image, long exitCode, IReadOnlyList<string> output,
            IReadOnlyList<string> errorOutput, TimeSpan duration, bool removed, ContainerEngineConnection engine)
        {
            ContainerId = containerId;
            Name = name;
            Image = image;
            ExitCode = exitCode;
            Output = output;
            ErrorOutput = errorOutput;
            Duration = duration;
            Removed = removed;
            Engine = engine;
        }

        public string ContainerId { get; }

        public string Name { get; }

        public string Image { get; }

        public long ExitCode { get; }

        public bool Succeeded => ExitCode == 0;

        /// <summary>Standard output, one string per line.</summary>
        public IReadOnlyList<string> Output { get; }

        /// <summary>Standard error, one string per line.</summary>
        public IReadOnlyList<string> ErrorOutput { get; }

        public TimeSpan Duration { get; }

        /// <summary>False when -KeepContainer left the container on the engine.</summary>
        public bool Removed { get; }

        public ContainerEngineConnection Engine { get; }
    }

    /// <summary>docker version + docker info, in one object.</summary>
    public sealed class ContainerEngineInfo
    {
        internal ContainerEngineInfo(ContainerEngineConnection engine, string name, string serverVersion, string apiVersion,
            string minimumApiVersion, string operatingSystem, string osType, string architecture, string kernelVersion,
            int cpus, long memoryBytes, string storageDriver, string cgroupDriver, string dockerRootDir,
            int containers, int containersRunning, int containersPaused, int containersStopped, int images, string swarmState)
        {
            Engine = engine;
            Name = name;
            ServerVersion = serverVersion;
            ApiVersion = apiVersion;
            MinimumApiVersion = minimumApiVersion;
            OperatingSystem = operatingSystem;
            OSType = osType;
            Architecture = architecture;
            KernelVersion = kernelVersion;
            Cpus = cpus;
            MemoryBytes = memoryBytes;
            StorageDriver = storageDriver;
            CgroupDriver = cgroupDriver;
            DockerRootDir = dockerRootDir;
            Containers = containers;
            ContainersRunning = containersRunning;
            ContainersPaused = containersPaused;
            ContainersStopped = containersStopped;
            Images = images;
            SwarmState = swarmState;
        }

        public ContainerEngineConnection Engine { get; }

        public string Address => Engine.Address;

        /// <summary>The engine host's name.</summary>
        public string Name { get; }

        public string ServerVersion { get; }

        /// <summary>The API version ContainerTools speaks with this engine (negotiated).</summary>
        public string ApiVersion { get; }

        public string MinimumApiVersion { get; }

        public string OperatingSystem { get; }

        public string OSType { get; }

        public string Architecture { get; }

        public string KernelVersion { get; }

        public int Cpus { get; }

        public long MemoryBytes { get; }

        public string StorageDriver { get; }

        public string CgroupDriver { get; }

        public string DockerRootDir { get; }

        public int Containers { get; }

        public int ContainersRunning { get; }

        public int ContainersPaused { get; }

        public int ContainersStopped { get; }

        public int Images { get; }

        public string SwarmState { get; }
    }
}
