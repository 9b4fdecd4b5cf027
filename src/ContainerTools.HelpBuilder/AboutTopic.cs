using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ContainerTools.HelpBuilder.Markdown;

namespace ContainerTools.HelpBuilder
{
    /// <summary>
    /// An about_ topic page: front matter (document type: about, title: about_Name), '# about_Name',
    /// '## Short description', '## Long description', further '##' sections, '### ' subsections.
    /// Written as the classic about_*.help.txt text Get-Help shows: upper-case section titles, text
    /// indented four spaces and wrapped at 80 columns, code indented eight.
    /// </summary>
    public sealed class AboutTopic
    {
        private const int Width = 80;

        private AboutTopic(string path, string name, MarkdownDocument document)
        {
            Path = path;
            Name = name;
            Document = document;
        }

        public string Path { get; }

        /// <summary>The topic name, e.g. about_ContainerTools.</summary>
        public string Name { get; }

        public MarkdownDocument Document { get; }

        public string FileName => Name + ".help.txt";

        /// <summary>The ```powershell blocks of the topic, in order (the tests run them).</summary>
        public IReadOnlyList<string> PowerShellBlocks =>
            Document.Blocks.OfType<CodeBlock>().Where(CommandHelpPage.IsPowerShell).Select(c => c.Content).ToList();

        public static bool IsAboutPage(MarkdownDocument document) =>
            document.FrontMatter.TryGetValue("document type", out var type) && type == "about";

        public static AboutTopic FromDocument(MarkdownDocument document)
        {
            var path = document.Path;
            if (!document.FrontMatter.TryGetValue("title", out var title) || !title.StartsWith("about_", StringComparison.Ordinal))
            {
                throw new HelpFormatException(path, 1, "an about topic's front matter needs 'title: about_<Name>'.");
            }

            if (!(document.Blocks.FirstOrDefault() is HeadingBlock heading) || heading.Level != 1 || heading.Text != title)
            {
                throw new HelpFormatException(path, document.Blocks.FirstOrDefault()?.Line ?? 1, $"the first line after the front matter must be '# {title}'.");
            }

            var sections = MarkdownSections.Split(document.Blocks, 2).Select(s => s.Title).ToList();
            foreach (var required in new[] { "Short description", "Long description" })
            {
                if (!sections.Contains(required, StringComparer.OrdinalIgnoreCase))
                {
                    throw new HelpFormatException(path, 1, $"the about topic lacks '## {required}'.");
                }
            }

            return new AboutTopic(path, title, document);
        }

        public string ToHelpText()
        {
            var text = new StringBuilder();
            text.Append("TOPIC\n    ").Append(Name).Append("\n");
            MarkdownBlock? previous = null;
            foreach (var block in Document.Blocks.Skip(1))
            {
                // A list ends with a blank line, like a paragraph.
                if (previous is ListItemBlock && !(block is ListItemBlock))
                {
                    text.Append('\n');
                }

                previous = block;
                switch (block)
                {
                    case HeadingBlock { Level: 2 } h2:
                        text.Append('\n').Append(h2.Text.ToUpperInvariant()).Append('\n');
                        break;
                    case HeadingBlock h3:
                        text.Append("\n  ").Append(PlainText.FromInline(h3.Text)).Append('\n');
                        break;
                    case ParagraphBlock paragraph:
                        Wrap(text, PlainText.FromInline(paragraph.Text), "    ", "    ");
                        text.Append('\n');
                        break;
                    case ListItemBlock item:
                        var bullet = item.Marker.EndsWith(".", StringComparison.Ordinal) ? item.Marker + " " : "- ";
                        Wrap(text, PlainText.FromInline(item.Text), "    " + bullet, new string(' ', 4 + bullet.Length));
                        break;
                    case CodeBlock code:
                        foreach (var line in code.Content.Split('\n'))
                        {
                            text.Append(line.Length == 0 ? string.Empty : "        " + line).Append('\n');
                        }

                        text.Append('\n');
                        break;
                    case RawBlock raw:
                        foreach (var line in raw.Lines)
                        {
                            text.Append("    ").Append(PlainText.FromInline(line)).Append('\n');
                        }

                        text.Append('\n');
                        break;
                }
            }

            // One trailing newline, no run of blank lines.
            var result = text.ToString();
            while (result.Contains("\n\n\n", StringComparison.Ordinal))
            {
                result = result.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
            }

            return result.TrimEnd('\n') + "\n";
        }

        private static void Wrap(StringBuilder text, string paragraph, string firstIndent, string nextIndent)
        {
            var line = new StringBuilder(firstIndent);
            var lineHasWord = false;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (lineHasWord && line.Length + 1 + word.Length > Width)
                {
                    text.Append(line.ToString().TrimEnd()).Append('\n');
                    line.Clear().Append(nextIndent);
                    lineHasWord = false;
                }

                line.Append(lineHasWord ? " " : string.Empty).Append(word);
                lineHasWord = true;
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
