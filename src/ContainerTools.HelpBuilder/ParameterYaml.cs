using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using ContainerTools.HelpBuilder.Markdown;

namespace ContainerTools.HelpBuilder
{
    /// <summary>One entry of a parameter's ParameterSets list.</summary>
    public sealed record ParameterSetMembership(
        string Name,
        string Position,
        bool IsRequired,
        bool ValueFromPipeline,
        bool ValueFromPipelineByPropertyName,
        bool ValueFromRemainingArguments)
    {
        /// <summary>The name PlatyPS writes for a parameter that is in every parameter set.</summary>
        public const string AllSets = "(All)";

        public bool IsNamed => string.Equals(Position, "Named", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The YAML block under a parameter's heading, in the PlatyPS 1.x (2024-05-01) layout:
    /// Type, DefaultValue, SupportsWildcards, Aliases, ParameterSets, DontShow, AcceptedValues, HelpMessage.
    /// </summary>
    public sealed record ParameterYaml(
        string Type,
        string DefaultValue,
        bool SupportsWildcards,
        IReadOnlyList<string> Aliases,
        IReadOnlyList<ParameterSetMembership> ParameterSets,
        bool DontShow,
        IReadOnlyList<string> AcceptedValues,
        string HelpMessage)
    {
        private static readonly string[] RequiredKeys =
            { "Type", "DefaultValue", "SupportsWildcards", "Aliases", "ParameterSets", "DontShow", "AcceptedValues", "HelpMessage" };

        // ParameterValue is written by some PlatyPS 1.0 previews; accepted and ignored.
        private static readonly string[] OptionalKeys = { "ParameterValue" };

        private static readonly string[] SetKeys =
            { "Name", "Position", "IsRequired", "ValueFromPipeline", "ValueFromPipelineByPropertyName", "ValueFromRemainingArguments" };

        private static readonly Regex KeyLine = new Regex(@"^([A-Za-z]+):(?:\s+(.*))?$", RegexOptions.CultureInvariant);

        /// <summary>The type name without a namespace, as Get-Help shows it: String[], SwitchParameter.</summary>
        public string ShortTypeName
        {
            get
            {
                var generic = Type.IndexOf('`', StringComparison.Ordinal);
                var name = generic < 0 ? Type : Type.Substring(0, generic);
                var dot = name.LastIndexOf('.');
                return dot < 0 ? name : name.Substring(dot + 1);
            }
        }

        public bool IsSwitch => ShortTypeName == "SwitchParameter";

        public bool IsArray => Type.EndsWith("[]", StringComparison.Ordinal);

        /// <summary>Reads the YAML block; every key of the schema must be there, and no other.</summary>
        public static ParameterYaml Parse(string path, CodeBlock yaml)
        {
            var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
            var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var sets = new List<Dictionary<string, string>>();
            var lines = yaml.Content.Split('\n');
            string? openList = null;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var lineNumber = yaml.Line + 1 + i;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("  ", StringComparison.Ordinal))
                {
                    if (openList == null)
                    {
                        throw new HelpFormatException(path, lineNumber, $"'{line.Trim()}' belongs to no list key.");
                    }

                    if (openList == "ParameterSets")
                    {
                        ReadSetLine(path, lineNumber, line, sets);
                    }
                    else if (line.StartsWith("- ", StringComparison.Ordinal))
                    {
                        lists[openList].Add(MarkdownDocument.Unquote(line.Substring(2).Trim()));
                    }
                    else
                    {
                        throw new HelpFormatException(path, lineNumber, $"'{line.Trim()}' is not an item of {openList}.");
                    }

                    continue;
                }

                var match = KeyLine.Match(line);
                if (!match.Success)
                {
                    throw new HelpFormatException(path, lineNumber, $"'{line}' is not 'Key: value'.");
                }

                var key = match.Groups[1].Value;
                var value = match.Groups[2].Success ? match.Groups[2].Value.Trim() : string.Empty;
                if (!RequiredKeys.Contains(key) && !OptionalKeys.Contains(key))
                {
                    throw new HelpFormatException(path, lineNumber, $"'{key}' is not a key of the PlatyPS parameter schema ({string.Join(", ", RequiredKeys)}).");
                }

                if (scalars.ContainsKey(key) || lists.ContainsKey(key))
                {
                    throw new HelpFormatException(path, lineNumber, $"'{key}' is given twice.");
                }

                openList = null;
                if (value.Length == 0)
                {
                    lists[key] = new List<string>();
                    openList = key;
                }
                else if (value == "[]")
                {
                    lists[key] = new List<string>();
                }
                else
                {
                    scalars[key] = MarkdownDocument.Unquote(value);
                }
            }

            foreach (var key in RequiredKeys.Where(k => !scalars.ContainsKey(k) && !lists.ContainsKey(k)))
            {
                throw new HelpFormatException(path, yaml.Line, $"the parameter's YAML block lacks '{key}'.");
            }

            var memberships = sets.Select(s => ToMembership(path, yaml.Line, s)).ToList();
            if (memberships.Count == 0)
            {
                throw new HelpFormatException(path, yaml.Line, "ParameterSets lists no parameter set.");
            }

            return new ParameterYaml(
                Scalar(path, yaml.Line, scalars, "Type"),
                scalars.TryGetValue("DefaultValue", out var defaultValue) ? defaultValue : string.Empty,
                Bool(path, yaml.Line, Scalar(path, yaml.Line, scalars, "SupportsWildcards")),
                ListOf(path, yaml.Line, lists, "Aliases"),
                memberships,
                Bool(path, yaml.Line, Scalar(path, yaml.Line, scalars, "DontShow")),
                ListOf(path, yaml.Line, lists, "AcceptedValues"),
                scalars.TryGetValue("HelpMessage", out var helpMessage) ? helpMessage : string.Empty);
        }

        private static void ReadSetLine(string path, int lineNumber, string line, List<Dictionary<string, string>> sets)
        {
            string entry;
            if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                sets.Add(new Dictionary<string, string>(StringComparer.Ordinal));
                entry = line.Substring(2);
            }
            else if (sets.Count > 0)
            {
                entry = line.Substring(2);
            }
            else
            {
                throw new HelpFormatException(path, lineNumber, "a ParameterSets entry must start with '- Name: ...'.");
            }

            var match = KeyLine.Match(entry);
            if (!match.Success || !SetKeys.Contains(match.Groups[1].Value))
            {
                throw new HelpFormatException(path, lineNumber, $"'{entry.Trim()}' is not one of {string.Join(", ", SetKeys)}.");
            }

            sets[sets.Count - 1][match.Groups[1].Value] = MarkdownDocument.Unquote(match.Groups[2].Value.Trim());
        }

