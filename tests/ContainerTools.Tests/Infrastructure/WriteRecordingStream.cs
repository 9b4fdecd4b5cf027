using System;
using System.Collections.Generic;
using System.IO;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>A write-only sink that keeps the size of every write: for checking that streamed data stays in a fixed buffer.</summary>
    public sealed class WriteRecordingStream : Stream
    {
        public List<int> Writes { get; } = new List<int>();

        public long Total { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes.Add(count);
            Total += count;
            LargestWrite = Math.Max(LargestWrite, count);
        }
    }
}
