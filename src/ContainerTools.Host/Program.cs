using System;
using System.IO;
using System.Linq;

namespace ContainerTools.Host
{
    /// <summary>
    /// ctpwsh: run a PowerShell script with ContainerTools imported, where pwsh is not installed.
    ///   ctpwsh [-Module path/to/ContainerTools.psd1] -File script.ps1 [args...]
    ///   ctpwsh [-Module path/to/ContainerTools.psd1] -Command "Get-Container"
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var module = Environment.GetEnvironmentVariable("CONTAINERTOOLS_MODULE") ?? DefaultModulePath();
            string? file = null;
            string? command = null;
            var scriptArgs = Array.Empty<string>();
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i].ToLowerInvariant())
                {
                    case "-module" when i + 1 < args.Length:
                        module = args[++i];
                        break;
                    case "-file" when i + 1 < args.Length:
                        file = args[++i];
                        scriptArgs = args.Skip(i + 1).ToArray();
                        i = args.Length;
                        break;
                    case "-command" when i + 1 < args.Length:
                        command = string.Join(" ", args.Skip(i + 1));
                        i = args.Length;
                        break;
                    default:
                        Console.Error.WriteLine("usage: ctpwsh [-Module ContainerTools.psd1] (-File script.ps1 [args] | -Command text)");
                        return 2;
                }
            }

            if (file == null && command == null)
            {
                Console.Error.WriteLine("usage: ctpwsh [-Module ContainerTools.psd1] (-File script.ps1 [args] | -Command text)");
                return 2;
            }

            if (!File.Exists(module))
            {
                Console.Error.WriteLine($"The module manifest '{module}' does not exist. Build first: ./build.sh build");
                return 2;
            }

            using var runner = new ScriptRunner(Path.GetFullPath(module), Console.Out, Console.Error, ConsoleWidth(), plainText: Console.IsOutputRedirected);
            return file != null ? runner.RunFile(file, scriptArgs) : runner.RunCommand(command!);
        }

        private static string DefaultModulePath()
        {
            // out/ContainerTools next to the repository this host was built from.
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ContainerTools.psd1")))
            {
                dir = dir.Parent;
            }

            return dir == null ? "ContainerTools.psd1" : Path.Combine(dir.FullName, "out", "ContainerTools", "ContainerTools.psd1");
        }

        private static int ConsoleWidth()
        {
            try
            {
                return Console.IsOutputRedirected ? 160 : Math.Max(80, Console.WindowWidth);
            }
            catch (IOException)
            {
                return 160;
            }
        }
    }
}
