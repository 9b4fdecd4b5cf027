using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Swarm;

namespace ContainerTools.Engine.Model
{
    /// <summary>A swarm service as docker service ls / docker service inspect show it.</summary>
    public sealed class ContainerService
    {
        internal ContainerService(ContainerEngineConnection engine, string id, long version, ServiceSpecification specification, long desiredTasks, long runningTasks,
            IReadOnlyList<ServicePort> ports, string updateState, string updateMessage, DateTimeOffset? createdAt, DateTimeOffset? updatedAt)
        {
            Engine = engine;
            Id = id;
            Version = version;
            Specification = specification;
            Replicas = specification.Global ? desiredTasks : specification.Replicas ?? 1;
            RunningTasks = runningTasks;
            Ports = ports;
            UpdateState = updateState;
            UpdateMessage = updateMessage;
            CreatedAt = createdAt;
            UpdatedAt = updatedAt;
        }

        public string Id { get; }

        public string ShortId => Id.Length > 12 ? Id.Substring(0, 12) : Id;

        public string Name => Specification.Name;

        /// <summary>Replicated or Global.</summary>
        public string Mode => Specification.Global ? "Global" : "Replicated";

        /// <summary>How many tasks should run (for a global service: how many nodes qualify).</summary>
        public long Replicas { get; }

        /// <summary>How many tasks run now.</summary>
        public long RunningTasks { get; }

        /// <summary>RUNNING/DESIRED, as docker service ls shows REPLICAS.</summary>
        public string ReplicaStatus => RunningTasks.ToString(CultureInfo.InvariantCulture) + "/" + Replicas.ToString(CultureInfo.InvariantCulture);

        public string Image => Specification.Image;

        /// <summary>The published ports (with the port the swarm chose, when none was asked for).</summary>
        public IReadOnlyList<ServicePort> Ports { get; }

        public IDictionary<string, string> Labels => Specification.Labels;

        public IDictionary<string, string> Environment => Specification.Environment;

        public IList<string> Constraints => Specification.Constraints;

        public ServiceUpdateConfig? UpdateConfig => Specification.UpdateConfig;

        /// <summary>The state of the last rolling update: updating, completed, paused, rollback_started, rollback_completed…; empty before any.</summary>
        public string UpdateState { get; }

        /// <summary>The engine's word on the last update (why it paused).</summary>
        public string UpdateMessage { get; }

        /// <summary>The service's version index: it changes with every update the engine takes.</summary>
        public long Version { get; }

        /// <summary>Everything the service is set to, as a ServiceSpecification (a copy to change and give back to an update).</summary>
        public ServiceSpecification Specification { get; }

        public DateTimeOffset? CreatedAt { get; }

        public DateTimeOffset? UpdatedAt { get; }

        /// <summary>The manager the service was read from.</summary>
        public ContainerEngineConnection Engine { get; }

        /// <summary>Ports as docker service ls shows them: *:8080->80/tcp.</summary>
        public string PortsText => string.Join(", ", Ports.Select(p => "*:" + (p.Published?.ToString(CultureInfo.InvariantCulture) ?? string.Empty) + "->" +
            p.Target.ToString(CultureInfo.InvariantCulture) + "/" + p.Protocol));

        public override string ToString() => Name;
    }

    /// <summary>One task of a swarm service (docker service ps): a slot's container on a node.</summary>
    public sealed class ContainerServiceTask
    {
        internal ContainerServiceTask(ContainerEngineConnection engine, string id, string serviceId, string serviceName, long slot, string nodeId, string node, string image,
            string desiredState, string currentState, DateTimeOffset? timestamp, string error, string containerId)
        {
            Engine = engine;
            Id = id;
            ServiceId = serviceId;
            ServiceName = serviceName;
            Slot = slot;
            NodeId = nodeId;
            Node = node;
            Image = image;
            DesiredState = desiredState;
            CurrentState = currentState;
            Timestamp = timestamp;
            Error = error;
            ContainerId = containerId;
        }

        public string Id { get; }

        public string ShortId => Id.Length > 12 ? Id.Substring(0, 12) : Id;

        /// <summary>service.slot for replicated services, service.node-id for global ones (as docker service ps names them).</summary>
        public string Name => ServiceName + "." + (Slot > 0 ? Slot.ToString(CultureInfo.InvariantCulture) : NodeId);

        public string ServiceName { get; }

        public string ServiceId { get; }

        /// <summary>The replica's number; 0 for a global service's task.</summary>
        public long Slot { get; }

        public string Image { get; }

        public string NodeId { get; }

        /// <summary>The node's hostname.</summary>
        public string Node { get; }

        /// <summary>Running, Shutdown, Ready, Accepted…: what the swarm wants of the task.</summary>
        public string DesiredState { get; }

        /// <summary>Running, Pending, Failed, Rejected, Shutdown, Complete…: where the task is.</summary>
        public string CurrentState { get; }

        /// <summary>When the task reached its current state.</summary>
        public DateTimeOffset? Timestamp { get; }

        /// <summary>Why the task failed or cannot be placed.</summary>
        public string Error { get; }

        public string ContainerId { get; }

        /// <summary>The manager the task was read from.</summary>
        public ContainerEngineConnection Engine { get; }

        /// <summary>CURRENT STATE as docker service ps shows it: "Running 2 minutes ago".</summary>
        public string CurrentStateText => Timestamp == null ? CurrentState : CurrentState + " " + Ago(DateTimeOffset.UtcNow - Timestamp.Value);

        public override string ToString() => Name;

        private static string Ago(TimeSpan span)
        {
            if (span.TotalSeconds < 60)
            {
                return Math.Max(1, (int)span.TotalSeconds) + " seconds ago";
            }

            if (span.TotalMinutes < 60)
            {
                return (int)span.TotalMinutes + " minutes ago";
            }

            return span.TotalHours < 48 ? (int)span.TotalHours + " hours ago" : (int)span.TotalDays + " days ago";
        }
    }
}