        private static ParameterSetMembership ToMembership(string path, int line, Dictionary<string, string> set)
        {
            foreach (var key in SetKeys.Where(k => !set.ContainsKey(k)))
            {
                throw new HelpFormatException(path, line, $"a ParameterSets entry lacks '{key}'.");
            }

            var position = set["Position"];
            if (!string.Equals(position, "Named", StringComparison.OrdinalIgnoreCase) &&
                !int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new HelpFormatException(path, line, $"Position '{position}' is neither 'Named' nor a number.");
            }

            return new ParameterSetMembership(set["Name"], position, Bool(path, line, set["IsRequired"]), Bool(path, line, set["ValueFromPipeline"]),
                Bool(path, line, set["ValueFromPipelineByPropertyName"]), Bool(path, line, set["ValueFromRemainingArguments"]));
        }

        private static string Scalar(string path, int line, Dictionary<string, string> scalars, string key) =>
            scalars.TryGetValue(key, out var value) ? value : throw new HelpFormatException(path, line, $"'{key}' must be a single value.");

        private static IReadOnlyList<string> ListOf(string path, int line, Dictionary<string, List<string>> lists, string key) =>
            lists.TryGetValue(key, out var value) ? value : throw new HelpFormatException(path, line, $"'{key}' must be a list ([] when empty).");

        private static bool Bool(string path, int line, string value) =>
            value switch
            {
                "true" or "True" => true,
                "false" or "False" => false,
                _ => throw new HelpFormatException(path, line, $"'{value}' is not true or false."),
            };
    }
}
