using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace ContainerTools.Host
{
    /// <summary>Runs PowerShell in a runspace with the built module imported, printing through Out-Default and the module's views.</summary>
    public sealed class ScriptRunner : IDisposable
    {
        private readonly Runspace _runspace;

        /// <param name="plainText">No ANSI colours (output to a file or a log).</param>
        public ScriptRunner(string modulePath, TextWriter output, TextWriter error, int width = 120, bool plainText = true)
        {
            Host = new ConsoleHost(output, error, width, plainText);
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { modulePath });
            if (OperatingSystem.IsWindows())
            {
                state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            }

            _runspace = RunspaceFactory.CreateRunspace(Host, state);
            _runspace.Open();
        }

        public ConsoleHost Host { get; }

        public Runspace Runspace => _runspace;

        /// <summary>Runs a script file (with arguments); returns 0, or 1 if it ended in a terminating error.</summary>
        public int RunFile(string path, IEnumerable<string>? arguments = null)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                Host.UI.WriteErrorLine($"The script '{path}' does not exist.");
                return 2;
            }

            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddCommand(full);
            foreach (var argument in arguments ?? Enumerable.Empty<string>())
            {
                ps.AddArgument(argument);
            }

            return Invoke(ps);
        }

        /// <summary>Runs script text; returns 0, or 1 if it ended in a terminating error.</summary>
        public int RunCommand(string script)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            return Invoke(ps);
        }

        public void Dispose() => _runspace.Dispose();

        private int Invoke(PowerShell ps)
        {
            // Everything the script emits goes to Out-Default, which formats with the module's views.
            ps.AddCommand("Out-Default");
            ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException e)
            {
                Host.UI.WriteErrorLine(FormatError(e.ErrorRecord));
                return 1;
            }

            if (Host.ShouldExit)
            {
                return Host.ExitCode;
            }

            // 'exit N' in a script file ends the script and leaves N here.
            if (_runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int lastExitCode && lastExitCode != 0)
            {
                return lastExitCode;
            }

            // Errors are merged into the output (to print them in order), so HadErrors is what tells.
            return ps.HadErrors ? 1 : 0;
        }

        private static string FormatError(ErrorRecord record)
        {
            var position = record.InvocationInfo?.PositionMessage;
            return record + (string.IsNullOrEmpty(position) ? string.Empty : Environment.NewLine + position) +
                   Environment.NewLine + "    + FullyQualifiedErrorId : " + record.FullyQualifiedErrorId;
        }
    }
}
