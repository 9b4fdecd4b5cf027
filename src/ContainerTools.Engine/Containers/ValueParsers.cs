using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Containers
{
    /// <summary>Small docker value syntaxes: sizes ('512m'), CPU counts, env files.</summary>
    public static class ValueParsers
    {
        /// <summary>Bytes from docker's RAM syntax: 1024, 512k, 512m, 1.5g, 1gb (binary units, case-insensitive).</summary>
        public static long ParseBytes(string value, string parameterName)
        {
            if (!TryParseBytes(value, out var bytes))
            {
                throw new InvalidSpecException("InvalidSize",
                    $"The -{parameterName} value '{value}' is not a size. Use bytes (536870912) or a number with a unit: 512k, 512m, 1.5g.", value);
            }

            return bytes;
        }

        /// <summary>ParseBytes for callers that report a bad size their own way (a compose file names the line).</summary>
        internal static bool TryParseBytes(string? value, out long bytes)
        {
            var match = SizePattern.Match((value ?? string.Empty).Trim());
            if (!match.Success ||
                !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                bytes = 0;
                return false;
            }

            var shift = "bkmgtp".IndexOf(match.Groups[2].Success && match.Groups[2].Length > 0 ? char.ToLowerInvariant(match.Groups[2].Value[0]) : 'b');
            bytes = (long)(number * (1L << (10 * shift)));
            return true;
        }

        private static readonly Regex SizePattern = new Regex(@"^(\d+(?:\.\d+)?)\s*([bkmgtpBKMGTP]?)[bB]?$", RegexOptions.CultureInvariant);

        /// <summary>Nano-CPUs from a CPU count (1.5 → 1500000000).</summary>
        public static long ToNanoCpus(double cpus)
        {
            if (cpus <= 0 || double.IsNaN(cpus) || double.IsInfinity(cpus))
            {
                throw new InvalidSpecException("InvalidCpus", $"The -Cpus value '{cpus.ToString(CultureInfo.InvariantCulture)}' must be a positive number of CPUs, e.g. 0.5 or 2.", cpus);
            }

            return (long)Math.Round(cpus * 1e9);
        }

        /// <summary>
        /// Reads an env file as 'docker run --env-file' does: KEY=VALUE lines taken literally (no quotes
        /// removed, no substitution), '#' comment lines, and a bare KEY taking its value from the environment.
        /// </summary>
        public static IEnumerable<KeyValuePair<string, string?>> ReadEnvironmentFile(string path, Func<string, string?> getVariable)
        {
            if (!File.Exists(path))
            {
                throw new InvalidSpecException("EnvironmentFileNotFound", $"The environment file '{path}' does not exist.", path);
            }

            var lineNumber = 0;
            foreach (var rawLine in File.ReadLines(path))
            {
                lineNumber++;
                var line = rawLine.TrimStart();
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                var eq = line.IndexOf('=');
                var key = eq < 0 ? line.TrimEnd() : line.Substring(0, eq);
                if (key.Length == 0 || key.IndexOfAny(new[] { ' ', '\t' }) >= 0)
                {
                    throw new InvalidSpecException("InvalidEnvironmentFile",
                        $"The environment file '{path}' has an invalid line {lineNumber}: '{rawLine}'. Each line is KEY=VALUE, KEY, or a # comment; keys have no spaces.", path);
                }

                if (eq < 0)
                {
                    var fromEnvironment = getVariable(key);
                    if (fromEnvironment != null)
                    {
                        yield return new KeyValuePair<string, string?>(key, fromEnvironment);
                    }

                    continue;
                }

                yield return new KeyValuePair<string, string?>(key, line.Substring(eq + 1));
            }
        }
    }
}
