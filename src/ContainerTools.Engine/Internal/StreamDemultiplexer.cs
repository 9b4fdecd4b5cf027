using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Internal
{
    public enum OutputStream
    {
        /// <summary>Never handed out: frames of type 0 are stdout, as docker's own reader (stdcopy) treats them.</summary>
        Stdin = 0,
        Stdout = 1,
        Stderr = 2,
        /// <summary>The daemon's own error frames (stream type 3).</summary>
        System = 3,
    }

    /// <summary>One whole line of a container's output; timestamp is the engine's (timestamps=1), else default.</summary>
    internal delegate void LineHandler(OutputStream stream, DateTimeOffset timestamp, string text);

    /// <summary>
    /// Reads the engine's multiplexed attach/logs stream (8-byte headers: stream type, 3 zero bytes, big-endian
    /// length) and hands out whole lines per stream. Frames split across reads and partial last lines are
    /// handled; a TTY container's raw stream is read as stdout. Lines are cut and decoded from the bytes (a
    /// multi-byte character split across reads or frames stays whole), one string per line.
    /// With timestamps, each log message starts with the engine's RFC 3339 time and a space; it is parsed off
    /// the line. A frame is one log message, so a line the engine split into partial messages (over 16 KiB)
    /// is joined again and keeps its first timestamp.
    /// </summary>
    internal sealed class StreamDemultiplexer
    {
        /// <summary>A line longer than this is handed out in pieces of at most this size, so memory stays bounded.</summary>
        internal const int MaxLineBytes = 4 * 1024 * 1024;

        private const int ReadBufferSize = 64 * 1024;

        // "2006-01-02T15:04:05.000000000Z07:00" is 35 characters; anything longer before the space is no timestamp.
        private const int MaxPrefixBytes = 40;

        private readonly Stream _source;
        private readonly bool _multiplexed;
        private readonly bool _timestamps;
        private readonly LineHandler _onLine;
        private readonly Action? _onReadEnd;
        private readonly LineState[] _states = new LineState[4];
        private readonly byte[] _header = new byte[8];
        private int _headerFill;
        private int _frameRemaining;
        private LineState? _frameStream;

        public StreamDemultiplexer(Stream source, bool multiplexed, Action<OutputStream, string> onLine)
            : this(source, multiplexed, timestamps: false, (s, _, l) => onLine(s, l), null)
        {
        }

        /// <param name="onReadEnd">Called after the lines of each read from the source were handed out: a natural point to flush a batch.</param>
        public StreamDemultiplexer(Stream source, bool multiplexed, bool timestamps, LineHandler onLine, Action? onReadEnd)
        {
            _source = source;
            _multiplexed = multiplexed;
            _timestamps = timestamps;
            _onLine = onLine;
            _onReadEnd = onReadEnd;
            for (var i = 1; i < _states.Length; i++)
            {
                _states[i] = new LineState((OutputStream)i);
            }

            if (!multiplexed && timestamps)
            {
                _states[1].InPrefix = true;
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[ReadBufferSize];
            int read;
            while ((read = await ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Process(buffer, read);
            }

            Finish();
        }

        /// <summary>
        /// As RunAsync, with blocking reads, for a source made for them (a connection of our own, see StreamingGet), on
        /// a thread of its own. Paced: after a short read (the engine has sent all it had) it waits a millisecond before
        /// reading again, so that a fast-writing engine's small frames come in a few large reads rather than one read
        /// (and one batch handed on) per line; a line is never held back longer than that.
        /// </summary>
        public void Run(CancellationToken cancellationToken)
        {
            var buffer = new byte[ReadBufferSize];
            while (true)
            {
                int read;
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    read = _source.Read(buffer, 0, buffer.Length);
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                if (read == 0)
                {
                    // A socket shut down by a cancel reads as an end: it is a cancel all the same.
                    cancellationToken.ThrowIfCancellationRequested();
                    break;
                }

                Process(buffer, read);
                if (read < buffer.Length / 4)
                {
                    Thread.Sleep(1);
                }
            }

            Finish();
        }

        private void Process(byte[] buffer, int read)
        {
            if (!_multiplexed)
            {
                Consume(_states[1], buffer, 0, read);
            }
            else
            {
                var position = 0;
                while (position < read)
                {
                    if (_frameRemaining == 0)
                    {
                        var take = Math.Min(8 - _headerFill, read - position);
                        Buffer.BlockCopy(buffer, position, _header, _headerFill, take);
                        _headerFill += take;
                        position += take;
                        if (_headerFill < 8)
                        {
                            break;
                        }

                        _headerFill = 0;
                        // docker's stdcopy writes stdin frames (type 0) to stdout; unknown types are read as stdout too.
                        _frameStream = _states[_header[0] == 2 ? 2 : _header[0] == 3 ? 3 : 1];
                        _frameRemaining = (_header[4] << 24) | (_header[5] << 16) | (_header[6] << 8) | _header[7];
                        _frameStream.StartFrame(_timestamps);
                        continue;
                    }

                    var count = Math.Min(_frameRemaining, read - position);
                    Consume(_frameStream!, buffer, position, count);
                    position += count;
                    _frameRemaining -= count;
                }
            }

            _onReadEnd?.Invoke();
        }

        private void Finish()
        {
            for (var i = 1; i < _states.Length; i++)
            {
                _states[i].Flush(this);
            }

            _onReadEnd?.Invoke();
        }

        // A read that the token (or the stream's disposal on cancel) ends is a cancel, whatever the transport throws.
        private async Task<int> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
        {
            try
            {
                return await _source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        private void Consume(LineState state, byte[] data, int offset, int count)
        {
            while (count > 0)
            {
                if (state.InPrefix)
                {
                    var used = state.ReadPrefix(data, offset, count);
                    offset += used;
                    count -= used;
                    continue;
                }

                var newline = new ReadOnlySpan<byte>(data, offset, count).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    state.Append(this, data, offset, count);
                    return;
                }

                state.EndLine(this, data, offset, newline);
                offset += newline + 1;
                count -= newline + 1;
                if (!_multiplexed && _timestamps)
                {
                    state.InPrefix = true; // a raw (TTY) stream has no frames: every line starts with its time
                }
            }
        }

        private void Emit(OutputStream stream, DateTimeOffset timestamp, byte[] data, int offset, int length)
        {
            if (length > 0 && data[offset + length - 1] == (byte)'\r')
            {
                length--;
            }

            _onLine(stream, timestamp, length == 0 ? string.Empty : Encoding.UTF8.GetString(data, offset, length));
        }

        /// <summary>The line being assembled on one stream.</summary>
        private sealed class LineState
        {
            private readonly OutputStream _stream;
            private readonly byte[] _prefix = new byte[MaxPrefixBytes];
            private byte[] _pending = new byte[1024];
            private int _pendingLength;
            private int _prefixLength;
            private bool _lineStarted;
            private DateTimeOffset _lineTime;

            public LineState(OutputStream stream)
            {
                _stream = stream;
            }

            /// <summary>True while the bytes read are the engine's timestamp before the message.</summary>
            public bool InPrefix { get; set; }

            public void StartFrame(bool timestamps)
            {
                // A frame that ended inside what looked like a timestamp was text after all.
                Keep(_prefix, 0, _prefixLength);
                _prefixLength = 0;

                // The daemon's own error frames carry no timestamp.
                InPrefix = timestamps && _stream != OutputStream.System;
            }

            /// <summary>Takes bytes of the timestamp prefix up to and including its space; returns how many were used.</summary>
            public int ReadPrefix(byte[] data, int offset, int count)
            {
                var room = MaxPrefixBytes - _prefixLength;
                var end = new ReadOnlySpan<byte>(data, offset, Math.Min(count, room)).IndexOfAny((byte)' ', (byte)'\n');
                if (end < 0)
                {
                    if (count < room)
                    {
                        Buffer.BlockCopy(data, offset, _prefix, _prefixLength, count);
                        _prefixLength += count;
                        return count;
                    }

                    // No space where a timestamp would end: it is message text after all.
                    NotAPrefix();
                    return 0;
                }

                Buffer.BlockCopy(data, offset, _prefix, _prefixLength, end);
                var length = _prefixLength + end;
                if (data[offset + end] == (byte)' ' && LogTimestamp.TryParse(_prefix, 0, length, out var time))
                {
                    InPrefix = false;
                    _prefixLength = 0;

                    // A continued (partial) message keeps the time of the line's first part.
                    if (!_lineStarted)
                    {
                        _lineTime = time;
                        _lineStarted = true;
                    }

                    return end + 1;
                }

                // Text (a line without a time, or one that ends first): the space or newline is read as message text.
                _prefixLength = length;
                NotAPrefix();
                return end;
            }

            private void NotAPrefix()
            {
                InPrefix = false;
                Keep(_prefix, 0, _prefixLength);
                _prefixLength = 0;
            }

            public void Append(StreamDemultiplexer owner, byte[] data, int offset, int count)
            {
                while (_pendingLength + count > MaxLineBytes)
                {
                    var take = MaxLineBytes - _pendingLength;
                    Keep(data, offset, take);
                    var cut = Utf8Boundary(_pending, _pendingLength);
                    owner.Emit(_stream, _lineTime, _pending, 0, cut);
                    var rest = _pendingLength - cut;
                    Buffer.BlockCopy(_pending, cut, _pending, 0, rest);
                    _pendingLength = rest;
                    offset += take;
                    count -= take;
                }

                Keep(data, offset, count);
            }

            /// <summary>The line ends at data[offset + length] ('\n').</summary>
            public void EndLine(StreamDemultiplexer owner, byte[] data, int offset, int length)
            {
                if (_pendingLength == 0)
                {
                    owner.Emit(_stream, _lineTime, data, offset, length);
                }
                else
                {
                    Append(owner, data, offset, length);
                    owner.Emit(_stream, _lineTime, _pending, 0, _pendingLength);
                    _pendingLength = 0;
                }

                _lineStarted = false;
                _lineTime = default;
            }

            /// <summary>Hands out a partial last line (no newline before the end of the stream).</summary>
            public void Flush(StreamDemultiplexer owner)
            {
                if (_prefixLength > 0)
                {
                    Keep(_prefix, 0, _prefixLength);
                    _prefixLength = 0;
                }

                if (_pendingLength > 0)
                {
                    owner.Emit(_stream, _lineTime, _pending, 0, _pendingLength);
                    _pendingLength = 0;
                }
            }

            private void Keep(byte[] data, int offset, int count)
            {
                if (count == 0)
                {
                    return;
                }

                _lineStarted = true;
                if (_pendingLength + count > _pending.Length)
                {
                    Array.Resize(ref _pending, Math.Max(_pendingLength + count, _pending.Length * 2));
                }

                Buffer.BlockCopy(data, offset, _pending, _pendingLength, count);
                _pendingLength += count;
            }

            // The longest prefix of data[0..length) that does not end inside a UTF-8 sequence.
            private static int Utf8Boundary(byte[] data, int length)
            {
                var lead = length - 1;
                while (lead >= 0 && length - lead <= 4 && (data[lead] & 0xC0) == 0x80)
                {
                    lead--;
                }

                if (lead < 0 || data[lead] < 0x80)
                {
                    return length;
                }

                var needed = (data[lead] & 0xF0) == 0xF0 ? 4 : (data[lead] & 0xE0) == 0xE0 ? 3 : 2;
                return length - lead < needed ? lead : length;
            }
        }
    }

    /// <summary>The engine's log timestamps (RFC 3339 with up to nanoseconds, 'Z' or an offset), parsed from bytes.</summary>
    internal static class LogTimestamp
    {
        public static bool TryParse(byte[] b, int start, int length, out DateTimeOffset value)
        {
            value = default;
            // yyyy-MM-ddTHH:mm:ss then [.fraction] then Z or ±hh:mm
            if (length < 20 || b[start + 4] != '-' || b[start + 7] != '-' || (b[start + 10] != 'T' && b[start + 10] != 't') ||
                b[start + 13] != ':' || b[start + 16] != ':')
            {
                return false;
            }

            if (!Digits(b, start, 4, out var year) || !Digits(b, start + 5, 2, out var month) || !Digits(b, start + 8, 2, out var day) ||
                !Digits(b, start + 11, 2, out var hour) || !Digits(b, start + 14, 2, out var minute) || !Digits(b, start + 17, 2, out var second))
            {
                return false;
            }

            var i = start + 19;
            var end = start + length;
            long fractionTicks = 0;
            if (i < end && b[i] == '.')
            {
                i++;
                var scale = 1_000_000L;
                var digits = 0;
                while (i < end && b[i] >= '0' && b[i] <= '9')
                {
                    if (digits < 7)
                    {
                        fractionTicks += (b[i] - '0') * scale;
                        scale /= 10;
                    }

                    digits++;
                    i++;
                }

                if (digits == 0)
                {
                    return false;
                }
            }

            TimeSpan offset;
            if (i == end - 1 && (b[i] == 'Z' || b[i] == 'z'))
            {
                offset = TimeSpan.Zero;
            }
            else if (i == end - 6 && (b[i] == '+' || b[i] == '-') && b[i + 3] == ':' &&
                     Digits(b, i + 1, 2, out var offsetHours) && Digits(b, i + 4, 2, out var offsetMinutes))
            {
                offset = new TimeSpan(offsetHours, offsetMinutes, 0);
                if (b[i] == '-')
                {
                    offset = -offset;
                }
            }
            else
            {
                return false;
            }

            if (month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year == 0 ? 1 : year, month) || hour > 23 || minute > 59 || second > 59 || year == 0)
            {
                return false;
            }

            var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
            value = new DateTimeOffset(ticks, offset);
            return true;
        }

        private static bool Digits(byte[] b, int start, int count, out int value)
        {
            value = 0;
            for (var i = start; i < start + count; i++)
            {
                var d = b[i] - '0';
                if (d < 0 || d > 9)
                {
                    return false;
                }

                value = value * 10 + d;
            }

            return true;
        }
    }
}
