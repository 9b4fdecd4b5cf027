using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace ContainerTools.Engine.Networks
{
    /// <summary>What New-ContainerNetwork can say (docker network create).</summary>
    public sealed class NetworkCreateSpec
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>bridge when omitted (the engine's default for a local network).</summary>
        public string? Driver { get; set; }

        /// <summary>Subnets in CIDR form (10.1.0.0/24, fd00::/64).</summary>
        public IList<string> Subnets { get; } = new List<string>();

        /// <summary>Gateways; each belongs to the subnet that contains it.</summary>
        public IList<string> Gateways { get; } = new List<string>();

        /// <summary>Ranges (CIDR) to allocate container addresses from; each inside a subnet.</summary>
        public IList<string> IPRanges { get; } = new List<string>();

        public bool Internal { get; set; }

        public bool Attachable { get; set; }

        public bool EnableIPv6 { get; set; }

        public IDictionary<string, string> Options { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The subnets with their gateway and range, checked as docker network create checks them, before the engine is asked.</summary>
        internal IReadOnlyList<(string Subnet, string? Gateway, string? IPRange)> Pools()
        {
            if (string.IsNullOrWhiteSpace(Name))
            {
                throw new InvalidSpecException("InvalidNetworkName", "The network name is empty.", Name);
            }

            var subnets = Subnets.Select(s => (Text: s.Trim(), Cidr: Cidr.Parse(s, "Subnet"))).ToList();
            var pools = subnets.Select(s => (Subnet: s.Cidr.Network, Gateway: (string?)null, IPRange: (string?)null)).ToList();
            foreach (var gateway in Gateways)
            {
                if (!IPAddress.TryParse(gateway.Trim(), out var address))
                {
                    throw new InvalidSpecException("InvalidGateway", $"-Gateway '{gateway}' is not an IP address. Give an address inside the subnet, e.g. 10.213.5.1 for 10.213.5.0/24.", gateway);
                }

                Assign(subnets.Select(s => s.Cidr).ToList(), pools, c => c.Contains(address), "Gateway", gateway, (p, v) => (p.Subnet, v, p.IPRange), p => p.Gateway);
            }

            foreach (var range in IPRanges)
            {
                var cidr = Cidr.Parse(range, "IPRange");
                Assign(subnets.Select(s => s.Cidr).ToList(), pools, c => c.Contains(cidr), "IPRange", cidr.Network, (p, v) => (p.Subnet, p.Gateway, v), p => p.IPRange);
            }

            return pools;
        }

        private static void Assign(IList<Cidr> subnets, IList<(string Subnet, string? Gateway, string? IPRange)> pools, Func<Cidr, bool> inside,
            string parameter, string value, Func<(string Subnet, string? Gateway, string? IPRange), string, (string, string?, string?)> with,
            Func<(string Subnet, string? Gateway, string? IPRange), string?> current)
        {
            if (subnets.Count == 0)
            {
                throw new InvalidSpecException("NoSubnetFor" + parameter, $"-{parameter} '{value}' needs -Subnet: give the subnet it belongs to.", value);
            }

            var index = Enumerable.Range(0, subnets.Count).Where(i => inside(subnets[i])).DefaultIfEmpty(-1).First();
            if (index < 0)
            {
                throw new InvalidSpecException(parameter + "OutsideSubnet",
                    $"-{parameter} '{value}' is not inside any -Subnet ({string.Join(", ", subnets.Select(s => s.Network))}).", value);
            }

            if (current(pools[index]) != null)
            {
                throw new InvalidSpecException("Duplicate" + parameter, $"Subnet {subnets[index].Network} has two values for -{parameter}; give one per subnet.", value);
            }

            pools[index] = with(pools[index], value.Trim());
        }
    }

    /// <summary>An address block in CIDR notation (address/prefix). Host bits are the engine's to judge.</summary>
    internal readonly struct Cidr
    {
        private Cidr(byte[] bytes, int prefix, string network)
        {
            Bytes = bytes;
            Prefix = prefix;
            Network = network;
        }

        public byte[] Bytes { get; }

        public int Prefix { get; }

        /// <summary>As written (docker keeps the text as given, e.g. 10.1.0.0/24).</summary>
        public string Network { get; }

        public static Cidr Parse(string text, string parameter)
        {
            var t = (text ?? string.Empty).Trim();
            var slash = t.IndexOf('/');
            if (slash > 0 && IPAddress.TryParse(t.Substring(0, slash), out var address) &&
                int.TryParse(t.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) &&
                prefix <= (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) && t.Substring(0, slash).IndexOf('%') < 0 &&
                (address.AddressFamily != AddressFamily.InterNetwork || t.Substring(0, slash).Split('.').Length == 4))
            {
                return new Cidr(address.GetAddressBytes(), prefix, t);
            }

            throw new InvalidSpecException("Invalid" + parameter,
                $"-{parameter} '{text}' is not an address block in CIDR notation. Write it as address/prefix, e.g. 10.213.5.0/24 or fd00:213::/64.", text);
        }

        public bool Contains(IPAddress address) => Matches(address.GetAddressBytes(), Prefix);

        public bool Contains(Cidr other) => other.Prefix >= Prefix && Matches(other.Bytes, Prefix);

        private bool Matches(byte[] other, int bits)
        {
            if (other.Length != Bytes.Length)
            {
                return false;
            }

            for (var i = 0; i < Bytes.Length && bits > 0; i++, bits -= 8)
            {
                var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
                if ((Bytes[i] & mask) != (other[i] & mask))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
