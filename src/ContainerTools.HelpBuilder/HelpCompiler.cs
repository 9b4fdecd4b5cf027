using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ContainerTools.HelpBuilder.Markdown;

namespace ContainerTools.HelpBuilder
{
    /// <summary>A file the builder writes into the output folder (en-US).</summary>
    public sealed record GeneratedHelpFile(string FileName, string Content);

    /// <summary>What docs/ holds: the cmdlet pages and the about topics, read and checked.</summary>
    public sealed record HelpSources(IReadOnlyList<CommandHelpPage> Commands, IReadOnlyList<AboutTopic> AboutTopics);

    /// <summary>
    /// docs/*.md to the files Get-Help reads: one MAML file for the cmdlet pages (named by their
    /// 'external help file') and one about_*.help.txt per about topic. Pure: it reads the docs and returns
    /// text, so the tests can compare it with what is committed.
    /// </summary>
    public static class HelpCompiler
    {
        public static HelpSources Read(string docsDirectory)
        {
            var commands = new List<CommandHelpPage>();
            var topics = new List<AboutTopic>();
            // Ordinal order: the output must not depend on the file system's listing order.
            foreach (var path in Directory.GetFiles(docsDirectory, "*.md").OrderBy(p => System.IO.Path.GetFileName(p), StringComparer.Ordinal))
            {
                var document = MarkdownDocument.Load(path);
                var fileName = System.IO.Path.GetFileNameWithoutExtension(path);
                if (CommandHelpPage.IsCommandPage(document))
                {
                    var page = CommandHelpPage.FromDocument(document);
                    if (page.Name != fileName)
                    {
                        throw new HelpFormatException(path, 1, $"the page documents {page.Name} but is named {fileName}.md; name it {page.Name}.md.");
                    }

                    commands.Add(page);
                }
                else if (AboutTopic.IsAboutPage(document))
                {
                    var topic = AboutTopic.FromDocument(document);
                    if (topic.Name != fileName)
                    {
                        throw new HelpFormatException(path, 1, $"the topic {topic.Name} must be in {topic.Name}.md.");
                    }

                    topics.Add(topic);
                }
                else
                {
                    throw new HelpFormatException(path, 1, "the front matter's 'document type' must be 'cmdlet' or 'about'.");
                }
            }

            if (commands.Count == 0)
            {
                throw new HelpFormatException(docsDirectory, 0, "there is no cmdlet page (document type: cmdlet) in this folder.");
            }

            return new HelpSources(commands, topics);
        }

        public static IReadOnlyList<GeneratedHelpFile> Compile(string docsDirectory) => Compile(Read(docsDirectory));

        public static IReadOnlyList<GeneratedHelpFile> Compile(HelpSources sources)
        {
            var files = new List<GeneratedHelpFile>();
            foreach (var group in sources.Commands.GroupBy(c => c.ExternalHelpFile, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                files.Add(new GeneratedHelpFile(group.Key, MamlWriter.Write(group)));
            }

            files.AddRange(sources.AboutTopics.Select(t => new GeneratedHelpFile(t.FileName, t.ToHelpText())));
            return files;
        }

        /// <summary>Compiles and writes the files; returns what was written.</summary>
        public static IReadOnlyList<GeneratedHelpFile> Write(string docsDirectory, string outputDirectory)
        {
            var files = Compile(docsDirectory);
            Directory.CreateDirectory(outputDirectory);
            foreach (var file in files)
            {
                File.WriteAllText(System.IO.Path.Combine(outputDirectory, file.FileName), file.Content, new System.Text.UTF8Encoding(false));
            }

            return files;
        }
    }
}
