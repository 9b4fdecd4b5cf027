using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace ContainerTools.HelpBuilder.Markdown
{
    /// <summary>Markdown to the plain text a console shows: no emphasis markers, no backticks, links as their text.</summary>
    public static class PlainText
    {
        private static readonly Regex Link = new Regex(@"\[([^\]]+)\]\(([^)\s]+)\)", RegexOptions.CultureInvariant);
        private static readonly Regex Bold = new Regex(@"\*\*([^*]+)\*\*", RegexOptions.CultureInvariant);
        private static readonly Regex InlineCode = new Regex(@"`([^`]+)`", RegexOptions.CultureInvariant);

        public static string FromInline(string markdown)
        {
            // Links to other pages read as their names; web links keep the address, which a console cannot follow otherwise.
            var text = Link.Replace(markdown, m => IsWebAddress(m.Groups[2].Value) && m.Groups[1].Value != m.Groups[2].Value
                ? $"{m.Groups[1].Value} ({m.Groups[2].Value})"
                : m.Groups[1].Value);
            text = Bold.Replace(text, "$1");
            return InlineCode.Replace(text, "$1");
        }

        public static bool IsWebAddress(string uri) =>
            uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

        /// <summary>Blocks to paragraphs of plain text: one per paragraph or list item; code and tables keep their lines.</summary>
        public static IReadOnlyList<string> Paragraphs(IEnumerable<MarkdownBlock> blocks) =>
            blocks.Select(block => block switch
            {
                ParagraphBlock p => FromInline(p.Text),
                ListItemBlock item => (item.Marker.EndsWith(".", StringComparison.Ordinal) ? item.Marker : "-") + " " + FromInline(item.Text),
                CodeBlock code => code.Content,
                RawBlock raw => string.Join("\n", raw.Lines),
                HeadingBlock heading => FromInline(heading.Text),
                _ => throw new InvalidOperationException("Unknown markdown block " + block.GetType().Name),
            }).Where(text => text.Length > 0).ToList();
    }
}
