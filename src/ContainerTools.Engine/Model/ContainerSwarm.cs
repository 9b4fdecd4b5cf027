using System;
using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>What a node is in a swarm: workers run tasks, managers also hold the swarm's state and accept commands.</summary>
    public enum SwarmNodeRole
    {
        Worker,
        Manager,
    }

    /// <summary>The tokens other engines join the swarm with (docker swarm join-token worker / manager).</summary>
    public sealed class ContainerSwarmJoinTokens
    {
        internal ContainerSwarmJoinTokens(string worker, string manager)
        {
            Worker = worker;
            Manager = manager;
        }

        public string Worker { get; }

        public string Manager { get; }

        public override string ToString() => "Worker, Manager";
    }

    /// <summary>A swarm as one of its managers sees it (docker swarm init / docker info / docker swarm join-token).</summary>
    public sealed class ContainerSwarm
    {
        internal ContainerSwarm(ContainerEngineConnection engine, string id, DateTimeOffset? createdAt, DateTimeOffset? updatedAt, ContainerSwarmJoinTokens joinTokens,
            string nodeId, string nodeAddress, IReadOnlyList<string> managerAddresses, int nodes, int managers)
        {
            Engine = engine;
            Id = id;
            CreatedAt = createdAt;
            UpdatedAt = updatedAt;
            JoinTokens = joinTokens;
            NodeId = nodeId;
            NodeAddress = nodeAddress;
            ManagerAddresses = managerAddresses;
            Nodes = nodes;
            Managers = managers;
        }

        /// <summary>The cluster id.</summary>
        public string Id { get; }

        public DateTimeOffset? CreatedAt { get; }

        public DateTimeOffset? UpdatedAt { get; }

        /// <summary>Worker and Manager: give one to Join-ContainerSwarm -Token.</summary>
        public ContainerSwarmJoinTokens JoinTokens { get; }

        /// <summary>The node id of the engine this came from.</summary>
        public string NodeId { get; }

        /// <summary>The address the engine this came from advertises to the other nodes.</summary>
        public string NodeAddress { get; }

        /// <summary>Where the managers listen (host:2377): give one to Join-ContainerSwarm -RemoteAddress.</summary>
        public IReadOnlyList<string> ManagerAddresses { get; }

        /// <summary>How many nodes the swarm has.</summary>
        public int Nodes { get; }

        public int Managers { get; }

        /// <summary>The manager this came from.</summary>
        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Id;
    }

    /// <summary>A node of a swarm, as docker node ls / docker node inspect show it.</summary>
    public sealed class ContainerSwarmNode
    {
        internal ContainerSwarmNode(ContainerEngineConnection engine, string id, string hostname, SwarmNodeRole role, string status, string availability,
            string managerStatus, string engineVersion, string address, bool self, IReadOnlyDictionary<string, string> labels, DateTimeOffset? createdAt)
        {
            Engine = engine;
            Id = id;
            Hostname = hostname;
            Role = role;
            Status = status;
            Availability = availability;
            ManagerStatus = managerStatus;
            EngineVersion = engineVersion;
            Address = address;
            Self = self;
            Labels = labels;
            CreatedAt = createdAt;
        }

        public string Id { get; }

        public string ShortId => Id.Length > 25 ? Id.Substring(0, 25) : Id;

        public string Hostname { get; }

        public SwarmNodeRole Role { get; }

        /// <summary>Ready, Down, Unknown or Disconnected.</summary>
        public string Status { get; }

        /// <summary>Active, Pause or Drain.</summary>
        public string Availability { get; }

        /// <summary>Leader, Reachable or Unreachable for managers; empty for workers.</summary>
        public string ManagerStatus { get; }

        public string EngineVersion { get; }

        /// <summary>The node's address as the swarm sees it.</summary>
        public string Address { get; }

        /// <summary>The node of the engine that was asked (docker node ls marks it with '*').</summary>
        public bool Self { get; }

        /// <summary>The node's labels (docker node update --label-add).</summary>
        public IReadOnlyDictionary<string, string> Labels { get; }

        public DateTimeOffset? CreatedAt { get; }

        /// <summary>The manager that listed the node.</summary>
        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Hostname;
    }
}
