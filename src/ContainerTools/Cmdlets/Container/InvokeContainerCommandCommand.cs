using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Invoke-ContainerCommand [docker exec]: runs a command in a running container and returns one result with its
    /// output lines and exit code, as Invoke-ContainerImage does for docker run. Strings piped in are the command's
    /// standard input ('a','b' | Invoke-ContainerCommand web cat); container objects piped in are where it runs.
    /// A non-zero exit code is not an error (read ExitCode or Succeeded), exactly as with Invoke-ContainerImage.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ContainerCommand", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerCommandResult))]
    public sealed class InvokeContainerCommandCommand : ContainerCommandCmdlet
    {
        private readonly List<string> _pipedInput = new List<string>();
        private bool _inputFromPipeline;
        private string[]? _inputArgument;

        /// <summary>The program and its arguments, one element each: -Command ls, -l, /.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[] Command { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Lines for the command's standard input (docker exec -i), each followed by a newline; then the input is closed.
        /// Strings piped in bind here when the container is named by -Name or -Id.
        /// </summary>
        [Parameter(ParameterSetName = ByName, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = ById, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = ByObject)]
        [AllowEmptyString]
        [AllowEmptyCollection]
        [Alias("Stdin")]
        public string[]? StandardInput { get; set; }

        /// <summary>Run the command on a pseudo-terminal (docker exec -t): stdout and stderr come back as one stream, in Output.</summary>
        [Parameter]
        public SwitchParameter Tty { get; set; }

        /// <summary>Start the command and return at once with its ExecId (docker exec -d): no output, no exit code.</summary>
        [Parameter]
        public SwitchParameter Detach { get; set; }

        protected override void BeginProcessing()
        {
            // Named on the command line and fed by the pipeline: everything piped in is one input for one run, in EndProcessing.
            var bound = MyInvocation.BoundParameters;
            _inputFromPipeline = MyInvocation.ExpectingInput && (bound.ContainsKey(nameof(Name)) || bound.ContainsKey(nameof(Id)));
            _inputArgument = bound.ContainsKey(nameof(StandardInput)) ? StandardInput : null;
            if (Detach && (_inputFromPipeline || _inputArgument != null))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("-Detach starts the command without waiting, so it cannot feed it standard input. Leave out -Detach, or the input."),
                    "DetachWithStandardInput", ErrorCategory.InvalidArgument, null));
            }
        }

        protected override void ProcessRecord()
        {
            if (_inputFromPipeline)
            {
                if (StandardInput != null)
                {
                    _pipedInput.AddRange(StandardInput);
                }

                return;
            }

            Run(_inputArgument);
        }

        protected override void EndProcessing()
        {
            if (_inputFromPipeline)
            {
                Run(_pipedInput.ToArray());
            }

            base.EndProcessing();
        }

        private void Run(string[]? input)
        {
            var (engine, reference, display) = Target();
            var commandText = CommandText(Command);
            if (!ShouldProcess($"container {display}", $"Run command '{commandText}'"))
            {
                return;
            }

            var spec = BuildSpec(Command, Tty);
            WriteVerbose($"Running '{commandText}' in container '{display}' on {engine.Name}{(Detach ? " (detached)" : string.Empty)}.");
            var verbose = MyInvocation.BoundParameters.ContainsKey("Verbose");
            TryRun(display, () =>
            {
                ContainerCommandResult result;
                if (Detach)
                {
                    result = Await(ct => engine.Containers.StartDetachedAsync(reference, spec, ct));
                }
                else
                {
                    using var stdin = input == null ? null : new MemoryStream(StandardInputBytes(input));
                    // Lines reach the Verbose stream as the command writes them; the result comes when it ends.
                    result = Stream((post, ct) => engine.Containers.ExecAsync(reference, spec, stdin,
                        verbose ? (stream, line) => post(() => WriteVerbose((stream == OutputStream.Stdout ? "stdout: " : "stderr: ") + line)) : (Action<OutputStream, string>?)null,
                        ct));
                }

                WriteObject(result);
            });
        }

        // As PowerShell feeds a native command: each string and a newline, UTF-8 without a byte order mark.
        private static byte[] StandardInputBytes(string[] lines)
        {
            var text = new StringBuilder();
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }

            return new UTF8Encoding(false).GetBytes(text.ToString());
        }
    }
}
