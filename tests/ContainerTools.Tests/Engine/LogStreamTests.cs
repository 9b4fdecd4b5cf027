using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>
    /// What Get-ContainerLog and Get-ContainerEvent read, without an engine: timestamped log frames (split anywhere,
    /// partial messages, the daemon's error frames, TTY streams), the HTTP/1.1 body of a streaming answer read from a
    /// connection of our own, and docker's --since/--until values.
    /// </summary>
    public class LogStreamTests
    {
        private const string T1 = "2024-05-01T10:00:00.123456789Z";
        private const string T2 = "2024-05-01T10:00:01.000000001Z";
        private static readonly DateTimeOffset Time1 = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        private static readonly DateTimeOffset Time2 = new DateTimeOffset(2024, 5, 1, 10, 0, 1, TimeSpan.Zero);

        private static byte[] Frame(int stream, string text)
        {
            var payload = Encoding.UTF8.GetBytes(text);
            var frame = new byte[8 + payload.Length];
            frame[0] = (byte)stream;
            frame[4] = (byte)(payload.Length >> 24);
            frame[5] = (byte)(payload.Length >> 16);
            frame[6] = (byte)(payload.Length >> 8);
            frame[7] = (byte)payload.Length;
            payload.CopyTo(frame, 8);
            return frame;
        }

        private sealed class TrickleStream : MemoryStream
        {
            private readonly int _chunk;

            public TrickleStream(byte[] data, int chunk)
                : base(data)
            {
                _chunk = chunk;
            }

            public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _chunk));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                base.ReadAsync(buffer, offset, Math.Min(count, _chunk), cancellationToken);
        }

        private static async Task<List<(OutputStream Stream, DateTimeOffset Time, string Text)>> Read(byte[] data, bool multiplexed, int chunk, bool synchronous)
        {
            var lines = new List<(OutputStream, DateTimeOffset, string)>();
            var demultiplexer = new StreamDemultiplexer(new TrickleStream(data, chunk), multiplexed, timestamps: true, (s, t, l) => lines.Add((s, t, l)), null);
            if (synchronous)
            {
                demultiplexer.Run(CancellationToken.None);
            }
            else
            {
                await demultiplexer.RunAsync(CancellationToken.None);
            }

            return lines;
        }

        public static TheoryData<int, bool> Splits()
        {
            var data = new TheoryData<int, bool>();
            foreach (var chunk in new[] { 1, 2, 5, 9, 31, 4096 })
            {
                data.Add(chunk, false);
                data.Add(chunk, true);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Splits))]
        public async Task Timestamped_frames_give_lines_with_their_times_however_they_are_split(int chunk, bool synchronous)
        {
            var data = Frame(1, $"{T1} hello é€😀\n")
                .Concat(Frame(2, $"{T1} oops\n"))
                .Concat(Frame(1, $"{T1} a long line the engine split"))   // a partial message ...
                .Concat(Frame(1, $"{T2} into two messages\n"))            // ... continued: one line, the first time
                .Concat(Frame(0, $"{T2} stdin frames are stdout\n"))
                .Concat(Frame(3, "error from daemon\n"))                  // the daemon's own frames carry no time
                .Concat(Frame(2, $"{T2} \n"))                             // an empty line
                .Concat(Frame(1, $"{T2} no newline at the end"))
                .ToArray();
            var lines = await Read(data, multiplexed: true, chunk, synchronous);
            Assert.Equal(new[]
            {
                (OutputStream.Stdout, Time1, "hello é€😀"),
                (OutputStream.Stderr, Time1, "oops"),
                (OutputStream.Stdout, Time1, "a long line the engine splitinto two messages"),
                (OutputStream.Stdout, Time2, "stdin frames are stdout"),
                (OutputStream.System, default(DateTimeOffset), "error from daemon"),
                (OutputStream.Stderr, Time2, string.Empty),
                (OutputStream.Stdout, Time2, "no newline at the end"),
            }, lines);
        }

        [Theory]
        [InlineData(1, false)]
        [InlineData(3, true)]
        [InlineData(4096, true)]
        public async Task A_tty_stream_has_a_time_on_every_line_and_loses_its_carriage_returns(int chunk, bool synchronous)
        {
            var data = Encoding.UTF8.GetBytes($"{T1} one\r\n{T2} two\r\n{T2} three");
            var lines = await Read(data, multiplexed: false, chunk, synchronous);
            Assert.Equal(new[] { (OutputStream.Stdout, Time1, "one"), (OutputStream.Stdout, Time2, "two"), (OutputStream.Stdout, Time2, "three") }, lines);
        }

        [Fact]
        public async Task A_line_without_a_time_is_kept_whole()
        {
            var lines = await Read(Frame(1, "not-a-time but text\n").Concat(Frame(1, "nospace\n")).ToArray(), multiplexed: true, chunk: 3, synchronous: true);
            Assert.Equal(new[] { "not-a-time but text", "nospace" }, lines.Select(l => l.Text));
        }

        [Fact]
        public async Task A_line_longer_than_the_limit_comes_in_pieces_cut_between_characters()
        {
            var text = string.Concat(Enumerable.Repeat("é", StreamDemultiplexer.MaxLineBytes / 2 + 1000)) + "€";
            var data = Frame(1, $"{T1} {text}\n");
            var lines = await Read(data, multiplexed: true, chunk: 65536, synchronous: true);
            Assert.True(lines.Count >= 2);
            Assert.All(lines, l => Assert.DoesNotContain('\uFFFD', l.Text));
            Assert.All(lines, l => Assert.True(Encoding.UTF8.GetByteCount(l.Text) <= StreamDemultiplexer.MaxLineBytes));
            Assert.Equal(text, string.Concat(lines.Select(l => l.Text)));
            Assert.All(lines, l => Assert.Equal(Time1, l.Time));
        }

        [Theory]
        [InlineData("2024-05-01T12:00:00.5+02:00", 2024, 5, 1, 10, 0, 0, 5000000)]
        [InlineData("2024-05-01T10:00:00Z", 2024, 5, 1, 10, 0, 0, 0)]
        [InlineData("2024-05-01T05:00:00.0000001-05:00", 2024, 5, 1, 10, 0, 0, 1)]
        public void Log_timestamps_parse_with_any_fraction_and_offset(string text, int y, int mo, int d, int h, int mi, int s, long ticks)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            Assert.True(LogTimestamp.TryParse(bytes, 0, bytes.Length, out var value));
            Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero).AddTicks(ticks), value);
            Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero).AddTicks(ticks).UtcTicks, value.UtcTicks);
        }

        [Theory]
        [InlineData("2024-13-01T10:00:00Z")]
        [InlineData("2024-05-01T10:00:00")]
        [InlineData("2024-05-01 10:00:00Z")]
        [InlineData("hello")]
        public void Things_that_are_no_log_timestamp_are_refused(string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            Assert.False(LogTimestamp.TryParse(bytes, 0, bytes.Length, out _));
        }

        private static string ReadBody(string response, int chunk, out HttpStatusCode status)
        {
            using var body = new HttpBodyStream(new TrickleStream(Encoding.UTF8.GetBytes(response), chunk));
            status = body.ReadHead();
            using var copy = new MemoryStream();
            var buffer = new byte[100];
            int n;
            while ((n = body.Read(buffer, 0, buffer.Length)) > 0)
            {
                copy.Write(buffer, 0, n);
            }

            return Encoding.UTF8.GetString(copy.ToArray());
        }

        [Theory]
        [InlineData(1)]
        [InlineData(4)]
        [InlineData(13)]
        [InlineData(65536)]
        public void A_chunked_answer_is_read_whole_however_it_arrives(int chunk)
        {
            var response = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTRANSFER-ENCODING: chunked\r\n\r\n" +
                           "5\r\nhello\r\n1;ext=1\r\n \r\nD\r\nworld, é€!\r\n0\r\nX-Trailer: 1\r\n\r\n" + "garbage after the end";
            Assert.Equal("hello world, é€!", ReadBody(response, chunk, out var status));
            Assert.Equal(HttpStatusCode.OK, status);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(65536)]
        public void Content_length_and_close_delimited_answers_are_read_to_their_end(int chunk)
        {
            Assert.Equal("{\"message\":\"No such container: x\"}",
                ReadBody("HTTP/1.1 404 Not Found\r\nContent-Length: 34\r\n\r\n{\"message\":\"No such container: x\"}extra", chunk, out var status));
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("until the close", ReadBody("HTTP/1.0 200 OK\r\n\r\nuntil the close", chunk, out _));
            Assert.Equal(string.Empty, ReadBody("HTTP/1.1 204 No Content\r\n\r\n", chunk, out status));
            Assert.Equal(HttpStatusCode.NoContent, status);
        }

        [Fact]
        public void A_read_hands_out_every_buffered_chunk_at_once()
        {
            var chunks = string.Concat(Enumerable.Range(0, 50).Select(i => "2\r\nab\r\n"));
            using var body = new HttpBodyStream(new MemoryStream(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n")));
            body.ReadHead();
            var buffer = new byte[1000];
            Assert.Equal(100, body.Read(buffer, 0, buffer.Length));
            Assert.Equal(0, body.Read(buffer, 0, buffer.Length));
        }

        [Fact]
        public void A_broken_answer_is_an_io_error()
        {
            Assert.Throws<IOException>(() => ReadBody("SSH-2.0-OpenSSH\r\n\r\n", 10, out _));
            Assert.Throws<IOException>(() => ReadBody("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 10, out _));
            Assert.Throws<IOException>(() => ReadBody("HTTP/1.1 200 OK\r\nContent-", 10, out _));
        }

        private static readonly DateTimeOffset Now = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

        [Theory]
        [InlineData("10m", -600_000)]
        [InlineData("1h30m", -5_400_000)]
        [InlineData("1.5h", -5_400_000)]
        [InlineData("45s", -45_000)]
        [InlineData("500ms", -500)]
        [InlineData("2h45m30s", -9_930_000)]
        [InlineData(" 0s ", 0)]
        public void Durations_count_back_from_now(string text, long milliseconds)
        {
            Assert.True(TimeArgument.TryParse(text, Now, out var value));
            Assert.Equal(Now.AddMilliseconds(milliseconds), value);
        }

        [Fact]
        public void Unix_timestamps_and_dates_are_points_in_time()
        {
            Assert.True(TimeArgument.TryParse("1714557600", Now, out var unix));
            Assert.Equal(Now, unix);
            Assert.True(TimeArgument.TryParse("1714557600.25", Now, out var fraction));
            Assert.Equal(Now.AddMilliseconds(250), fraction);
            Assert.True(TimeArgument.TryParse("2024-05-01T12:00:00+02:00", Now, out var dated));
            Assert.Equal(Now, dated);
            Assert.True(TimeArgument.TryParse("2024-05-01T10:00:00.5Z", Now, out var precise));
            Assert.Equal(Now.AddMilliseconds(500), precise);
            Assert.True(TimeArgument.TryParse("2024-05-01 10:00", Now, out var local));
            Assert.Equal(new DateTimeOffset(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Local)), local);
        }

        [Theory]
        [InlineData("")]
        [InlineData("10 minutes")]
        [InlineData("yesterday")]
        [InlineData("10d")]
        [InlineData("-5m")]
        public void Anything_else_is_a_clear_invalid_argument(string text)
        {
            Assert.False(TimeArgument.TryParse(text, Now, out _));
            var e = Assert.Throws<InvalidSpecException>(() => TimeArgument.Parse(text, "-Since", Now));
            Assert.Equal(EngineErrorKind.InvalidArgument, e.Kind);
            Assert.Contains("'10m'", e.Message);
        }

        [Fact]
        public void Query_times_are_unix_seconds_with_nanoseconds()
        {
            Assert.Equal("1714557600.250000000", TimeArgument.ToQueryValue(Now.AddMilliseconds(250)));
            Assert.Equal("1714557600.000000100", TimeArgument.ToQueryValue(Now.AddTicks(1)));
            Assert.Equal("0.000000000", TimeArgument.ToQueryValue(DateTimeOffset.MinValue));
        }
    }
}
