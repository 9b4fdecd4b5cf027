using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Build
{
    /// <summary>One instruction of a Dockerfile and the lines it spans (continuation lines included).</summary>
    public sealed class DockerfileInstruction
    {
        internal DockerfileInstruction(int index, string keyword, string text, int startLine, int endLine)
        {
            Index = index;
            Keyword = keyword;
            Text = text;
            StartLine = startLine;
            EndLine = endLine;
        }

        /// <summary>1-based position among the instructions: the classic builder's step number.</summary>
        public int Index { get; }

        /// <summary>FROM, RUN, COPY, … in upper case.</summary>
        public string Keyword { get; }

        /// <summary>The instruction with its continuation lines joined (comments inside it dropped).</summary>
        public string Text { get; }

        public int StartLine { get; }

        public int EndLine { get; }

        /// <summary>"line 7" or "lines 7-9".</summary>
        public string LineText => StartLine == EndLine ? $"line {StartLine}" : $"lines {StartLine}-{EndLine}";

        public override string ToString() => Text;
    }

    /// <summary>
    /// The instructions of a Dockerfile, found as the Dockerfile parser finds them: parser directives at the top
    /// (escape= changes the line-continuation character), comment and blank lines skipped, an instruction running
    /// on over lines that end in the escape character, with comment and blank lines inside it skipped. The classic
    /// builder numbers its steps in this order, so "Step N/M" maps to the Nth instruction and its lines.
    /// </summary>
    public sealed class DockerfileDocument
    {
        private static readonly Regex Directive = new Regex(@"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$", RegexOptions.CultureInvariant);
        private static readonly Regex FromInstruction = new Regex(@"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex ArgInstruction = new Regex(@"^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private DockerfileDocument(IReadOnlyList<DockerfileInstruction> instructions, char escape)
        {
            Instructions = instructions;
            EscapeCharacter = escape;
        }

        public IReadOnlyList<DockerfileInstruction> Instructions { get; }

        public char EscapeCharacter { get; }

        public static DockerfileDocument Load(string path) => Parse(BuildContext.ReadText(path));

        public static DockerfileDocument Parse(string text)
        {
            var lines = (text ?? string.Empty).Replace("\r\n", "\n").Split('\n');
            if (lines.Length > 0 && lines[0].Length > 0 && lines[0][0] == '\uFEFF')
            {
                lines[0] = lines[0].Substring(1);
            }

            var escape = '\\';
            var i = 0;
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (; i < lines.Length; i++)
            {
                var m = Directive.Match(lines[i]);
                if (!m.Success || !seen.Add(m.Groups[1].Value))
                {
                    break;
                }

                if (m.Groups[1].Value.Equals("escape", StringComparison.OrdinalIgnoreCase) && (m.Groups[2].Value == "`" || m.Groups[2].Value == "\\"))
                {
                    escape = m.Groups[2].Value[0];
                }
            }

            var instructions = new List<DockerfileInstruction>();
            for (; i < lines.Length; i++)
            {
                var line = lines[i];
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                var start = i + 1;
                var joinedText = new StringBuilder();
                var continued = EndsWithEscape(line, escape, out var body);
                joinedText.Append(body.TrimStart());
                while (continued && i + 1 < lines.Length)
                {
                    i++;
                    var next = lines[i];
                    var nextTrimmed = next.TrimStart();
                    if (nextTrimmed.Length == 0 || nextTrimmed[0] == '#')
                    {
                        continue;
                    }

                    continued = EndsWithEscape(next, escape, out var nextBody);
                    joinedText.Append(nextBody);
                }

                var joined = joinedText.ToString().Trim();
                var space = joined.IndexOfAny(new[] { ' ', '\t' });
                var keyword = (space < 0 ? joined : joined.Substring(0, space)).ToUpperInvariant();
                instructions.Add(new DockerfileInstruction(instructions.Count + 1, keyword, joined, start, i + 1));
            }

            return new DockerfileDocument(instructions, escape);
        }

        /// <summary>The instruction of step N (1-based), or null for steps the builder adds (the -Label step).</summary>
        public DockerfileInstruction? Step(int number) =>
            number >= 1 && number <= Instructions.Count ? Instructions[number - 1] : null;

        /// <summary>
        /// The images the FROM instructions name (stage references and scratch left out), with ${VAR} and $VAR taken
        /// from the build arguments, else the ARG defaults declared before the first FROM.
        /// </summary>
        public IReadOnlyList<string> BaseImages(IReadOnlyDictionary<string, string?>? buildArguments = null)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var images = new List<string>();
            var beforeFirstFrom = true;
            foreach (var instruction in Instructions)
            {
                if (beforeFirstFrom && instruction.Keyword == "ARG")
                {
                    var arg = ArgInstruction.Match(instruction.Text);
                    if (arg.Success)
                    {
                        var name = arg.Groups[1].Value;
                        if (buildArguments != null && buildArguments.TryGetValue(name, out var given) && given != null)
                        {
                            values[name] = given;
                        }
                        else if (arg.Groups[2].Success)
                        {
                            values[name] = arg.Groups[2].Value.Trim().Trim('"', '\'');
                        }
                    }

                    continue;
                }

                if (instruction.Keyword != "FROM")
                {
                    continue;
                }

                beforeFirstFrom = false;
                var from = FromInstruction.Match(instruction.Text);
                if (!from.Success)
                {
                    continue;
                }

                var image = Substitute(from.Groups[1].Value, values);
                if (!stages.Contains(image) && !image.Equals("scratch", StringComparison.OrdinalIgnoreCase) && !images.Contains(image))
                {
                    images.Add(image);
                }

                if (from.Groups[2].Success)
                {
                    stages.Add(from.Groups[2].Value);
                }
            }

            return images;
        }

        private static string Substitute(string value, IReadOnlyDictionary<string, string> values) =>
            Regex.Replace(value, @"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)", m =>
            {
                var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                return values.TryGetValue(name, out var v) ? v : string.Empty;
            });

        // An instruction continues when its line ends with the escape character (white space after it allowed).
        private static bool EndsWithEscape(string line, char escape, out string body)
        {
            var trimmed = line.TrimEnd(' ', '\t');
            if (trimmed.Length > 0 && trimmed[trimmed.Length - 1] == escape)
            {
                body = trimmed.Substring(0, trimmed.Length - 1);
                return true;
            }

            body = line;
            return false;
        }
    }
}
