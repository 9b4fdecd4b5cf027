using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using ContainerTools.HelpBuilder.Markdown;

namespace ContainerTools.HelpBuilder
{
    public sealed record SyntaxBlock(string ParameterSetName, bool IsDefault, string Syntax);

    /// <summary>One example: its title, its PowerShell code blocks (what runs), and the rest (prose, sample output).</summary>
    public sealed record ExampleHelp(int Number, string Title, IReadOnlyList<string> Code, IReadOnlyList<MarkdownBlock> Remarks, int Line);

    public sealed record ParameterHelp(string Name, IReadOnlyList<MarkdownBlock> Description, ParameterYaml Metadata, int Line);

    /// <summary>An INPUTS or OUTPUTS entry: a type name and what it means here.</summary>
    public sealed record TypeHelp(string TypeName, IReadOnlyList<MarkdownBlock> Description);

    public sealed record RelatedLink(string Text, string Uri);

    /// <summary>
    /// A cmdlet help page in the PlatyPS 1.x markdown schema (2024-05-01), read strictly: the front matter,
    /// '# Verb-Noun', then the sections in schema order. Anything missing or out of place is a
    /// HelpFormatException naming the file and line.
    /// </summary>
    public sealed class CommandHelpPage
    {
        /// <summary>The level-2 sections in schema order, and whether each is required.</summary>
        public static readonly IReadOnlyList<(string Title, bool Required)> SchemaSections = new[]
        {
            ("SYNOPSIS", true), ("SYNTAX", true), ("ALIASES", false), ("DESCRIPTION", true), ("EXAMPLES", true),
            ("PARAMETERS", true), ("INPUTS", true), ("OUTPUTS", true), ("NOTES", true), ("RELATED LINKS", true),
        };

        public const string SchemaVersion = "2024-05-01";
        public const string CommonParametersHeading = "CommonParameters";

        private static readonly string[] RequiredFrontMatter =
            { "document type", "external help file", "HelpUri", "Locale", "Module Name", "ms.date", "PlatyPS schema version", "title" };

        private static readonly Regex ExampleTitle = new Regex(@"^Example (\d+): (.+)$", RegexOptions.CultureInvariant);
        private static readonly Regex SyntaxTitle = new Regex(@"^(.+?)( \(Default\))?$", RegexOptions.CultureInvariant);

        private CommandHelpPage(string path, string name)
        {
            Path = path;
            Name = name;
        }

        public string Path { get; }

        public string Name { get; }

        public string Verb => Name.Substring(0, Name.IndexOf('-', StringComparison.Ordinal));

        public string Noun => Name.Substring(Name.IndexOf('-', StringComparison.Ordinal) + 1);

        public IReadOnlyDictionary<string, string> FrontMatter { get; private set; } = new Dictionary<string, string>();

        public string ExternalHelpFile => FrontMatter["external help file"];

        public string ModuleName => FrontMatter["Module Name"];

        public string Locale => FrontMatter["Locale"];

        /// <summary>The level-2 headings in file order.</summary>
        public IReadOnlyList<string> SectionTitles { get; private set; } = Array.Empty<string>();

        public string Synopsis { get; private set; } = string.Empty;

        public IReadOnlyList<SyntaxBlock> Syntax { get; private set; } = Array.Empty<SyntaxBlock>();

        public IReadOnlyList<MarkdownBlock> Description { get; private set; } = Array.Empty<MarkdownBlock>();

        public IReadOnlyList<ExampleHelp> Examples { get; private set; } = Array.Empty<ExampleHelp>();

        /// <summary>The documented parameters, without CommonParameters.</summary>
        public IReadOnlyList<ParameterHelp> Parameters { get; private set; } = Array.Empty<ParameterHelp>();

        public bool HasCommonParameters { get; private set; }

        public IReadOnlyList<TypeHelp> Inputs { get; private set; } = Array.Empty<TypeHelp>();

        public IReadOnlyList<TypeHelp> Outputs { get; private set; } = Array.Empty<TypeHelp>();

        public IReadOnlyList<MarkdownBlock> Notes { get; private set; } = Array.Empty<MarkdownBlock>();

        public IReadOnlyList<RelatedLink> RelatedLinks { get; private set; } = Array.Empty<RelatedLink>();

        /// <summary>True when a markdown file is a cmdlet page (front matter 'document type: cmdlet').</summary>
        public static bool IsCommandPage(MarkdownDocument document) =>
            document.FrontMatter.TryGetValue("document type", out var type) && type == "cmdlet";

        public static CommandHelpPage Load(string path) => FromDocument(MarkdownDocument.Load(path));

