using System.Diagnostics;
using System.Linq;
using System.Text;

namespace ContainerTools.Engine.Machines.Wsl
{
    /// <summary>
    /// Starts a host program that keeps running after the call returns (IHostCommandRunner waits for its commands).
    /// The Wsl provider needs one: WSL shuts an idle distribution down a few seconds after its last wsl.exe client
    /// exits, dockerd or not, so a wsl.exe that sleeps inside the distribution keeps the engine up (Docker Desktop
    /// does the same). "wsl.exe --terminate" ends it.
    /// </summary>
    public interface IBackgroundProcessLauncher
    {
        void Launch(HostCommand command);
    }

    /// <summary>Process.Start, no window, no redirection; the child outlives this process.</summary>
    public sealed class BackgroundProcessLauncher : IBackgroundProcessLauncher
    {
        public void Launch(HostCommand command)
        {
            var start = new ProcessStartInfo(command.FileName, WindowsCommandLine.Join(command.Arguments))
            {
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            using (Process.Start(start))
            {
            }
        }
    }

    /// <summary>Builds a Windows command line that CommandLineToArgvW (and the C runtime) splits back into the same arguments.</summary>
    public static class WindowsCommandLine
    {
        public static string Join(System.Collections.Generic.IEnumerable<string> arguments) => string.Join(" ", arguments.Select(Quote));

        public static string Quote(string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
            {
                return argument;
            }

            var text = new StringBuilder("\"");
            for (var i = 0; ; i++)
            {
                var backslashes = 0;
                while (i < argument.Length && argument[i] == '\\')
                {
                    i++;
                    backslashes++;
                }

                if (i == argument.Length)
                {
                    // Backslashes before the closing quote are doubled, so they stay backslashes.
                    text.Append('\\', backslashes * 2);
                    break;
                }

                if (argument[i] == '"')
                {
                    text.Append('\\', (backslashes * 2) + 1).Append('"');
                }
                else
                {
                    text.Append('\\', backslashes).Append(argument[i]);
                }
            }

            return text.Append('"').ToString();
        }
    }
}
