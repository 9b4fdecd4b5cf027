using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Enter-Container [docker exec -it]: an interactive terminal session in a running container, in this console,
    /// until the command ends. A host without a console (a runbook, CI, a hosted runspace, redirected input or
    /// output) is refused at once with ConsoleRequired: it has no one to type, and waiting would hang.
    /// </summary>
    [Cmdlet(VerbsCommon.Enter, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerCommandResult))]
    public sealed class EnterContainerCommand : ContainerCommandCmdlet
    {
        /// <summary>How often the console window is checked for a new size.</summary>
        private static readonly TimeSpan ResizePoll = TimeSpan.FromMilliseconds(250);

        /// <summary>The program to run on the terminal and its arguments: sh by default.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[] Command { get; set; } = { "sh" };

        /// <summary>After the session, write the result (its ExitCode) to the pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            // -WhatIf only says what would run, which needs no console.
            var reason = MyInvocation.BoundParameters.ContainsKey("WhatIf") ? null : ConsoleTerminal.Unavailable(Host);
            if (reason != null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException(
                        $"Enter-Container needs an interactive console, and this host ({Host?.Name}) has none: {reason}. " +
                        "A runbook, a CI job or a script host has no one to type into the session. " +
                        "Run the command with Invoke-ContainerCommand instead: it returns the output and the exit code as an object."),
                    "ConsoleRequired", ErrorCategory.InvalidOperation, Host?.Name));
            }
        }

        protected override void ProcessRecord()
        {
            var (engine, reference, display) = Target();
            if (!ShouldProcess($"container {display}", $"Open an interactive terminal running '{CommandText(Command)}'"))
            {
                return;
            }

            var spec = BuildSpec(Command, tty: true);
            var (columns, rows) = ConsoleTerminal.Size();
            WriteVerbose($"Opening a terminal ({columns}x{rows}) running '{CommandText(Command)}' in container '{display}' on {engine.Name}.");
            TryRun(display, () =>
            {
                using var session = Await(ct => engine.Containers.OpenTerminalAsync(reference, spec, columns, rows, ct));
                var result = RunOnConsole(session);
                if (PassThru)
                {
                    WriteObject(result);
                }
            });
        }

        private ContainerCommandResult RunOnConsole(ContainerTerminalSession session)
        {
            // As docker exec -it: Ctrl+C goes to the program in the container (it may be a shell, or vi), not to PowerShell.
            var controlC = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true;
            try
            {
                return Await(async ct =>
                {
                    using var sessionOver = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var resizing = FollowWindowSizeAsync(session, sessionOver.Token);
                    try
                    {
                        using var output = Console.OpenStandardOutput();
                        return await session.RunAsync(new ConsoleTerminal.KeyInputStream(), output, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        sessionOver.Cancel();
                        await resizing.ConfigureAwait(false);
                    }
                });
            }
            finally
            {
                Console.TreatControlCAsInput = controlC;
            }
        }

        // POST /exec/{id}/resize whenever the console window changes size, so full-screen programs redraw to fit.
        private static async Task FollowWindowSizeAsync(ContainerTerminalSession session, CancellationToken cancellationToken)
        {
            var last = ConsoleTerminal.Size();
            try
            {
                while (true)
                {
                    await Task.Delay(ResizePoll, cancellationToken).ConfigureAwait(false);
                    var now = ConsoleTerminal.Size();
                    if (now != last && now.Columns > 0 && now.Rows > 0)
                    {
                        last = now;
                        try
                        {
                            await session.ResizeAsync(now.Columns, now.Rows, cancellationToken).ConfigureAwait(false);
                        }
                        catch (ContainerTools.Engine.ContainerEngineException)
                        {
                            // The command may just have ended; the session reports that itself.
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
