using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using ContainerTools.HelpBuilder.Markdown;

namespace ContainerTools.HelpBuilder
{
    /// <summary>
    /// Writes cmdlet pages as MAML, the XML Get-Help reads from en-US/&lt;Assembly&gt;-Help.xml:
    /// &lt;helpItems schema="maml"&gt; with one &lt;command:command&gt; per cmdlet.
    /// </summary>
    public static class MamlWriter
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

        /// <summary>The whole help file, UTF-8 without BOM, '\n' line ends: the same pages always give the same text.</summary>
        public static string Write(IEnumerable<CommandHelpPage> pages)
        {
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), pages.Select(ToCommand));
            var settings = new XmlWriterSettings
            {
                Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
                Indent = true,
                IndentChars = "  ",
                NewLineChars = "\n",
                NewLineHandling = NewLineHandling.Replace,
            };
            using var buffer = new MemoryStream();
            using (var writer = XmlWriter.Create(buffer, settings))
            {
                new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
            }

            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        private static XElement ToCommand(CommandHelpPage page) =>
            new XElement(Command + "command",
                // Declared on each command, as Get-Help's reader and PlatyPS's output expect them.
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
                new XElement(Command + "details",
                    new XElement(Command + "name", page.Name),
                    new XElement(Command + "verb", page.Verb),
                    new XElement(Command + "noun", page.Noun),
                    Description(new[] { page.Synopsis })),
                Description(PlainText.Paragraphs(page.Description)),
                new XElement(Command + "syntax", page.Syntax.Select(set => SyntaxItem(page, set))),
                new XElement(Command + "parameters", page.Parameters.Select(p => Parameter(p, p.Metadata.ParameterSets[0], inSyntax: false))),
                new XElement(Command + "inputTypes", page.Inputs.Select(t => TypeEntry("inputType", t))),
                new XElement(Command + "returnValues", page.Outputs.Select(t => TypeEntry("returnValue", t))),
                new XElement(Maml + "alertSet",
                    new XElement(Maml + "alert", Paras(PlainText.Paragraphs(page.Notes)))),
                new XElement(Command + "examples", page.Examples.Select(Example)),
                new XElement(Command + "relatedLinks", page.RelatedLinks.Select(link =>
                    new XElement(Maml + "navigationLink",
                        new XElement(Maml + "linkText", PlainText.FromInline(link.Text)),
                        // Only web addresses can be followed by Get-Help -Online; links to sibling pages are names.
                        new XElement(Maml + "uri", PlainText.IsWebAddress(link.Uri) ? link.Uri : string.Empty)))));

        // Positional parameters first by position, then required named ones, then the optional ones; -WhatIf/-Confirm last, as Get-Command shows them.
        private static XElement SyntaxItem(CommandHelpPage page, SyntaxBlock set)
        {
            var ordered = page.ParametersOf(set.ParameterSetName)
                .OrderBy(p => p.Membership.IsNamed ? 1 : 0)
                .ThenBy(p => p.Membership.IsNamed ? 0 : int.Parse(p.Membership.Position, System.Globalization.CultureInfo.InvariantCulture))
                .ThenBy(p => p.Membership.IsRequired ? 0 : 1)
                .ThenBy(p => p.Parameter.Name is "WhatIf" or "Confirm" ? 1 : 0)
                .ThenBy(p => p.Parameter.Name, StringComparer.Ordinal);
            return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", page.Name),
                ordered.Select(p => Parameter(p.Parameter, p.Membership, inSyntax: true)));
        }

        private static XElement Parameter(ParameterHelp parameter, ParameterSetMembership membership, bool inSyntax)
        {
            var metadata = parameter.Metadata;
            var element = new XElement(Command + "parameter",
                new XAttribute("required", Lower(membership.IsRequired)),
                new XAttribute("variableLength", Lower(metadata.IsArray)),
                new XAttribute("globbing", Lower(metadata.SupportsWildcards)),
                new XAttribute("pipelineInput", PipelineInput(membership)),
                new XAttribute("position", membership.IsNamed ? "named" : membership.Position),
                new XAttribute("aliases", metadata.Aliases.Count == 0 ? "none" : string.Join(", ", metadata.Aliases)),
                new XElement(Maml + "name", parameter.Name),
                Description(PlainText.Paragraphs(parameter.Description)));
            if (inSyntax && metadata.AcceptedValues.Count > 0)
            {
                // Get-Help shows these as {No | Always | ...} in the syntax.
                element.Add(new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
            }

            // A switch takes no value in the syntax; the parameter list still names its type.
            if (!(inSyntax && metadata.IsSwitch))
            {
                element.Add(new XElement(Command + "parameterValue",
                    new XAttribute("required", Lower(!metadata.IsSwitch)),
                    new XAttribute("variableLength", Lower(metadata.IsArray)),
                    metadata.ShortTypeName));
            }

            element.Add(
                new XElement(Dev + "type", new XElement(Maml + "name", metadata.Type), new XElement(Maml + "uri")),
                new XElement(Dev + "defaultValue", metadata.DefaultValue.Length == 0 ? "None" : metadata.DefaultValue));
            return element;
        }

        private static XElement TypeEntry(string kind, TypeHelp type) =>
            new XElement(Command + kind,
                new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
                Description(PlainText.Paragraphs(type.Description)));

        private static XElement Example(ExampleHelp example) =>
            new XElement(Command + "example",
                new XElement(Maml + "title", $"--------- Example {example.Number}: {example.Title} ---------"),
                new XElement(Dev + "code", string.Join("\n\n", example.Code)),
                new XElement(Dev + "remarks", Paras(PlainText.Paragraphs(example.Remarks))));

        private static XElement Description(IEnumerable<string> paragraphs) => new XElement(Maml + "description", Paras(paragraphs));

        private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs) => paragraphs.Select(p => new XElement(Maml + "para", p));

        private static string PipelineInput(ParameterSetMembership set) =>
            (set.ValueFromPipeline, set.ValueFromPipelineByPropertyName) switch
            {
                (true, true) => "True (ByValue, ByPropertyName)",
                (true, false) => "True (ByValue)",
                (false, true) => "True (ByPropertyName)",
                _ => "False",
            };

        private static string Lower(bool value) => value ? "true" : "false";
    }
}
