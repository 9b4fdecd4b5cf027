using System;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>One resource-usage sample of a container, computed as docker stats computes it.</summary>
    public sealed class ContainerStatistics
    {
        internal ContainerStatistics(ContainerEngineConnection engine, string id, string name, DateTimeOffset read, double cpuPercent,
            long memoryUsage, long memoryLimit, double memoryPercent, long networkReceived, long networkSent, long blockRead, long blockWritten, long pids)
        {
            Engine = engine;
            Id = id;
            Name = name;
            Read = read;
            CpuPercent = cpuPercent;
            MemoryUsage = memoryUsage;
            MemoryLimit = memoryLimit;
            MemoryPercent = memoryPercent;
            NetworkReceived = networkReceived;
            NetworkSent = networkSent;
            BlockRead = blockRead;
            BlockWritten = blockWritten;
            Pids = pids;
        }

        public ContainerEngineConnection Engine { get; }

        public string Id { get; }

        /// <summary>The container's name (no leading '/').</summary>
        public string Name { get; }

        /// <summary>When the engine took the sample (the zero time for a container that is not running).</summary>
        public DateTimeOffset Read { get; }

        /// <summary>CPU use since the previous sample, 100 per fully used CPU (so up to 100 × CPUs), as docker stats shows it.</summary>
        public double CpuPercent { get; }

        /// <summary>Memory in use in bytes, page cache that can be dropped (inactive files) left out, as docker stats shows it.</summary>
        public long MemoryUsage { get; }

        /// <summary>The memory limit in bytes: the container's, or the host's memory when it has none.</summary>
        public long MemoryLimit { get; }

        public double MemoryPercent { get; }

        /// <summary>Bytes received over every network interface.</summary>
        public long NetworkReceived { get; }

        /// <summary>Bytes sent over every network interface.</summary>
        public long NetworkSent { get; }

        /// <summary>Bytes read from block devices.</summary>
        public long BlockRead { get; }

        /// <summary>Bytes written to block devices.</summary>
        public long BlockWritten { get; }

        /// <summary>Processes and threads in the container.</summary>
        public long Pids { get; }

        public string ShortId => Id.Length > 12 ? Id.Substring(0, 12) : Id;
    }
}
