using System;
using System.Collections.Generic;
using System.Text;

namespace ContainerTools.Engine.Machines.Wsl
{
    /// <summary>One line of "wsl.exe --list --verbose".</summary>
    public sealed class WslDistribution
    {
        public WslDistribution(string name, string state, int version, bool isDefault)
        {
            Name = name;
            State = state;
            Version = version;
            IsDefault = isDefault;
        }

        public string Name { get; }

        /// <summary>As wsl.exe writes it: Running, Stopped, Installing, Converting, Uninstalling.</summary>
        public string State { get; }

        public int Version { get; }

        public bool IsDefault { get; }
    }

    /// <summary>
    /// wsl.exe writes UTF-16LE on many Windows builds (UTF-8 only with WSL_UTF8=1 or on new builds), and whoever
    /// read its output may have decoded those bytes as UTF-8 or the ANSI code page. These helpers recover the text
    /// whichever way it was decoded, and parse the distribution list from it.
    /// </summary>
    public static class WslText
    {
        /// <summary>Decodes wsl.exe's raw output bytes: UTF-16LE when it has a BOM or NUL bytes in the ASCII pattern, else UTF-8.</summary>
        public static string Decode(byte[] output)
        {
            if (output.Length >= 2 && output[0] == 0xFF && output[1] == 0xFE)
            {
                return Encoding.Unicode.GetString(output, 2, output.Length - 2);
            }

            var zeros = 0;
            for (var i = 1; i < output.Length; i += 2)
            {
                if (output[i] == 0)
                {
                    zeros++;
                }
            }

            return output.Length >= 2 && zeros * 2 >= output.Length / 2
                ? Encoding.Unicode.GetString(output)
                : Encoding.UTF8.GetString(output);
        }

        /// <summary>Repairs text that was decoded with the wrong encoding: NULs from UTF-16 read as bytes, and UTF-8 read as UTF-16.</summary>
        public static string Normalize(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }

            if (LooksLikeBytesReadAsUtf16(text))
            {
                text = Encoding.UTF8.GetString(Encoding.Unicode.GetBytes(text));
            }

            var clean = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (c != '\0' && c != '\uFEFF')
                {
                    clean.Append(c);
                }
            }

            return clean.ToString();
        }

        /// <summary>Parses "wsl.exe --list --verbose". A header line (NAME STATE VERSION, localised or not) is skipped.</summary>
        public static IReadOnlyList<WslDistribution> ParseList(string output)
        {
            var result = new List<WslDistribution>();
            var lines = Normalize(output).Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries);
            foreach (var raw in lines)
            {
                var line = raw.Trim();
                var isDefault = line.StartsWith("*", StringComparison.Ordinal);
                if (isDefault)
                {
                    line = line.Substring(1).Trim();
                }

                var parts = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);

                // A distribution line ends in its version number; the header and any message do not.
                if (parts.Length < 3 || !int.TryParse(parts[parts.Length - 1], out var version))
                {
                    continue;
                }

                var name = string.Join(" ", parts, 0, parts.Length - 2);
                result.Add(new WslDistribution(name, parts[parts.Length - 2], version, isDefault));
            }

            return result;
        }

        // UTF-8/ASCII bytes decoded as UTF-16 pair up into code points far above ASCII, with no plain letter left.
        private static bool LooksLikeBytesReadAsUtf16(string text)
        {
            var high = 0;
            foreach (var c in text)
            {
                if (c < 0x80 && c != '\0')
                {
                    return false;
                }

                if (c >= 0x2000)
                {
                    high++;
                }
            }

            return high > 0;
        }
    }
}
