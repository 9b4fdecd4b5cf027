using System;
using System.Globalization;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// Parses engine addresses exactly as the docker CLI parses DOCKER_HOST and -H: a missing scheme means
    /// tcp (or unix for a path), a missing host means localhost, a missing tcp port means 2375.
    /// </summary>
    public static class DockerHostParser
    {
        public const string DefaultUnixSocket = "/var/run/docker.sock";
        public const string DefaultNamedPipe = "//./pipe/docker_engine";
        private const string DefaultTcpHost = "localhost";
        private const string DefaultTcpPort = "2375";

        /// <summary>The engine address used when nothing else names one, on this platform.</summary>
        public static string PlatformDefault(bool isWindows) =>
            isWindows ? "npipe://" + DefaultNamedPipe : "unix://" + DefaultUnixSocket;

        /// <summary>Returns the normalised address, or throws InvalidSpecException naming what is wrong.</summary>
        public static string Parse(string value)
        {
            var addr = (value ?? string.Empty).Trim();
            if (addr.Length == 0)
            {
                throw Invalid(value, "the address is empty");
            }

            string proto;
            string rest;
            var sep = addr.IndexOf("://", StringComparison.Ordinal);
            if (sep < 0)
            {
                rest = addr;
                proto = addr.StartsWith("/", StringComparison.Ordinal) || addr.StartsWith("./", StringComparison.Ordinal) ? "unix" : "tcp";
            }
            else
            {
                proto = addr.Substring(0, sep);
                rest = addr.Substring(sep + 3);
            }

            switch (proto)
            {
                case "tcp":
                    return ParseTcp(rest, value!);
                case "unix":
                    return ParseSimple(proto, rest, DefaultUnixSocket, value!);
                case "npipe":
                    return ParseSimple(proto, rest, DefaultNamedPipe, value!);
                case "ssh":
                    throw new ContainerEngineException("EngineSchemeNotSupported", EngineErrorKind.NotSupported,
                        $"The engine address '{value}' uses ssh://, which ContainerTools does not support yet. Forward the remote socket instead (for example 'ssh -L /tmp/docker.sock:/var/run/docker.sock host') and use unix:///tmp/docker.sock, or expose the engine over tcp with TLS.",
                        value);
                case "fd":
                    throw new ContainerEngineException("EngineSchemeNotSupported", EngineErrorKind.NotSupported,
                        $"The engine address '{value}' uses fd://, which only the daemon itself can use. Use the engine's unix socket (unix:///var/run/docker.sock) or a tcp address.",
                        value);
                default:
                    throw Invalid(value, $"'{proto}' is not an engine scheme; use unix://, npipe:// or tcp://");
            }
        }

        private static string ParseSimple(string proto, string addr, string defaultAddr, string original)
        {
            if (addr.Contains("://"))
            {
                throw Invalid(original, $"expected one {proto}:// prefix");
            }

            return proto + "://" + (addr.Length == 0 ? defaultAddr : addr);
        }

        private static string ParseTcp(string addr, string original)
        {
            if (addr.Length == 0)
            {
                return "tcp://" + DefaultTcpHost + ":" + DefaultTcpPort;
            }

            if (addr.Contains("://"))
            {
                throw Invalid(original, "expected one tcp:// prefix");
            }

            // Split off a path (docker keeps it: tcp://host:2375/prefix).
            var path = string.Empty;
            var hostPart = addr;
            var slash = addr.IndexOf('/');
            if (slash >= 0)
            {
                hostPart = addr.Substring(0, slash);
                path = addr.Substring(slash);
            }

            if (hostPart.EndsWith("]:", StringComparison.Ordinal))
            {
                hostPart += DefaultTcpPort;
            }

            if (!TrySplitHostPort(hostPart, out var host, out var port) &&
                !TrySplitHostPort(JoinHostPort(hostPart, DefaultTcpPort), out host, out port))
            {
                throw Invalid(original, "expected host:port");
            }

            if (host.Length == 0)
            {
                host = DefaultTcpHost;
            }

            if (port.Length == 0)
            {
                port = DefaultTcpPort;
            }

            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber > 65535)
            {
                throw Invalid(original, $"'{port}' is not a port number");
            }

            if (host.IndexOfAny(new[] { ' ', '\t', '@', '?', '#' }) >= 0)
            {
                throw Invalid(original, $"'{host}' is not a host name or address");
            }

            return "tcp://" + JoinHostPort(host, port) + path;
        }

        // Go's net.SplitHostPort: "h:p", "[v6]:p"; a bare v6 address or a missing port fails.
        private static bool TrySplitHostPort(string hostport, out string host, out string port)
        {
            host = port = string.Empty;
            var lastColon = hostport.LastIndexOf(':');
            if (lastColon < 0)
            {
                return false;
            }

            if (hostport.StartsWith("[", StringComparison.Ordinal))
            {
                var end = hostport.IndexOf(']');
                if (end < 0 || end + 1 != lastColon)
                {
                    return false;
                }

                host = hostport.Substring(1, end - 1);
            }
            else
            {
                host = hostport.Substring(0, lastColon);
                if (host.IndexOf(':') >= 0)
                {
                    return false;
                }
            }

            port = hostport.Substring(lastColon + 1);
            return true;
        }

        private static string JoinHostPort(string host, string port) =>
            host.IndexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;

        private static InvalidSpecException Invalid(string? value, string reason) =>
            new InvalidSpecException("InvalidEngineAddress",
                $"The engine address '{value}' is not valid: {reason}. Examples: unix:///var/run/docker.sock, tcp://host:2376, npipe:////./pipe/docker_engine, host:2375.",
                value);
    }
}
