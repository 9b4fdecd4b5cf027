using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Tests.Machines
{
    /// <summary>
    /// A tiny HTTP/1.1 server on loopback serving one body, with the failures a download must survive: a connection
    /// dropped mid-body, no Range support, a body that stalls until released.
    /// </summary>
    internal sealed class LoopbackHttpServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly TaskCompletionSource<bool> _release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _drops;

        public LoopbackHttpServer(byte[] content)
        {
            Content = content;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = AcceptLoopAsync();
        }

        public byte[] Content { get; set; }

        public bool SupportsRanges { get; set; } = true;

        /// <summary>Bytes of the body sent before a dropped connection, or before a stall.</summary>
        public int CutAfter { get; set; } = 1000;

        /// <summary>How many of the next responses are cut off after <see cref="CutAfter"/> bytes.</summary>
        public int Drops
        {
            get => Volatile.Read(ref _drops);
            set => Volatile.Write(ref _drops, value);
        }

        /// <summary>Responses stop after CutAfter bytes and wait (connection open) until the server is disposed.</summary>
        public bool Stall { get; set; }

        /// <summary>Each request: path and its Range header (null when none).</summary>
        public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new ConcurrentQueue<(string, string?)>();

        public Uri Address(string path = "/images/rootfs.tar.gz") => new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

        public void Dispose()
        {
            _release.TrySetResult(true);
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = await ReadHeadAsync(stream).ConfigureAwait(false);
                    var lines = head.Split(new[] { "\r\n" }, StringSplitOptions.None);
                    var path = lines[0].Split(' ')[1];
                    string? range = null;
                    foreach (var line in lines)
                    {
                        if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
                        {
                            range = line.Substring(6).Trim();
                        }
                    }

                    Requests.Enqueue((path, range));
                    if (path == "/missing")
                    {
                        await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ConfigureAwait(false);
                        return;
                    }

                    var content = Content;
                    var start = 0;
                    var status = "200 OK";
                    var extra = SupportsRanges ? "Accept-Ranges: bytes\r\n" : string.Empty;
                    if (SupportsRanges && range != null && range.StartsWith("bytes=", StringComparison.Ordinal))
                    {
                        start = int.Parse(range.Substring(6).TrimEnd('-'));
                        if (start >= content.Length)
                        {
                            await WriteAsync(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{content.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ConfigureAwait(false);
                            return;
                        }

                        status = "206 Partial Content";
                        extra += $"Content-Range: bytes {start}-{content.Length - 1}/{content.Length}\r\n";
                    }

                    var length = content.Length - start;
                    await WriteAsync(stream, $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\n{extra}Connection: close\r\n\r\n").ConfigureAwait(false);
                    var cut = Interlocked.Decrement(ref _drops) >= 0 || Stall;
                    var send = cut ? Math.Min(CutAfter, length) : length;
                    await stream.WriteAsync(content, start, send).ConfigureAwait(false);
                    await stream.FlushAsync().ConfigureAwait(false);
                    if (Stall)
                    {
                        await _release.Task.ConfigureAwait(false);
                    }

                    if (cut)
                    {
                        // A reset, as a proxy or a flaky link would leave it.
                        client.Client.LingerState = new LingerOption(true, 0);
                    }
                }
                catch (Exception)
                {
                    // The client went away; nothing to serve.
                }
            }
        }

        private static async Task<string> ReadHeadAsync(NetworkStream stream)
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (await stream.ReadAsync(one, 0, 1).ConfigureAwait(false) == 1)
            {
                bytes.Add(one[0]);
                var n = bytes.Count;
                if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
                {
                    break;
                }
            }

            return Encoding.ASCII.GetString(bytes.ToArray());
        }

        private static Task WriteAsync(NetworkStream stream, string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            return stream.WriteAsync(bytes, 0, bytes.Length);
        }
    }
}
