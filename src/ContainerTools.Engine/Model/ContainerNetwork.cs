using System;
using System.Collections.Generic;
using System.Linq;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>A network on an engine, as docker network inspect shows it.</summary>
    public sealed class ContainerNetwork
    {
        /// <summary>The networks every engine has and that cannot be removed.</summary>
        public static readonly IReadOnlyList<string> PredefinedNames = new[] { "bridge", "host", "none" };

        internal ContainerNetwork(ContainerEngineConnection engine, string id, string name, string driver, string scope, DateTimeOffset? created,
            bool @internal, bool attachable, bool ingress, bool ipv6Enabled, string ipamDriver, IReadOnlyList<NetworkSubnet> subnets,
            IReadOnlyDictionary<string, string> options, IReadOnlyDictionary<string, string> labels, IReadOnlyList<NetworkEndpoint> containers)
        {
            Engine = engine;
            Id = id;
            Name = name;
            Driver = driver;
            Scope = scope;
            Created = created;
            Internal = @internal;
            Attachable = attachable;
            Ingress = ingress;
            IPv6Enabled = ipv6Enabled;
            IpamDriver = ipamDriver;
            Subnets = subnets;
            Options = options;
            Labels = labels;
            Containers = containers;
        }

        public string Id { get; }

        /// <summary>The first 12 hex digits, as docker network ls shows them.</summary>
        public string ShortId => Id.Length > 12 ? Id.Substring(0, 12) : Id;

        public string Name { get; }

        /// <summary>bridge, host, null, overlay, macvlan, …</summary>
        public string Driver { get; }

        /// <summary>local, swarm or global.</summary>
        public string Scope { get; }

        public DateTimeOffset? Created { get; }

        /// <summary>No route to the outside (docker network create --internal).</summary>
        public bool Internal { get; }

        /// <summary>Standalone containers may join a swarm-scoped network.</summary>
        public bool Attachable { get; }

        public bool Ingress { get; }

        public bool IPv6Enabled { get; }

        public string IpamDriver { get; }

        /// <summary>The address pools: subnet, gateway, IP range.</summary>
        public IReadOnlyList<NetworkSubnet> Subnets { get; }

        /// <summary>The first IPv4 subnet (CIDR), or the first subnet, or null.</summary>
        public string? Subnet => (Subnets.FirstOrDefault(s => s.Subnet.IndexOf(':') < 0) ?? Subnets.FirstOrDefault())?.Subnet;

        /// <summary>The gateway of <see cref="Subnet"/>.</summary>
        public string? Gateway => (Subnets.FirstOrDefault(s => s.Subnet.IndexOf(':') < 0) ?? Subnets.FirstOrDefault())?.Gateway;

        /// <summary>Driver options (docker network create -o).</summary>
        public IReadOnlyDictionary<string, string> Options { get; }

        public IReadOnlyDictionary<string, string> Labels { get; }

        /// <summary>The running containers attached to the network, with their addresses.</summary>
        public IReadOnlyList<NetworkEndpoint> Containers { get; }

        /// <summary>bridge, host or none: every engine has them and they cannot be removed.</summary>
        public bool Predefined => PredefinedNames.Contains(Name, StringComparer.Ordinal);

        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Name;
    }

    /// <summary>One address pool of a network (docker network create --subnet/--gateway/--ip-range).</summary>
    public sealed class NetworkSubnet
    {
        public NetworkSubnet(string subnet, string? gateway, string? ipRange)
        {
            Subnet = subnet;
            Gateway = string.IsNullOrEmpty(gateway) ? null : gateway;
            IPRange = string.IsNullOrEmpty(ipRange) ? null : ipRange;
        }

        public string Subnet { get; }

        public string? Gateway { get; }

        public string? IPRange { get; }

        public override string ToString() => Subnet + (Gateway != null ? " via " + Gateway : string.Empty) + (IPRange != null ? " range " + IPRange : string.Empty);
    }

    /// <summary>A container's attachment to a network: its addresses there.</summary>
    public sealed class NetworkEndpoint
    {
        internal NetworkEndpoint(string containerId, string containerName, string? ipv4Address, string? ipv6Address, string? macAddress)
        {
            ContainerId = containerId;
            ContainerName = containerName;
            IPv4Address = string.IsNullOrEmpty(ipv4Address) ? null : ipv4Address;
            IPv6Address = string.IsNullOrEmpty(ipv6Address) ? null : ipv6Address;
            MacAddress = string.IsNullOrEmpty(macAddress) ? null : macAddress;
        }

        public string ContainerId { get; }

        public string ContainerName { get; }

        /// <summary>CIDR form, as docker network inspect shows it (10.0.0.2/24).</summary>
        public string? IPv4Address { get; }

        public string? IPv6Address { get; }

        public string? MacAddress { get; }

        public override string ToString() => ContainerName + (IPv4Address != null ? " " + IPv4Address : string.Empty);
    }
}
