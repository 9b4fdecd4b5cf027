using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Internal
{
    /// <summary>The answer to a streaming GET (logs, events): its status, and a body read as it arrives.</summary>
    internal sealed class StreamingResponse : IDisposable
    {
        private readonly IDisposable _owner;
        private int _disposed;

        public StreamingResponse(HttpStatusCode status, Stream body, bool synchronous, IDisposable owner)
        {
            StatusCode = status;
            Body = body;
            Synchronous = synchronous;
            _owner = owner;
        }

        public HttpStatusCode StatusCode { get; }

        public bool IsSuccessStatusCode => (int)StatusCode >= 200 && (int)StatusCode < 300;

        /// <summary>The body; when Synchronous, read it with blocking Read calls on a thread of its own.</summary>
        public Stream Body { get; }

        /// <summary>True when the body is a connection of our own, made for blocking reads (see StreamingGet).</summary>
        public bool Synchronous { get; }

        /// <summary>The whole (short) body of an error answer.</summary>
        public async Task<string> ReadTextAsync()
        {
            using var reader = new StreamReader(Body, new UTF8Encoding(false));
            return Synchronous ? await Task.Run(() => reader.ReadToEnd()).ConfigureAwait(false) : await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        /// <summary>Ends the response: the connection is closed at once (a cancelled follow ends here). Safe from any thread, more than once.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Dispose();
            }
        }
    }

    /// <summary>
    /// Streaming GETs: an endless (followed) or very large body read as it comes. On a unix-socket engine the request
    /// goes over a connection of its own, written and parsed here (HTTP/1.1, chunked or not), and the body is read
    /// with blocking reads into a 64 KiB buffer: reading a 200 MB log that way costs a fraction of the CPU time of
    /// HttpClient's async reads (whose 4 KiB connection buffer and thread-pool hop per read dominate when the engine
    /// sends one small frame per log line), and disposing the response closes the socket at once - no pooled
    /// connection is left draining a followed stream. Other transports (tcp, TLS, named pipes) use the engine's HttpClient.
    /// </summary>
    internal static class StreamingGet
    {
        private static readonly Type? UnixEndPointType = Type.GetType("System.Net.Sockets.UnixDomainSocketEndPoint, System.Net.Sockets", throwOnError: false);

        public static async Task<StreamingResponse> SendAsync(EngineClient client, string apiPathAndQuery, CancellationToken cancellationToken)
        {
            if (UnixEndPointType != null && client.Endpoint.Scheme == "unix")
            {
                var socketPath = new Uri(client.Endpoint.Address).LocalPath;
                return await Task.Run(() => SendOnOwnConnection(socketPath, apiPathAndQuery, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            var request = new HttpRequestMessage(HttpMethod.Get, apiPathAndQuery);
            HttpResponseMessage? response = null;
            try
            {
                response = await EngineCall.SendAsync(client, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var owned = response;
                return new StreamingResponse(response.StatusCode, body, synchronous: false, new Disposer(() =>
                {
                    body.Dispose();
                    owned.Dispose();
                    request.Dispose();
                }));
            }
            catch
            {
                response?.Dispose();
                request.Dispose();
                throw;
            }
        }

        private static StreamingResponse SendOnOwnConnection(string socketPath, string pathAndQuery, CancellationToken cancellationToken)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            var connection = new Disposer(() => Close(socket));
            try
            {
                using (cancellationToken.Register(connection.Dispose))
                {
                    socket.Connect((EndPoint)Activator.CreateInstance(UnixEndPointType!, socketPath)!);
                    var request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: ContainerTools\r\nConnection: close\r\n\r\n";
                    var bytes = Encoding.ASCII.GetBytes(request);
                    var sent = 0;
                    while (sent < bytes.Length)
                    {
                        sent += socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
                    }

                    var body = new HttpBodyStream(socket);
                    var status = body.ReadHead();
                    cancellationToken.ThrowIfCancellationRequested();
                    return new StreamingResponse(status, body, synchronous: true, connection);
                }
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested)
            {
                connection.Dispose();
                throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
            }
            catch (Exception e) when (e is SocketException || e is IOException || e is ObjectDisposedException)
            {
                connection.Dispose();
                // As the HttpClient transports report a refused or broken connection, so EngineCall says "engine unreachable".
                throw new HttpRequestException("The engine connection failed: " + e.Message, e);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        // Shutdown wakes a blocking Receive on another thread at once; Dispose alone may not on every platform.
        private static void Close(Socket socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
            }

            socket.Dispose();
        }

        private sealed class Disposer : IDisposable
        {
            private Action? _action;

            public Disposer(Action action)
            {
                _action = action;
            }

            public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
        }
    }

    /// <summary>
    /// An HTTP/1.1 response read from a socket: ReadHead parses the status line and headers, then Read hands out the
    /// body - chunked, of a Content-Length, or up to the close - with blocking reads into one buffer. A Read returns
    /// everything already buffered (across chunk boundaries) before it waits on the socket again.
    /// </summary>
    internal sealed class HttpBodyStream : Stream
    {
        private const int MaxHeadBytes = 64 * 1024;

        private readonly Socket? _socket;
        private readonly Stream? _source;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private bool _chunked;
        private long _remaining = -1; // bytes left in the current chunk, or of the Content-Length; -1: until the close
        private bool _done;

        public HttpBodyStream(Socket socket)
        {
            _socket = socket;
        }

        /// <summary>For tests: the response comes from a stream.</summary>
        internal HttpBodyStream(Stream source)
        {
            _source = source;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>Reads the status line and the headers; returns the status code.</summary>
        public HttpStatusCode ReadHead()
        {
            var status = ReadLine() ?? throw new IOException("The engine closed the connection before it answered.");
            var parts = status.Split(' ');
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) ||
                !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new IOException($"The engine's answer does not start with an HTTP status line: '{status}'.");
            }

            var headBytes = status.Length;
            string? line;
            while (!string.IsNullOrEmpty(line = ReadLine()))
            {
                headBytes += line!.Length;
                if (headBytes > MaxHeadBytes)
                {
                    throw new IOException("The engine's answer has more header lines than an answer can have.");
                }

                var colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    continue;
                }

                var name = line.Substring(0, colon).Trim();
                var value = line.Substring(colon + 1).Trim();
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    _chunked = true;
                }
                else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) &&
                         long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    _remaining = length;
                }
            }

            if (line == null)
            {
                throw new IOException("The engine closed the connection in the middle of its answer's headers.");
            }

            if (_chunked)
            {
                _remaining = 0; // the first chunk's size line comes next
            }
            else if (_remaining == 0 || code == 204 || code == 304)
            {
                _done = true;
            }

            return (HttpStatusCode)code;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var copied = 0;
            while (copied < count && !_done)
            {
                if (_chunked && _remaining == 0 && !StartChunk(wait: copied == 0))
                {
                    break; // the next size line is not here yet: hand out what we have
                }

                if (_done)
                {
                    break;
                }

                if (_start == _end)
                {
                    if (copied > 0 || !Fill())
                    {
                        if (_start == _end && copied == 0)
                        {
                            _done = true; // closed: the end of a close-delimited body (or a cut one)
                        }

                        break;
                    }
                }

                var take = Math.Min(count - copied, _end - _start);
                if (_remaining >= 0)
                {
                    take = (int)Math.Min(take, _remaining);
                }

                Buffer.BlockCopy(_buffer, _start, buffer, offset + copied, take);
                _start += take;
                copied += take;
                if (_remaining >= 0)
                {
                    _remaining -= take;
                    if (_remaining == 0 && !_chunked)
                    {
                        _done = true;
                    }
                }
            }

            return copied;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _source?.Dispose();
            }

            base.Dispose(disposing);
        }

        // At a chunk boundary: skips the CRLF that ends the previous chunk, reads the size line. False when it is not
        // wholly buffered and we may not wait for it. A size of 0 ends the body (trailers are skipped).
        private bool StartChunk(bool wait)
        {
            var line = wait ? ReadLine() : TryReadBufferedLine();
            if (line != null && line.Length == 0)
            {
                line = wait ? ReadLine() : TryReadBufferedLine(); // the CRLF after the previous chunk's data
            }

            if (line == null)
            {
                if (wait)
                {
                    _done = true; // closed before the last chunk: a cut body ends here
                }

                return false;
            }

            var semicolon = line.IndexOf(';');
            var size = (semicolon < 0 ? line : line.Substring(0, semicolon)).Trim();
            if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length) || length < 0)
            {
                throw new IOException($"The engine's answer has a broken chunk header: '{line}'.");
            }

            if (length == 0)
            {
                _done = true;
                return true;
            }

            _remaining = length;
            return true;
        }

        // A CRLF-ended line from the buffer only, or null (and nothing consumed) when it is not all there.
        private string? TryReadBufferedLine()
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                return null;
            }

            var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
            _start = newline + 1;
            return line;
        }

        // A CRLF-ended line, waiting for more bytes as needed; null when the connection closes first.
        private string? ReadLine()
        {
            while (true)
            {
                var line = TryReadBufferedLine();
                if (line != null)
                {
                    return line;
                }

                if (_end - _start >= MaxHeadBytes)
                {
                    throw new IOException("The engine's answer has a line longer than any header line can be.");
                }

                if (!Fill())
                {
                    return null;
                }
            }
        }

        // Reads more from the connection behind what is buffered; false at its end.
        private bool Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = _socket != null
                ? _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None)
                : _source!.Read(_buffer, _end, _buffer.Length - _end);
            _end += read;
            return read > 0;
        }
    }
}