        public static CommandHelpPage FromDocument(MarkdownDocument document)
        {
            var path = document.Path;
            foreach (var key in RequiredFrontMatter.Where(k => !document.FrontMatter.ContainsKey(k)))
            {
                throw new HelpFormatException(path, 1, $"the front matter lacks '{key}'.");
            }

            var front = document.FrontMatter;
            Expect(path, front["document type"] == "cmdlet", "'document type' must be 'cmdlet'.");
            Expect(path, front["PlatyPS schema version"] == SchemaVersion, $"'PlatyPS schema version' must be {SchemaVersion}.");
            Expect(path, front["external help file"].EndsWith("-Help.xml", StringComparison.Ordinal), "'external help file' must name a <Assembly>-Help.xml file.");

            var title = document.Blocks.FirstOrDefault() as HeadingBlock;
            if (title == null || title.Level != 1)
            {
                throw new HelpFormatException(path, document.Blocks.FirstOrDefault()?.Line ?? 1, "the first line after the front matter must be '# Verb-Noun'.");
            }

            if (title.Text != front["title"] || !title.Text.Contains('-', StringComparison.Ordinal))
            {
                throw new HelpFormatException(path, title.Line, $"the title '# {title.Text}' must be the Verb-Noun name the front matter's title gives ('{front["title"]}').");
            }

            var page = new CommandHelpPage(path, title.Text) { FrontMatter = front };
            var sections = MarkdownSections.Split(document.Blocks, 2);
            page.SectionTitles = sections.Select(s => s.Title).ToList();
            CheckSectionOrder(path, sections);
            MarkdownSection? Section(string name) => sections.FirstOrDefault(s => s.Title == name);

            page.Synopsis = PlainText.FromInline(string.Join(" ", Section("SYNOPSIS")!.Blocks.OfType<ParagraphBlock>().Select(p => p.Text)));
            Expect(path, page.Synopsis.Length > 0, "SYNOPSIS is empty.", Section("SYNOPSIS")!.Heading.Line);
            page.Syntax = ReadSyntax(path, Section("SYNTAX")!);
            page.Description = NonEmpty(path, Section("DESCRIPTION")!);
            page.Examples = ReadExamples(path, Section("EXAMPLES")!);
            page.ReadParameters(Section("PARAMETERS")!);
            page.Inputs = ReadTypes(path, Section("INPUTS")!);
            page.Outputs = ReadTypes(path, Section("OUTPUTS")!);
            page.Notes = NonEmpty(path, Section("NOTES")!);
            page.RelatedLinks = ReadLinks(path, Section("RELATED LINKS")!);
            page.CheckParameterSets();
            return page;
        }

        private static void CheckSectionOrder(string path, IReadOnlyList<MarkdownSection> sections)
        {
            var expected = SchemaSections.Select(s => s.Title).ToList();
            var lastIndex = -1;
            foreach (var section in sections)
            {
                var index = expected.IndexOf(section.Title);
                if (index < 0)
                {
                    throw new HelpFormatException(path, section.Heading.Line, $"'## {section.Title}' is not a section of the schema ({string.Join(", ", expected)}).");
                }

                if (index <= lastIndex)
                {
                    throw new HelpFormatException(path, section.Heading.Line, $"'## {section.Title}' is out of order or repeated; the schema order is {string.Join(", ", expected)}.");
                }

                lastIndex = index;
            }

            foreach (var (title, required) in SchemaSections)
            {
                if (required && sections.All(s => s.Title != title))
                {
                    throw new HelpFormatException(path, 1, $"the page lacks the required section '## {title}'.");
                }
            }
        }

        private static IReadOnlyList<SyntaxBlock> ReadSyntax(string path, MarkdownSection section)
        {
            var sets = new List<SyntaxBlock>();
            foreach (var set in section.Subsections(3))
            {
                var code = set.Blocks.OfType<CodeBlock>().ToList();
                if (code.Count != 1 || set.Blocks.Count != 1)
                {
                    throw new HelpFormatException(path, set.Heading.Line, $"the syntax of '{set.Title}' must be exactly one code block.");
                }

                var match = SyntaxTitle.Match(set.Title);
                sets.Add(new SyntaxBlock(match.Groups[1].Value, match.Groups[2].Success, code[0].Content));
            }

            Expect(path, sets.Count > 0, "SYNTAX has no '### ParameterSetName' block.", section.Heading.Line);
            Expect(path, sets.Select(s => s.ParameterSetName).Distinct(StringComparer.Ordinal).Count() == sets.Count,
                "SYNTAX names a parameter set twice.", section.Heading.Line);
            return sets;
        }

        private static IReadOnlyList<ExampleHelp> ReadExamples(string path, MarkdownSection section)
        {
            var examples = new List<ExampleHelp>();
            foreach (var example in section.Subsections(3))
            {
                var match = ExampleTitle.Match(example.Title);
                if (!match.Success || int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) != examples.Count + 1)
                {
                    throw new HelpFormatException(path, example.Heading.Line,
                        $"'### {example.Title}' must be '### Example {examples.Count + 1}: <title>' (numbered from 1, in order).");
                }

                var code = example.Blocks.OfType<CodeBlock>().Where(IsPowerShell).Select(c => c.Content).ToList();
                var remarks = example.Blocks.Where(b => !(b is CodeBlock c && IsPowerShell(c))).ToList();
                Expect(path, code.Count > 0, $"Example {examples.Count + 1} has no ```powershell code block.", example.Heading.Line);
                Expect(path, remarks.OfType<ParagraphBlock>().Any(), $"Example {examples.Count + 1} has no sentence explaining it.", example.Heading.Line);
                examples.Add(new ExampleHelp(examples.Count + 1, match.Groups[2].Value, code, remarks, example.Heading.Line));
            }

