using System;
using System.IO;
using ContainerTools.HelpBuilder.Markdown;

namespace ContainerTools.HelpBuilder
{
    /// <summary>
    /// Usage: ContainerTools.HelpBuilder &lt;docs-folder&gt; &lt;output-folder&gt;
    /// (./build.sh help runs it as: docs en-US). Exit code 0 when written, 1 for a page that breaks the schema.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: ContainerTools.HelpBuilder <docs-folder> <output-folder>   (e.g. docs en-US)");
                return 2;
            }

            if (!Directory.Exists(args[0]))
            {
                Console.Error.WriteLine($"The docs folder '{args[0]}' does not exist.");
                return 2;
            }

            try
            {
                foreach (var file in HelpCompiler.Write(args[0], args[1]))
                {
                    Console.WriteLine($"Wrote {Path.Combine(args[1], file.FileName)}");
                }

                return 0;
            }
            catch (HelpFormatException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        }
    }
}
