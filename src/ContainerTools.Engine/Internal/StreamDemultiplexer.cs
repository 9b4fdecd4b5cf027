using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Internal
{
    public enum OutputStream
    {
        Stdin = 0,
        Stdout = 1,
        Stderr = 2,
        /// <summary>The daemon's own error frames (stream type 3).</summary>
        System = 3,
    }

    /// <summary>
    /// Reads the engine's multiplexed attach/logs stream (8-byte headers: stream type, 3 zero bytes, big-endian
    /// length) and hands out whole lines per stream. Frames split across reads and partial last lines are
    /// handled; a TTY container's raw stream is read as stdout.
    /// </summary>
    internal sealed class StreamDemultiplexer
    {
        private readonly Stream _source;
        private readonly bool _multiplexed;
        private readonly Action<OutputStream, string> _onLine;
        private readonly Decoder[] _decoders = new Decoder[4];
        private readonly StringBuilder[] _pending = new StringBuilder[4];

        public StreamDemultiplexer(Stream source, bool multiplexed, Action<OutputStream, string> onLine)
        {
            _source = source;
            _multiplexed = multiplexed;
            _onLine = onLine;
            for (var i = 0; i < 4; i++)
            {
                _decoders[i] = new UTF8Encoding(false).GetDecoder();
                _pending[i] = new StringBuilder();
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            var header = new byte[8];
            if (!_multiplexed)
            {
                int read;
                while ((read = await _source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    Append(OutputStream.Stdout, buffer, read);
                }
            }
            else
            {
                while (await ReadExactlyAsync(header, 8, cancellationToken).ConfigureAwait(false))
                {
                    var stream = header[0] <= 3 ? (OutputStream)header[0] : OutputStream.Stdout;
                    var length = (header[4] << 24) | (header[5] << 16) | (header[6] << 8) | header[7];
                    while (length > 0)
                    {
                        var chunk = await _source.ReadAsync(buffer, 0, Math.Min(buffer.Length, length), cancellationToken).ConfigureAwait(false);
                        if (chunk == 0)
                        {
                            break;
                        }

                        Append(stream, buffer, chunk);
                        length -= chunk;
                    }
                }
            }

            for (var i = 0; i < 4; i++)
            {
                if (_pending[i].Length > 0)
                {
                    _onLine((OutputStream)i, _pending[i].ToString());
                    _pending[i].Clear();
                }
            }
        }

        private async Task<bool> ReadExactlyAsync(byte[] target, int count, CancellationToken cancellationToken)
        {
            var offset = 0;
            while (offset < count)
            {
                var read = await _source.ReadAsync(target, offset, count - offset, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                offset += read;
            }

            return true;
        }

        private void Append(OutputStream stream, byte[] data, int count)
        {
            var index = (int)stream;
            var chars = new char[_decoders[index].GetCharCount(data, 0, count)];
            _decoders[index].GetChars(data, 0, count, chars, 0);
            var pending = _pending[index];
            foreach (var c in chars)
            {
                if (c == '\n')
                {
                    var line = pending.ToString();
                    pending.Clear();
                    _onLine(stream, line.EndsWith("\r", StringComparison.Ordinal) ? line.Substring(0, line.Length - 1) : line);
                }
                else
                {
                    pending.Append(c);
                }
            }
        }
    }
}
