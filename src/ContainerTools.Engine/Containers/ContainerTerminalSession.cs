using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Model;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Container = ContainerTools.Engine.Model.Container;

namespace ContainerTools.Engine.Containers
{
    /// <summary>
    /// An interactive command on a pseudo-terminal in a container (docker exec -it), connected to whatever pair of
    /// streams the caller has: a console (Enter-Container), or pipes in a program or a test. Knows nothing of consoles.
    /// From ContainerOperations.OpenTerminalAsync; dispose it when done.
    /// </summary>
    public sealed class ContainerTerminalSession : IDisposable
    {
        // The last output kept to explain a command the engine could not start (its reason arrives as output).
        private const int TailLength = 2048;

        private static readonly byte[] EndOfTransmission = { 0x04 };

        private readonly ContainerOperations _operations;
        private readonly HttpResponseMessage _response;
        private readonly WriteClosableStream _connection;
        private readonly Stopwatch _stopwatch;
        private readonly IList<string> _command;

        internal ContainerTerminalSession(ContainerOperations operations, Container container, string execId, IList<string> command,
            HttpResponseMessage response, WriteClosableStream connection, Stopwatch stopwatch)
        {
            _operations = operations;
            Container = container;
            ExecId = execId;
            _command = command;
            _response = response;
            _connection = connection;
            _stopwatch = stopwatch;
        }

        public Container Container { get; }

        public string ExecId { get; }

        /// <summary>Tells the terminal its new size (POST /exec/{id}/resize); the program in it gets SIGWINCH.</summary>
        public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default) =>
            _operations.ResizeExecAsync(Container, ExecId, columns, rows, cancellationToken);

        /// <summary>
        /// Copies input to the terminal and the terminal to output (raw bytes, escape sequences and all) until the
        /// command ends, then returns its exit code. When input ends, the terminal gets Ctrl+D (end of file for a program
        /// reading a fresh line, such as a shell at its prompt).
        /// Cancelling closes the connection and returns at once; the process in the container is left running, as
        /// docker exec leaves it when the client goes away.
        /// </summary>
        public async Task<ContainerCommandResult> RunAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
        {
            using var inputDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pumpIn = Task.Run(() => CopyInputAsync(input, inputDone.Token));
            var tail = new StringBuilder();
            var decoder = new UTF8Encoding(false).GetDecoder();
            try
            {
                using (cancellationToken.Register(() => _connection.Dispose()))
                {
                    var buffer = new byte[16384];
                    while (true)
                    {
                        int read;
                        try
                        {
                            read = await _connection.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
                        {
                            throw new OperationCanceledException(cancellationToken);
                        }

                        if (read == 0)
                        {
                            break;
                        }

                        await output.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                        var chars = new char[decoder.GetCharCount(buffer, 0, read)];
                        decoder.GetChars(buffer, 0, read, chars, 0);
                        tail.Append(chars);
                        if (tail.Length > TailLength * 2)
                        {
                            tail.Remove(0, tail.Length - TailLength);
                        }
                    }
                }
            }
            finally
            {
                // The command is over (or we stop): stop reading input. A console read that ignores the token is simply left behind.
                inputDone.Cancel();
                _ = pumpIn.ContinueWith(t => t.Exception, TaskScheduler.Default);
            }

            var exit = await _operations.WaitForExecExitAsync(Container, ExecId, cancellationToken).ConfigureAwait(false);
            if (exit.NeverStarted)
            {
                throw ContainerOperations.CommandStartFailure(Container, _command, tail.ToString());
            }

            return new ContainerCommandResult(Container, ExecId, new List<string>(_command), exit.ExitCode, Array.Empty<string>(), Array.Empty<string>(),
                _stopwatch.Elapsed, detached: false);
        }

        public void Dispose()
        {
            _connection.Dispose();
            _response.Dispose();
        }

        private async Task CopyInputAsync(Stream input, CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await input.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await _connection.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                    await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                // End of input is Ctrl+D, the end-of-file a person types. Not a half-close: on a TTY exec the engine takes
                // that as the client leaving and drops the terminal's output at once, while the program runs on.
                await _connection.WriteAsync(EndOfTransmission, 0, EndOfTransmission.Length, cancellationToken).ConfigureAwait(false);
                await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
            {
                // The session ended first, or was cancelled.
            }
        }
    }
}