            Expect(path, examples.Count > 0, "EXAMPLES has no '### Example 1: <title>'.", section.Heading.Line);
            return examples;
        }

        private void ReadParameters(MarkdownSection section)
        {
            var parameters = new List<ParameterHelp>();
            foreach (var parameter in section.Subsections(3))
            {
                if (parameter.Title == CommonParametersHeading)
                {
                    Expect(Path, parameter.Blocks.OfType<ParagraphBlock>().Any(), "CommonParameters has no text.", parameter.Heading.Line);
                    HasCommonParameters = true;
                    continue;
                }

                if (!parameter.Title.StartsWith("-", StringComparison.Ordinal) || parameter.Title.Length < 2)
                {
                    throw new HelpFormatException(Path, parameter.Heading.Line, $"'### {parameter.Title}' must be '### -ParameterName' or '### CommonParameters'.");
                }

                var yaml = parameter.Blocks.OfType<CodeBlock>().Where(c => c.Language == "yaml").ToList();
                if (yaml.Count != 1 || !ReferenceEquals(parameter.Blocks[parameter.Blocks.Count - 1], yaml[0]))
                {
                    throw new HelpFormatException(Path, parameter.Heading.Line, $"{parameter.Title} must end with exactly one ```yaml block.");
                }

                var description = parameter.Blocks.Take(parameter.Blocks.Count - 1).ToList();
                Expect(Path, description.Count > 0, $"{parameter.Title} has no description.", parameter.Heading.Line);
                var name = parameter.Title.Substring(1);
                Expect(Path, parameters.All(p => !string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)),
                    $"{parameter.Title} is documented twice.", parameter.Heading.Line);
                parameters.Add(new ParameterHelp(name, description, ParameterYaml.Parse(Path, yaml[0]), parameter.Heading.Line));
            }

            Expect(Path, HasCommonParameters, "PARAMETERS lacks '### CommonParameters'.", section.Heading.Line);
            Parameters = parameters;
        }

        private static IReadOnlyList<TypeHelp> ReadTypes(string path, MarkdownSection section)
        {
            var types = section.Subsections(3).Select(t => new TypeHelp(t.Title, t.Blocks)).ToList();
            Expect(path, types.Count > 0, $"{section.Title} names no type ('### TypeName', or '### None').", section.Heading.Line);
            return types;
        }

        private static IReadOnlyList<RelatedLink> ReadLinks(string path, MarkdownSection section)
        {
            var link = new Regex(@"^\[([^\]]+)\]\(([^)\s]*)\)$", RegexOptions.CultureInvariant);
            var links = new List<RelatedLink>();
            foreach (var block in section.Blocks)
            {
                var text = block switch
                {
                    ListItemBlock item => item.Text,
                    ParagraphBlock paragraph => paragraph.Text,
                    _ => throw new HelpFormatException(path, block.Line, "RELATED LINKS holds only links, one per line ('- [Name](Name.md)')."),
                };
                var match = link.Match(text.Trim());
                links.Add(match.Success ? new RelatedLink(match.Groups[1].Value, match.Groups[2].Value) : new RelatedLink(PlainText.FromInline(text), string.Empty));
            }

            Expect(path, links.Count > 0, "RELATED LINKS is empty.", section.Heading.Line);
            return links;
        }

        private static IReadOnlyList<MarkdownBlock> NonEmpty(string path, MarkdownSection section)
        {
            Expect(path, section.Blocks.Count > 0, $"{section.Title} is empty.", section.Heading.Line);
            return section.Blocks;
        }

        // Every set a parameter names must have a syntax block, and every syntax block must have parameters.
        private void CheckParameterSets()
        {
            var names = Syntax.Select(s => s.ParameterSetName).ToList();
            foreach (var parameter in Parameters)
            {
                foreach (var set in parameter.Metadata.ParameterSets.Where(s => s.Name != ParameterSetMembership.AllSets))
                {
                    Expect(Path, names.Contains(set.Name), $"-{parameter.Name} names the parameter set '{set.Name}', which SYNTAX does not have.", parameter.Line);
                }
            }
        }

        /// <summary>The parameters of one parameter set: those that name it, and those in every set ((All)).</summary>
        public IEnumerable<(ParameterHelp Parameter, ParameterSetMembership Membership)> ParametersOf(string parameterSetName)
        {
            foreach (var parameter in Parameters)
            {
                var sets = parameter.Metadata.ParameterSets;
                var membership = sets.FirstOrDefault(s => s.Name == parameterSetName) ?? sets.FirstOrDefault(s => s.Name == ParameterSetMembership.AllSets);
                if (membership != null)
                {
                    yield return (parameter, membership);
                }
            }
        }

        public static bool IsPowerShell(CodeBlock code) => string.Equals(code.Language, "powershell", StringComparison.OrdinalIgnoreCase);

        private static void Expect(string path, bool condition, string problem, int line = 1)
        {
            if (!condition)
            {
                throw new HelpFormatException(path, line, problem);
            }
        }
    }
}
