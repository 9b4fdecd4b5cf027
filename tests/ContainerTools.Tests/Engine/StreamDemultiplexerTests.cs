using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>The engine's multiplexed stream: frames split across reads, partial last lines, stream type 3, raw TTY.</summary>
    public class StreamDemultiplexerTests
    {
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

        /// <summary>Hands out at most chunk bytes per read, to split headers and payloads.</summary>
        private sealed class TrickleStream : MemoryStream
        {
            private readonly int _chunk;

            public TrickleStream(byte[] data, int chunk)
                : base(data)
            {
                _chunk = chunk;
            }

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                base.ReadAsync(buffer, offset, Math.Min(count, _chunk), cancellationToken);
        }

        private static async Task<List<(OutputStream, string)>> Read(byte[] data, bool multiplexed, int chunk)
        {
            var lines = new List<(OutputStream, string)>();
            await new StreamDemultiplexer(new TrickleStream(data, chunk), multiplexed, (s, l) => lines.Add((s, l))).RunAsync(CancellationToken.None);
            return lines;
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(7)]
        [InlineData(4096)]
        public async Task Lines_survive_any_read_size(int chunk)
        {
            var data = Frame(1, "hello wo").Concat(Frame(2, "oops\n")).Concat(Frame(1, "rld\nsecond\r\nthird-no-newline"))
                .Concat(Frame(3, "daemon error\n")).Concat(Frame(1, "é€😀\n")).ToArray();
            var lines = await Read(data, multiplexed: true, chunk);
            Assert.Equal(new[]
            {
                (OutputStream.Stderr, "oops"),
                (OutputStream.Stdout, "hello world"),
                (OutputStream.Stdout, "second"),
                (OutputStream.System, "daemon error"),
                (OutputStream.Stdout, "third-no-newlineé€😀"),
            }, lines);
        }

        [Fact]
        public async Task Tty_output_is_one_raw_stdout_stream()
        {
            var lines = await Read(Encoding.UTF8.GetBytes("a\r\nb\nc"), multiplexed: false, chunk: 2);
            Assert.Equal(new[] { (OutputStream.Stdout, "a"), (OutputStream.Stdout, "b"), (OutputStream.Stdout, "c") }, lines);
        }

        [Fact]
        public async Task Truncated_frame_ends_cleanly()
        {
            var data = Frame(1, "complete\n").Concat(Frame(1, "cut short").Take(12)).ToArray();
            var lines = await Read(data, multiplexed: true, chunk: 5);
            Assert.Equal((OutputStream.Stdout, "complete"), lines[0]);
            Assert.Equal((OutputStream.Stdout, "cut "), lines[1]);
        }
    }
}
