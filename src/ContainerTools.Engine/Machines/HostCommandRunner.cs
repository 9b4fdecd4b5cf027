using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Machines
{
    /// <summary>
    /// Runs host programs for real: System.Diagnostics.Process, every argument passed on its own (never one shell
    /// string), output read while the program runs (so a chatty program cannot block on a full pipe).
    /// </summary>
    public sealed class HostCommandRunner : IHostCommandRunner
    {
        public static HostCommandRunner Instance { get; } = new HostCommandRunner();

        public async Task<HostCommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
        {
            if (command == null)
            {
                throw new ArgumentNullException(nameof(command));
            }

            var start = new ProcessStartInfo(command.FileName)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            // ProcessStartInfo.ArgumentList is not in netstandard2.0: quote each argument the way the runtime splits them.
            start.Arguments = Wsl.WindowsCommandLine.Join(command.Arguments);

            var output = new StringBuilder();
            var error = new StringBuilder();
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var outputDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errorDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null)
                {
                    outputDone.TrySetResult(true);
                }
                else
                {
                    lock (output)
                    {
                        output.Append(e.Data).Append('\n');
                    }
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null)
                {
                    errorDone.TrySetResult(true);
                }
                else
                {
                    lock (error)
                    {
                        error.Append(e.Data).Append('\n');
                    }
                }
            };
            process.Exited += (_, _) => exited.TrySetResult(true);
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                throw new ContainerEngineException("HostProgramNotFound", EngineErrorKind.NotFound,
                    $"The program '{command.FileName}' could not be started ({e.Message}). Install it, or check that it is on the PATH.", command.FileName);
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                if (command.StandardInput != null)
                {
                    await process.StandardInput.WriteAsync(command.StandardInput).ConfigureAwait(false);
                }

                process.StandardInput.Close();
            }
            catch (System.IO.IOException)
            {
                // The program exited without reading its input; its exit code tells the rest.
            }

            using (cancellationToken.Register(() => TryKill(process)))
            {
                await exited.Task.ConfigureAwait(false);
            }

            // A program that left a child holding the pipes (setsid -f) must not keep us waiting for ever.
            await Task.WhenAny(Task.WhenAll(outputDone.Task, errorDone.Task), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            process.WaitForExit();
            string stdout, stderr;
            lock (output)
            {
                stdout = output.ToString();
            }

            lock (error)
            {
                stderr = error.ToString();
            }

            return new HostCommandResult(process.ExitCode, stdout, stderr);
        }

        private static void TryKill(Process process)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
            }
            catch (Win32Exception)
            {
            }
        }
    }

    /// <summary>Helpers for providers: run, and fail with the program's own words when it fails.</summary>
    public static class HostCommandRunnerExtensions
    {
        public static Task<HostCommandResult> RunAsync(this IHostCommandRunner runner, CancellationToken cancellationToken, string fileName, params string[] arguments) =>
            runner.RunAsync(new HostCommand(fileName, arguments), cancellationToken);

        /// <summary>Runs the command and throws a ContainerEngineException (errorId, with the program's stderr) when it exits non-zero.</summary>
        public static async Task<HostCommandResult> RunCheckedAsync(this IHostCommandRunner runner, string errorId, HostCommand command, CancellationToken cancellationToken)
        {
            var result = await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                var detail = (result.StandardError.Trim().Length > 0 ? result.StandardError : result.StandardOutput).Trim();
                throw new ContainerEngineException(errorId, EngineErrorKind.OperationFailed,
                    $"'{command}' failed (exit code {result.ExitCode}): {detail}", command.FileName);
            }

            return result;
        }
    }
}
