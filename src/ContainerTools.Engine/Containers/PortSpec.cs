using System;
using System.Collections.Generic;
using System.Globalization;

namespace ContainerTools.Engine.Containers
{
    /// <summary>One container port and where it is published on the host.</summary>
    public sealed class PortMapping
    {
        public PortMapping(int containerPort, string protocol, string? hostIP, int? hostPort)
        {
            ContainerPort = containerPort;
            Protocol = protocol;
            HostIP = hostIP;
            HostPort = hostPort;
        }

        public int ContainerPort { get; }

        public string Protocol { get; }

        /// <summary>Null: all interfaces (or the engine's --ip default).</summary>
        public string? HostIP { get; }

        /// <summary>Null: the engine picks a free port.</summary>
        public int? HostPort { get; }

        /// <summary>The engine API's key: "80/tcp".</summary>
        public string Key => ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + Protocol;
    }

    /// <summary>
    /// Parses -Publish values with docker's syntax: [hostIP:][hostPort:]containerPort[/protocol], where
    /// ports may be ranges (8080-8081:80-81) and an IPv6 host address is written in brackets.
    /// </summary>
    public static class PortSpec
    {
        private const string Syntax = "Use [hostIP:][hostPort:]containerPort[/protocol], for example '8080:80', '127.0.0.1:8080:80/udp' or '80'.";

        public static IReadOnlyList<PortMapping> Parse(string value)
        {
            var raw = (value ?? string.Empty).Trim();
            if (raw.Length == 0)
            {
                throw Invalid(value, "it is empty");
            }

            var protocol = "tcp";
            var slash = raw.LastIndexOf('/');
            if (slash >= 0)
            {
                protocol = raw.Substring(slash + 1).ToLowerInvariant();
                raw = raw.Substring(0, slash);
                if (protocol != "tcp" && protocol != "udp" && protocol != "sctp")
                {
                    throw Invalid(value, $"'{protocol}' is not a protocol (tcp, udp or sctp)");
                }
            }

            string? hostIP = null;
            string hostPortText;
            string containerPortText;
            if (raw.StartsWith("[", StringComparison.Ordinal))
            {
                var close = raw.IndexOf(']');
                if (close < 0 || close + 1 >= raw.Length || raw[close + 1] != ':')
                {
                    throw Invalid(value, "an IPv6 host address must be written [address]:hostPort:containerPort");
                }

                hostIP = raw.Substring(1, close - 1);
                var rest = raw.Substring(close + 2).Split(':');
                if (rest.Length != 2)
                {
                    throw Invalid(value, "expected [address]:hostPort:containerPort");
                }

                hostPortText = rest[0];
                containerPortText = rest[1];
            }
            else
            {
                var parts = raw.Split(':');
                switch (parts.Length)
                {
                    case 1:
                        hostPortText = string.Empty;
                        containerPortText = parts[0];
                        break;
                    case 2:
                        hostPortText = parts[0];
                        containerPortText = parts[1];
                        break;
                    case 3:
                        hostIP = parts[0];
                        hostPortText = parts[1];
                        containerPortText = parts[2];
                        break;
                    default:
                        throw Invalid(value, "it has too many ':' parts (write an IPv6 host address in brackets)");
                }
            }

            if (hostIP != null)
            {
                if (!System.Net.IPAddress.TryParse(hostIP, out _))
                {
                    throw Invalid(value, $"'{hostIP}' is not an IP address");
                }
            }

            if (containerPortText.Length == 0)
            {
                throw Invalid(value, "the container port is missing");
            }

            var (containerStart, containerEnd) = ParseRange(containerPortText, value, "container port");
            int? hostStart = null;
            int? hostEnd = null;
            if (hostPortText.Length > 0)
            {
                var (hs, he) = ParseRange(hostPortText, value, "host port");
                hostStart = hs;
                hostEnd = he;
                var containerCount = containerEnd - containerStart;
                var hostCount = he - hs;
                if (containerCount != 0 && containerCount != hostCount)
                {
                    throw Invalid(value, "the host and container port ranges have different lengths");
                }
            }

            var result = new List<PortMapping>();
            for (var p = containerStart; p <= containerEnd; p++)
            {
                int? hostPort = null;
                if (hostStart != null)
                {
                    // One container port with a host range: the engine picks a port from the range (docker sends the range as text).
                    hostPort = containerStart == containerEnd ? hostStart : hostStart + (p - containerStart);
                }

                result.Add(new PortMapping(p, protocol, hostIP, hostPort));
            }

            return result;
        }

        private static (int Start, int End) ParseRange(string text, string? original, string what)
        {
            var dash = text.IndexOf('-');
            if (dash < 0)
            {
                var single = ParsePort(text, original, what);
                return (single, single);
            }

            var start = ParsePort(text.Substring(0, dash), original, what);
            var end = ParsePort(text.Substring(dash + 1), original, what);
            if (end < start)
            {
                throw Invalid(original, $"the {what} range {text} ends before it starts");
            }

            return (start, end);
        }

        private static int ParsePort(string text, string? original, string what)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port < 1 || port > 65535)
            {
                throw Invalid(original, $"the {what} '{text}' is not a number from 1 to 65535");
            }

            return port;
        }

        private static InvalidSpecException Invalid(string? value, string reason) =>
            new InvalidSpecException("InvalidPublishSpec", $"The -Publish value '{value}' is not valid: {reason}. {Syntax}", value);
    }
}
