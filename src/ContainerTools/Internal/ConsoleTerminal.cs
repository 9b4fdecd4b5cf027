using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation.Host;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Internal
{
    /// <summary>
    /// The process console as the two ends of a container terminal (Enter-Container): keys in (as the bytes a
    /// terminal sends), raw bytes out, and the window size. Only used after <see cref="Unavailable"/> said there is a console.
    /// </summary>
    internal static class ConsoleTerminal
    {
        /// <summary>Why this host cannot give an interactive console, or null when it can.</summary>
        public static string? Unavailable(PSHost? host)
        {
            if (host == null || host.UI == null || string.Equals(host.Name, "ServerRemoteHost", StringComparison.OrdinalIgnoreCase))
            {
                return "it has no user interface of its own (a remote session or a hosted runspace)";
            }

            try
            {
                if (Console.IsInputRedirected)
                {
                    return "its standard input is redirected";
                }

                if (Console.IsOutputRedirected)
                {
                    return "its standard output is redirected";
                }
            }
            catch (IOException)
            {
                return "the process has no console";
            }

            return null;
        }

        /// <summary>The console window's size in character cells; (0, 0) when it cannot be read.</summary>
        public static (int Columns, int Rows) Size()
        {
            try
            {
                return (Console.WindowWidth, Console.WindowHeight);
            }
            catch (Exception e) when (e is IOException || e is PlatformNotSupportedException || e is InvalidOperationException)
            {
                return (0, 0);
            }
        }

        /// <summary>
        /// Keys typed at the console as the byte stream a terminal sends: characters as UTF-8, Enter as CR, Backspace
        /// as DEL, arrows and editing keys as VT escape sequences, Alt+key as ESC and the key. Reads poll the console
        /// (so a read ends promptly when its token is cancelled) and never reach end of file.
        /// </summary>
        internal sealed class KeyInputStream : Stream
        {
            private static readonly Dictionary<ConsoleKey, string> Sequences = new Dictionary<ConsoleKey, string>
            {
                [ConsoleKey.UpArrow] = "\u001b[A",
                [ConsoleKey.DownArrow] = "\u001b[B",
                [ConsoleKey.RightArrow] = "\u001b[C",
                [ConsoleKey.LeftArrow] = "\u001b[D",
                [ConsoleKey.Home] = "\u001b[H",
                [ConsoleKey.End] = "\u001b[F",
                [ConsoleKey.Insert] = "\u001b[2~",
                [ConsoleKey.Delete] = "\u001b[3~",
                [ConsoleKey.PageUp] = "\u001b[5~",
                [ConsoleKey.PageDown] = "\u001b[6~",
                [ConsoleKey.F1] = "\u001bOP",
                [ConsoleKey.F2] = "\u001bOQ",
                [ConsoleKey.F3] = "\u001bOR",
                [ConsoleKey.F4] = "\u001bOS",
                [ConsoleKey.F5] = "\u001b[15~",
                [ConsoleKey.F6] = "\u001b[17~",
                [ConsoleKey.F7] = "\u001b[18~",
                [ConsoleKey.F8] = "\u001b[19~",
                [ConsoleKey.F9] = "\u001b[20~",
                [ConsoleKey.F10] = "\u001b[21~",
                [ConsoleKey.F11] = "\u001b[23~",
                [ConsoleKey.F12] = "\u001b[24~",
            };

            private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
            private readonly Queue<byte> _pending = new Queue<byte>();

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    while (_pending.Count < count && Console.KeyAvailable)
                    {
                        Encode(Console.ReadKey(intercept: true));
                    }

                    if (_pending.Count > 0)
                    {
                        var n = 0;
                        while (n < count && _pending.Count > 0)
                        {
                            buffer[offset + n++] = _pending.Dequeue();
                        }

                        return n;
                    }

                    await Task.Delay(15, cancellationToken).ConfigureAwait(false);
                }
            }

            public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            private void Encode(ConsoleKeyInfo key)
            {
                string text;
                if (Sequences.TryGetValue(key.Key, out var sequence))
                {
                    text = sequence;
                }
                else if (key.Key == ConsoleKey.Backspace)
                {
                    text = "\u007f";
                }
                else if (key.Key == ConsoleKey.Enter)
                {
                    text = "\r";
                }
                else if (key.KeyChar != '\0')
                {
                    text = key.KeyChar.ToString();
                }
                else if ((key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key >= ConsoleKey.A && key.Key <= ConsoleKey.Z)
                {
                    text = ((char)(key.Key - ConsoleKey.A + 1)).ToString();
                }
                else
                {
                    return;
                }

                if ((key.Modifiers & ConsoleModifiers.Alt) != 0 && !text.StartsWith("\u001b", StringComparison.Ordinal))
                {
                    text = "\u001b" + text;
                }

                // The encoder keeps half of a surrogate pair until the other half comes.
                var chars = text.ToCharArray();
                var bytes = new byte[_encoder.GetByteCount(chars, 0, chars.Length, flush: false)];
                _encoder.GetBytes(chars, 0, chars.Length, bytes, 0, flush: false);
                foreach (var b in bytes)
                {
                    _pending.Enqueue(b);
                }
            }
        }
    }
}
