using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Container = ContainerTools.Engine.Model.Container;

namespace ContainerTools.Engine.Containers
{
    /// <summary>Commands run in a running container (docker exec), with their output as data or on a terminal.</summary>
    public sealed partial class ContainerOperations
    {
        /// <summary>How long to wait, after a command's output has ended, for the engine to record its exit code.</summary>
        private static readonly TimeSpan ExecExitWait = TimeSpan.FromSeconds(10);

        /// <summary>
        /// Runs a command in a running container to completion (docker exec [-i]): standardInput, when given, is
        /// copied to the command's stdin and then closed (so 'cat' ends); stdout and stderr are collected line by line
        /// (onLine sees each as it arrives); the exit code is the engine's. A command the engine cannot start (not in
        /// the image, an unknown user, a missing working directory) is an error (ContainerCommandNotFound,
        /// ContainerCommandFailedToStart), not a result. Cancelling closes the connection and returns at once; as with
        /// docker exec, the process in the container is not killed (the engine has no way to), it loses its output pipe.
        /// </summary>
        public async Task<ContainerCommandResult> ExecAsync(string reference, ContainerCommandSpec spec, Stream? standardInput = null,
            Action<OutputStream, string>? onLine = null, CancellationToken cancellationToken = default)
        {
            var stopwatch = Stopwatch.StartNew();
            var container = await GetRunningAsync(reference, cancellationToken).ConfigureAwait(false);
            var execId = await CreateExecAsync(container, spec, standardInput != null, spec.Tty, cancellationToken).ConfigureAwait(false);
            var output = new List<string>();
            var errors = new List<string>();
            var (response, connection) = await StartAttachedExecAsync(container, execId, spec.Tty, cancellationToken).ConfigureAwait(false);
            using (response)
            using (connection)
            using (cancellationToken.Register(() => connection.Dispose()))
            {
                var stdin = standardInput == null ? Task.CompletedTask : Task.Run(() => CopyStdinAsync(standardInput, connection, cancellationToken));
                try
                {
                    var reader = new StreamDemultiplexer(connection, multiplexed: !spec.Tty, (stream, line) =>
                    {
                        // Type 3 (the engine's own messages) belongs with stderr; type 0 never carries output, docker prints it as stdout.
                        (stream == OutputStream.Stderr || stream == OutputStream.System ? errors : output).Add(line);
                        onLine?.Invoke(stream, line);
                    });
                    // Inside EngineCall so that a connection the engine drops is the usual EngineUnreachable error.
                    await EngineCall.RunAsync(_engine, Kind, container.Name, _ => reader.RunAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                await stdin.ConfigureAwait(false);
            }

            var exit = await WaitForExecExitAsync(container, execId, cancellationToken).ConfigureAwait(false);
            if (exit.NeverStarted)
            {
                // The engine writes why on the output stream (as docker exec shows it), then records 126.
                throw CommandStartFailure(container, spec.Command, string.Join(" ", output.Concat(errors)));
            }

            return new ContainerCommandResult(container, execId, spec.Command.ToList(), exit.ExitCode, output, errors, stopwatch.Elapsed, detached: false);
        }

        /// <summary>
        /// Starts a command in a running container and returns at once (docker exec -d): no output, no exit code.
        /// A command the engine cannot start is still an error, as with ExecAsync.
        /// </summary>
        public async Task<ContainerCommandResult> StartDetachedAsync(string reference, ContainerCommandSpec spec, CancellationToken cancellationToken = default)
        {
            var stopwatch = Stopwatch.StartNew();
            var container = await GetRunningAsync(reference, cancellationToken).ConfigureAwait(false);
            var execId = await CreateExecAsync(container, spec, attachStdin: false, spec.Tty, cancellationToken, attachOutput: false).ConfigureAwait(false);
            await EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
            {
                var (status, body) = await EngineJson.SendAsync(c, HttpMethod.Post, $"/exec/{execId}/start",
                    new Dictionary<string, object> { ["Detach"] = true, ["Tty"] = spec.Tty }, cancellationToken).ConfigureAwait(false);
                if (!EngineCall.IsSuccess(status) && IsStartFailure(EngineCall.ApiMessage(body)))
                {
                    throw CommandStartFailure(container, spec.Command, EngineCall.ApiMessage(body));
                }

                EngineCall.Check(status, body, Kind, container.Name);
            }, cancellationToken).ConfigureAwait(false);
            return new ContainerCommandResult(container, execId, spec.Command.ToList(), null, Array.Empty<string>(), Array.Empty<string>(), stopwatch.Elapsed, detached: true);
        }

        /// <summary>
        /// Opens an interactive terminal session (docker exec -it) in a running container: the command runs on a
        /// pseudo-terminal sized columns x rows (when given); connect it to a pair of streams with RunAsync.
        /// </summary>
        public async Task<ContainerTerminalSession> OpenTerminalAsync(string reference, ContainerCommandSpec spec, int columns = 0, int rows = 0,
            CancellationToken cancellationToken = default)
        {
            var stopwatch = Stopwatch.StartNew();
            var container = await GetRunningAsync(reference, cancellationToken).ConfigureAwait(false);
            var execId = await CreateExecAsync(container, spec, attachStdin: true, tty: true, cancellationToken).ConfigureAwait(false);
            var (response, connection) = await StartAttachedExecAsync(container, execId, tty: true, cancellationToken).ConfigureAwait(false);
            var session = new ContainerTerminalSession(this, container, execId, spec.Command.ToList(), response, connection, stopwatch);
            if (columns > 0 && rows > 0)
            {
                // As the docker CLI: the process may not have started when the upgrade answer comes, so the first resize is retried.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await ResizeExecAsync(container, execId, columns, rows, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (ContainerEngineException) when (attempt < 10)
                    {
                        await Task.Delay(10 * attempt, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ContainerEngineException)
                    {
                        break; // a wrong size is no reason to refuse the session
                    }
                }
            }

            return session;
        }

        /// <summary>POST /exec/{id}/resize: the terminal size of a running exec with a TTY.</summary>
        internal Task ResizeExecAsync(Container container, string execId, int columns, int rows, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
            {
                var query = string.Format(CultureInfo.InvariantCulture, "?h={0}&w={1}", rows, columns);
                var (status, body) = await EngineJson.SendAsync(c, HttpMethod.Post, $"/exec/{execId}/resize{query}", null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, body, Kind, container.Name);
            }, cancellationToken);

        /// <summary>The exit code once the engine has recorded it (the output can end a moment before); NeverStarted when the engine could not start the process.</summary>
        internal async Task<(long? ExitCode, bool NeverStarted)> WaitForExecExitAsync(Container container, string execId, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            var delay = 5;
            while (true)
            {
                var (running, exitCode, pid) = await InspectExecAsync(container, execId, cancellationToken).ConfigureAwait(false);
                if (!running)
                {
                    return (exitCode, pid == 0 && exitCode != null && exitCode != 0);
                }

                if (waited.Elapsed > ExecExitWait)
                {
                    // Its output is closed but it still runs (a child kept nothing open, yet it goes on): no exit code to report.
                    return (null, false);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 200);
            }
        }

        private Task<(bool Running, long? ExitCode, long Pid)> InspectExecAsync(Container container, string execId, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
            {
                var (status, body) = await EngineJson.SendAsync(c, HttpMethod.Get, $"/exec/{execId}/json", null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, body, Kind, container.Name);
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                var running = root.TryGetProperty("Running", out var r) && r.ValueKind == JsonValueKind.True;
                long? exitCode = root.TryGetProperty("ExitCode", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : (long?)null;
                var pid = root.TryGetProperty("Pid", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : 0;
                return (running, exitCode, pid);
            }, cancellationToken);

        private async Task<Container> GetRunningAsync(string reference, CancellationToken cancellationToken)
        {
            var container = await GetAsync(reference, cancellationToken).ConfigureAwait(false);
            return container.State == ContainerState.Running ? container : throw NotRunning(container);
        }

        private static ContainerEngineException NotRunning(Container container) =>
            container.State == ContainerState.Paused
                ? new ContainerEngineException("ContainerNotRunning", EngineErrorKind.Conflict,
                    $"Container '{container.Name}' is paused, so no command can run in it. Resume it with Resume-Container, then run the command again.", container.Name)
                : new ContainerEngineException("ContainerNotRunning", EngineErrorKind.Conflict,
                    $"Container '{container.Name}' is not running ({container.State}); a command can only run in a running container. Start it with Start-Container, then run the command again.",
                    container.Name);

        // POST /containers/{id}/exec; returns the exec id.
        private async Task<string> CreateExecAsync(Container container, ContainerCommandSpec spec, bool attachStdin, bool tty, CancellationToken cancellationToken,
            bool attachOutput = true)
        {
            if (spec.Command.Count == 0 || string.IsNullOrEmpty(spec.Command[0]))
            {
                throw new InvalidSpecException("InvalidContainerCommand", "The command is empty: give the program to run and its arguments, e.g. -Command ls, -l, /.", container.Name);
            }

            var body = new Dictionary<string, object?>
            {
                ["AttachStdin"] = attachStdin,
                ["AttachStdout"] = attachOutput,
                ["AttachStderr"] = attachOutput,
                ["Tty"] = tty,
                ["Cmd"] = spec.Command.ToList(),
                ["Privileged"] = spec.Privileged,
            };
            var environment = ExecEnvironment(spec);
            if (environment.Count > 0)
            {
                body["Env"] = environment;
            }

            if (!string.IsNullOrEmpty(spec.User))
            {
                body["User"] = spec.User;
            }

            if (!string.IsNullOrEmpty(spec.WorkingDirectory))
            {
                body["WorkingDir"] = spec.WorkingDirectory;
            }

            try
            {
                return await EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
                {
                    var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, $"/containers/{container.Id}/exec", body, cancellationToken).ConfigureAwait(false);
                    EngineCall.Check(status, text, Kind, container.Name);
                    using var doc = JsonDocument.Parse(text);
                    return doc.RootElement.GetProperty("Id").GetString()!;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict)
            {
                // It stopped or was paused after we looked: say so the same way.
                var now = await TryGetAsync(container.Id, cancellationToken).ConfigureAwait(false);
                throw now == null ? NotFound(container.Name) : now.State != ContainerState.Running ? NotRunning(now) : e;
            }
        }

        // POST /exec/{id}/start with Upgrade: tcp; the answer's connection becomes the exec's stdin (write) and output (read).
        private Task<(HttpResponseMessage Response, WriteClosableStream Connection)> StartAttachedExecAsync(Container container, string execId, bool tty,
            CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, Kind, container.Name, async c =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, c.ApiPath($"/exec/{execId}/start"))
                {
                    Content = EngineJson.Content(new Dictionary<string, object> { ["Detach"] = false, ["Tty"] = tty }),
                };
                // Without these the engine does not switch the connection to a raw two-way stream and ignores what is written to it.
                request.Headers.Connection.Add("Upgrade");
                request.Headers.Upgrade.Add(new ProductHeaderValue("tcp"));
                var response = await EngineCall.SendAsync(c, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                try
                {
                    if (response.StatusCode != HttpStatusCode.SwitchingProtocols && !response.IsSuccessStatusCode)
                    {
                        throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                    }

                    var connection = await c.HijackStreamAsync(response.Content).ConfigureAwait(false);
                    return (response, connection);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }, cancellationToken);

        // Standard input for a command without a terminal: all of it, then the half-close that is its end of file.
        private static async Task CopyStdinAsync(Stream input, WriteClosableStream connection, CancellationToken cancellationToken)
        {
            try
            {
                await input.CopyToAsync(connection, 81920, cancellationToken).ConfigureAwait(false);
                await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (connection.CanCloseWrite)
                {
                    connection.CloseWrite();
                }
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
            {
                // The command ended without reading all of its input (or the run was cancelled): as with docker exec -i, no error of its own.
            }
        }

        internal static bool IsStartFailure(string message) =>
            message.IndexOf("OCI runtime exec failed", StringComparison.OrdinalIgnoreCase) >= 0 ||
            message.IndexOf("unable to find user", StringComparison.OrdinalIgnoreCase) >= 0 ||
            message.IndexOf("unable to find group", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>Why the engine could not start a command, as one error: a program that is not there, or a bad user or working directory.</summary>
        internal static ContainerEngineException CommandStartFailure(Container container, IList<string> command, string message)
        {
            message = message.Trim().TrimEnd('.');
            var commandText = string.Join(" ", command);
            var program = command.Count > 0 ? command[0] : string.Empty;
            var badDirectory = message.IndexOf("chdir", StringComparison.OrdinalIgnoreCase) >= 0;
            if (!badDirectory && (message.IndexOf("executable file not found", StringComparison.OrdinalIgnoreCase) >= 0 ||
                                  message.IndexOf("no such file or directory", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                return new ContainerEngineException("ContainerCommandNotFound", EngineErrorKind.NotFound,
                    $"The program '{program}' was not found in container '{container.Name}' ({message}). Give a program the image has, by its full path or by a name on the container's PATH.",
                    container.Name);
            }

            var badUser = message.IndexOf("unable to find user", StringComparison.OrdinalIgnoreCase) >= 0 ||
                          message.IndexOf("unable to find group", StringComparison.OrdinalIgnoreCase) >= 0;
            var advice = badDirectory ? " Check -WorkingDirectory: it must be a folder that exists in the container."
                : badUser ? " Check -User: it must be a user (or uid) the container knows."
                : string.Empty;
            return new ContainerEngineException("ContainerCommandFailedToStart", badDirectory || badUser ? EngineErrorKind.InvalidArgument : EngineErrorKind.OperationFailed,
                $"The command '{commandText}' could not be started in container '{container.Name}': {message}.{advice}", container.Name);
        }

        // Variables as 'docker exec -e' takes them; a null value passes the caller's variable through (and sets nothing when it has none).
        private static List<string> ExecEnvironment(ContainerCommandSpec spec)
        {
            var list = new List<string>();
            foreach (var pair in spec.Environment)
            {
                if (string.IsNullOrEmpty(pair.Key) || pair.Key.Contains("="))
                {
                    throw new InvalidSpecException("InvalidEnvironmentName",
                        $"The environment variable name '{pair.Key}' is not valid: it must be non-empty and contain no '='.", pair.Key);
                }

                var value = pair.Value ?? Environment.GetEnvironmentVariable(pair.Key);
                if (value != null)
                {
                    list.Add(pair.Key + "=" + value);
                }
            }

            return list;
        }
    }
}
