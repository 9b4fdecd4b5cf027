using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ContainerTools.HelpBuilder.Markdown
{
    /// <summary>A block of a markdown file, with the 1-based line it starts on (for error messages).</summary>
    public abstract record MarkdownBlock(int Line);

    public sealed record HeadingBlock(int Line, int Level, string Text) : MarkdownBlock(Line);

    /// <summary>A paragraph; its source lines are joined with single spaces.</summary>
    public sealed record ParagraphBlock(int Line, string Text) : MarkdownBlock(Line);

    /// <summary>One item of a bulleted or numbered list ("- text", "1. text"), continuation lines joined.</summary>
    public sealed record ListItemBlock(int Line, string Marker, string Text) : MarkdownBlock(Line);

    /// <summary>A fenced code block; Language is the info string after the opening fence ("powershell", "yaml", "Output").</summary>
    public sealed record CodeBlock(int Line, string Language, string Content) : MarkdownBlock(Line);

    /// <summary>Lines kept as written: a table.</summary>
    public sealed record RawBlock(int Line, IReadOnlyList<string> Lines) : MarkdownBlock(Line);

    /// <summary>
    /// The subset of markdown our help pages use, read line by line: a YAML front matter of flat
    /// "key: value" lines, ATX headings, paragraphs, lists, tables and fenced code blocks. Enough for
    /// PlatyPS-schema pages, and strict: what it cannot read is an error with a line number, never a guess.
    /// </summary>
    public sealed class MarkdownDocument
    {
        private static readonly Regex Heading = new Regex(@"^(#{1,6})\s+(.+?)\s*#*\s*$", RegexOptions.CultureInvariant);
        private static readonly Regex Bullet = new Regex(@"^([-*+]|\d+\.)\s+(.*)$", RegexOptions.CultureInvariant);
        private static readonly Regex FrontMatterEntry = new Regex(@"^([A-Za-z][A-Za-z0-9 ._-]*):\s*(.*)$", RegexOptions.CultureInvariant);

        private MarkdownDocument(string path, IReadOnlyDictionary<string, string> frontMatter, IReadOnlyList<MarkdownBlock> blocks)
        {
            Path = path;
            FrontMatter = frontMatter;
            Blocks = blocks;
        }

        /// <summary>The file it was read from, as given (used in error messages).</summary>
        public string Path { get; }

        /// <summary>The front matter's keys and values (quotes removed), in file order.</summary>
        public IReadOnlyDictionary<string, string> FrontMatter { get; }

        public IReadOnlyList<MarkdownBlock> Blocks { get; }

        public static MarkdownDocument Load(string path) => Parse(path, File.ReadAllText(path));

        public static MarkdownDocument Parse(string path, string text)
        {
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            var index = 0;
            var frontMatter = ReadFrontMatter(path, lines, ref index);
            var blocks = new List<MarkdownBlock>();
            var paragraph = new List<string>();
            var paragraphLine = 0;

            void FlushParagraph()
            {
                if (paragraph.Count > 0)
                {
                    blocks.Add(new ParagraphBlock(paragraphLine, string.Join(" ", paragraph)));
                    paragraph.Clear();
                }
            }

            while (index < lines.Length)
            {
                var line = lines[index];
                var lineNumber = index + 1;
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    FlushParagraph();
                    blocks.Add(ReadFence(path, lines, ref index));
                    continue;
                }

                if (line.Trim().Length == 0)
                {
                    FlushParagraph();
                    index++;
                    continue;
                }

                var heading = Heading.Match(line);
                if (heading.Success)
                {
                    FlushParagraph();
                    blocks.Add(new HeadingBlock(lineNumber, heading.Groups[1].Length, heading.Groups[2].Value));
                    index++;
                    continue;
                }

                var bullet = Bullet.Match(line);
                if (bullet.Success && paragraph.Count == 0)
                {
                    // Continuation lines of a list item are indented.
                    var itemText = new List<string> { bullet.Groups[2].Value.Trim() };
                    index++;
                    while (index < lines.Length && lines[index].StartsWith("  ", StringComparison.Ordinal) && lines[index].Trim().Length > 0 &&
                           !Bullet.IsMatch(lines[index].TrimStart()))
                    {
                        itemText.Add(lines[index].Trim());
                        index++;
                    }

                    blocks.Add(new ListItemBlock(lineNumber, bullet.Groups[1].Value, string.Join(" ", itemText)));
                    continue;
                }

                if (line.StartsWith("|", StringComparison.Ordinal) && paragraph.Count == 0)
                {
                    var table = new List<string>();
                    while (index < lines.Length && lines[index].StartsWith("|", StringComparison.Ordinal))
                    {
                        table.Add(lines[index].TrimEnd());
                        index++;
                    }

                    blocks.Add(new RawBlock(lineNumber, table));
                    continue;
                }

                if (paragraph.Count == 0)
                {
                    paragraphLine = lineNumber;
                }

                paragraph.Add(line.Trim());
                index++;
            }

            FlushParagraph();
            return new MarkdownDocument(path, frontMatter, blocks);
        }

        private static IReadOnlyDictionary<string, string> ReadFrontMatter(string path, string[] lines, ref int index)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (lines.Length == 0 || lines[0].TrimEnd() != "---")
            {
                throw new HelpFormatException(path, 1, "the page must start with a YAML front matter between '---' lines.");
            }

            index = 1;
            while (index < lines.Length && lines[index].TrimEnd() != "---")
            {
                var entry = FrontMatterEntry.Match(lines[index]);
                if (!entry.Success)
                {
                    throw new HelpFormatException(path, index + 1, $"the front matter line '{lines[index]}' is not 'key: value'.");
                }

                var key = entry.Groups[1].Value.Trim();
                if (values.ContainsKey(key))
                {
                    throw new HelpFormatException(path, index + 1, $"the front matter names '{key}' twice.");
                }

                values[key] = Unquote(entry.Groups[2].Value.Trim());
                index++;
            }

            if (index >= lines.Length)
            {
                throw new HelpFormatException(path, 1, "the front matter has no closing '---' line.");
            }

            index++;
            return values;
        }

        private static CodeBlock ReadFence(string path, string[] lines, ref int index)
        {
            var start = index + 1;
            var language = lines[index].Substring(3).Trim();
            var content = new List<string>();
            index++;
            while (index < lines.Length && lines[index].TrimEnd() != "```")
            {
                content.Add(lines[index].TrimEnd());
                index++;
            }

            if (index >= lines.Length)
            {
                throw new HelpFormatException(path, start, "this code fence is never closed.");
            }

            index++;
            return new CodeBlock(start, language, string.Join("\n", content));
        }

        /// <summary>Removes YAML single or double quotes around a scalar ('' is an escaped quote in single quotes).</summary>
        internal static string Unquote(string value)
        {
            if (value.Length >= 2 && value[0] == '\'' && value[value.Length - 1] == '\'')
            {
                return value.Substring(1, value.Length - 2).Replace("''", "'", StringComparison.Ordinal);
            }

            if (value.Length >= 2 && value[0] == '"' && value[value.Length - 1] == '"')
            {
                return value.Substring(1, value.Length - 2).Replace("\\\"", "\"", StringComparison.Ordinal);
            }

            return value;
        }
    }

    /// <summary>A help page that does not follow the schema; the message names the file and line.</summary>
    public sealed class HelpFormatException : Exception
    {
        public HelpFormatException(string path, int line, string problem)
            : base(string.Create(CultureInfo.InvariantCulture, $"{path}:{line}: {problem}"))
        {
            FilePath = path;
            LineNumber = line;
        }

        public string FilePath { get; }

        public int LineNumber { get; }
    }

    /// <summary>Consecutive blocks under one heading.</summary>
    public sealed record MarkdownSection(HeadingBlock Heading, IReadOnlyList<MarkdownBlock> Blocks)
    {
        public string Title => Heading.Text;

        /// <summary>Splits this section's blocks at headings of the given level (blocks before the first one are dropped).</summary>
        public IReadOnlyList<MarkdownSection> Subsections(int level) => MarkdownSections.Split(Blocks, level);
    }

    public static class MarkdownSections
    {
        /// <summary>Splits blocks into sections at each heading of the level; a heading of a higher level ends a section too.</summary>
        public static IReadOnlyList<MarkdownSection> Split(IReadOnlyList<MarkdownBlock> blocks, int level)
        {
            var sections = new List<MarkdownSection>();
            HeadingBlock? current = null;
            var body = new List<MarkdownBlock>();
            foreach (var block in blocks)
            {
                if (block is HeadingBlock heading && heading.Level <= level)
                {
                    if (current != null)
                    {
                        sections.Add(new MarkdownSection(current, body.ToList()));
                    }

                    body.Clear();
                    current = heading.Level == level ? heading : null;
                    continue;
                }

                if (current != null)
                {
                    body.Add(block);
                }
            }

            if (current != null)
            {
                sections.Add(new MarkdownSection(current, body.ToList()));
            }

            return sections;
        }
    }
}
