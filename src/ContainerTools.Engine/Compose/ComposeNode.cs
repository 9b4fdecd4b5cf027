using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ContainerTools.Engine.Compose
{
    internal enum ComposeNodeKind
    {
        Scalar,
        Mapping,
        Sequence,
    }

    /// <summary>
    /// One node of a compose file after YAML parsing, anchors/merge keys and interpolation: our own tree (no
    /// YamlDotNet type leaves this file), and every node keeps the file, line and column it came from, so an
    /// error found after merging several files still points at the right place.
    /// </summary>
    internal sealed class ComposeNode
    {
        private ComposeNode(ComposeNodeKind kind, string file, int line, int column)
        {
            Kind = kind;
            File = file;
            Line = line;
            Column = column;
        }

        public ComposeNodeKind Kind { get; }

        public string File { get; }

        public int Line { get; }

        public int Column { get; }

        /// <summary>A scalar's text after interpolation; null for a YAML null (~, null or nothing).</summary>
        public string? Value { get; private set; }

        /// <summary>Written without quotes: only plain scalars can be numbers, booleans or null.</summary>
        public bool Plain { get; private set; }

        public List<KeyValuePair<ComposeNode, ComposeNode>> Entries { get; } = new List<KeyValuePair<ComposeNode, ComposeNode>>();

        public List<ComposeNode> Items { get; } = new List<ComposeNode>();

        public bool IsNull => Kind == ComposeNodeKind.Scalar && Value == null;

        public string KindName => Kind switch
        {
            ComposeNodeKind.Mapping => "a mapping",
            ComposeNodeKind.Sequence => "a list",
            _ => IsNull ? "null" : "a string",
        };

        public static ComposeNode Scalar(string? value, bool plain, ComposeNode at) =>
            new ComposeNode(ComposeNodeKind.Scalar, at.File, at.Line, at.Column) { Value = value, Plain = plain };

        public static ComposeNode NewMapping(ComposeNode at) => new ComposeNode(ComposeNodeKind.Mapping, at.File, at.Line, at.Column);

        public static ComposeNode NewSequence(ComposeNode at) => new ComposeNode(ComposeNodeKind.Sequence, at.File, at.Line, at.Column);

        public ComposeFileException Error(string problem) => new ComposeFileException(File, Line, Column, problem);

        public ComposeNode? Get(string key)
        {
            foreach (var entry in Entries)
            {
                if (entry.Key.Value == key)
                {
                    return entry.Value;
                }
            }

            return null;
        }

        public void Set(ComposeNode key, ComposeNode value)
        {
            for (var i = 0; i < Entries.Count; i++)
            {
                if (Entries[i].Key.Value == key.Value)
                {
                    Entries[i] = new KeyValuePair<ComposeNode, ComposeNode>(Entries[i].Key, value);
                    return;
                }
            }

            Entries.Add(new KeyValuePair<ComposeNode, ComposeNode>(key, value));
        }

        public void Remove(string key) => Entries.RemoveAll(e => e.Key.Value == key);

        /// <summary>Parses a YAML document (an empty file is an empty mapping) and interpolates every scalar value (not keys).</summary>
        public static ComposeNode Load(string text, string file, Func<string, string> interpolate)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                var problem = e.InnerException is YamlException inner ? inner.Message : e.Message;
                if (e.Message.IndexOf("duplicate key", StringComparison.OrdinalIgnoreCase) >= 0 || e.InnerException is ArgumentException)
                {
                    problem = "a key appears twice in the same mapping.";
                }

                throw new ComposeFileException(file, (int)e.Start.Line, (int)e.Start.Column, "not valid YAML: " + problem, e);
            }

            if (stream.Documents.Count == 0)
            {
                return new ComposeNode(ComposeNodeKind.Mapping, file, 1, 1);
            }

            if (stream.Documents.Count > 1)
            {
                var second = stream.Documents[1].RootNode;
                throw new ComposeFileException(file, (int)second.Start.Line, (int)second.Start.Column, "a compose file holds one YAML document; this is a second one ('---').");
            }

            return Convert(stream.Documents[0].RootNode, file, interpolate, 0);
        }

        private static ComposeNode Convert(YamlNode node, string file, Func<string, string> interpolate, int depth)
        {
            var line = (int)node.Start.Line;
            var column = (int)node.Start.Column;
            if (depth > 200)
            {
                throw new ComposeFileException(file, line, column, "the YAML nests too deeply (a recursive alias?).");
            }

            switch (node)
            {
                case YamlScalarNode scalar:
                {
                    var plain = scalar.Style == ScalarStyle.Plain || scalar.Style == ScalarStyle.Any;
                    var raw = scalar.Value;
                    if (plain && (raw == null || raw.Length == 0 || raw == "~" || raw == "null" || raw == "Null" || raw == "NULL"))
                    {
                        return new ComposeNode(ComposeNodeKind.Scalar, file, line, column) { Value = null, Plain = true };
                    }

                    string value;
                    try
                    {
                        value = interpolate(raw ?? string.Empty);
                    }
                    catch (ComposeInterpolationException e)
                    {
                        throw new ComposeFileException(file, line, column, e.Message);
                    }

                    return new ComposeNode(ComposeNodeKind.Scalar, file, line, column) { Value = value, Plain = plain };
                }

                case YamlSequenceNode sequence:
                {
                    var result = new ComposeNode(ComposeNodeKind.Sequence, file, line, column);
                    foreach (var child in sequence.Children)
                    {
                        result.Items.Add(Convert(child, file, interpolate, depth + 1));
                    }

                    return result;
                }

                case YamlMappingNode mapping:
                {
                    var result = new ComposeNode(ComposeNodeKind.Mapping, file, line, column);
                    var merged = new List<ComposeNode>();
                    foreach (var entry in mapping.Children)
                    {
                        if (!(entry.Key is YamlScalarNode keyScalar))
                        {
                            throw new ComposeFileException(file, (int)entry.Key.Start.Line, (int)entry.Key.Start.Column, "a mapping key must be a plain string.");
                        }

                        var key = new ComposeNode(ComposeNodeKind.Scalar, file, (int)keyScalar.Start.Line, (int)keyScalar.Start.Column)
                        {
                            Value = keyScalar.Value ?? string.Empty,
                            Plain = keyScalar.Style == ScalarStyle.Plain,
                        };

                        // YAML merge keys (<<: *anchor), as compose files use them with x- fragments: explicit keys win.
                        if (key.Value == "<<" && key.Plain)
                        {
                            var source = Convert(entry.Value, file, interpolate, depth + 1);
                            if (source.Kind == ComposeNodeKind.Mapping)
                            {
                                merged.Add(source);
                            }
                            else if (source.Kind == ComposeNodeKind.Sequence && source.Items.TrueForAll(i => i.Kind == ComposeNodeKind.Mapping))
                            {
                                merged.AddRange(source.Items);
                            }
                            else
                            {
                                throw source.Error("a merge key (<<) takes a mapping or a list of mappings.");
                            }

                            continue;
                        }

                        result.Entries.Add(new KeyValuePair<ComposeNode, ComposeNode>(key, Convert(entry.Value, file, interpolate, depth + 1)));
                    }

                    foreach (var source in merged)
                    {
                        foreach (var entry in source.Entries)
                        {
                            if (result.Get(entry.Key.Value!) == null && !result.Entries.Exists(e => e.Key.Value == entry.Key.Value))
                            {
                                result.Entries.Add(entry);
                            }
                        }
                    }

                    return result;
                }

                default:
                    throw new ComposeFileException(file, line, column, "unsupported YAML node.");
            }
        }

        /// <summary>The node as canonical text, for de-duplicating list items.</summary>
        public string Canonical()
        {
            switch (Kind)
            {
                case ComposeNodeKind.Scalar:
                    return Value == null ? "~" : "'" + Value + "'";
                case ComposeNodeKind.Sequence:
                    return "[" + string.Join(",", Items.ConvertAll(i => i.Canonical())) + "]";
                default:
                    var parts = Entries.ConvertAll(e => e.Key.Value + ":" + e.Value.Canonical());
                    parts.Sort(StringComparer.Ordinal);
                    return "{" + string.Join(",", parts) + "}";
            }
        }

        public override string ToString() => Kind == ComposeNodeKind.Scalar ? Value ?? "null" : Canonical();

        internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
