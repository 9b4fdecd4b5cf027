using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Build;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>Our tar writer, read back by .NET's own TarReader (an independent implementation).</summary>
    public sealed class TarStreamWriterTests
    {
        private static async Task<byte[]> WriteAsync(int bufferSize, params (TarHeader Header, byte[]? Content)[] entries)
        {
            using var output = new MemoryStream();
            var tar = new TarStreamWriter(output, bufferSize);
            foreach (var (header, content) in entries)
            {
                await tar.WriteHeaderAsync(header, default);
                if (content != null)
                {
                    await tar.WriteContentAsync(new MemoryStream(content), content.Length, header.Name, default);
                }
            }

            await tar.FinishAsync(default);
            Assert.Equal(output.Length, tar.BytesWritten);
            return output.ToArray();
        }

        private static List<(System.Formats.Tar.TarEntry Entry, byte[] Data)> Read(byte[] tar)
        {
            var result = new List<(System.Formats.Tar.TarEntry, byte[])>();
            using var reader = new TarReader(new MemoryStream(tar));
            System.Formats.Tar.TarEntry? entry;
            while ((entry = reader.GetNextEntry(copyData: true)) != null)
            {
                using var data = new MemoryStream();
                entry.DataStream?.CopyTo(data);
                result.Add((entry, data.ToArray()));
            }

            return result;
        }

        [Fact]
        public async Task Names_of_every_length_modes_types_and_times_round_trip()
        {
            var exactly100 = new string('n', 100);
            var splittable = "p/" + new string('q', 120) + "/" + new string('r', 60) + ".txt"; // > 100, prefix ≤ 155, name ≤ 100
            var tooLong = string.Join("/", Enumerable.Repeat(new string('s', 90), 4)) + "/file";
            var longElement = new string('t', 150) + ".txt"; // cannot be split: PAX
            var unicode = "dossier/été/ファイル.txt";
            var longTarget = "../" + new string('u', 140);
            var mtime = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero).ToUnixTimeSeconds();
            var content = Encoding.UTF8.GetBytes("hello tar");
            var bytes = await WriteAsync(2048,
                (new TarHeader { Name = "dir/", Type = TarHeader.DirectoryType, Mode = Convert.ToInt32("2750", 8), ModifiedSeconds = mtime }, null),
                (new TarHeader { Name = "dir/file.txt", Mode = Convert.ToInt32("640", 8), Size = content.Length, ModifiedSeconds = mtime }, content),
                (new TarHeader { Name = exactly100, Mode = 420 }, null),
                (new TarHeader { Name = splittable, Mode = 420, Size = 3 }, new byte[] { 1, 2, 3 }),
                (new TarHeader { Name = tooLong, Mode = 420 }, null),
                (new TarHeader { Name = longElement, Mode = 420 }, null),
                (new TarHeader { Name = unicode, Mode = 420, Size = 1 }, new byte[] { 9 }),
                (new TarHeader { Name = "link", Type = TarHeader.SymlinkType, Mode = 511, LinkName = longTarget }, null),
                (new TarHeader { Name = "hard", Type = TarHeader.HardLinkType, Mode = 420, LinkName = "dir/file.txt" }, null),
                (new TarHeader { Name = "fifo", Type = TarHeader.FifoType, Mode = 420 }, null),
                (new TarHeader { Name = "old", Mode = 420, ModifiedSeconds = -86400 }, null));

            Assert.Equal(0, bytes.Length % 512);
            Assert.True(bytes.Skip(bytes.Length - 1024).All(b => b == 0)); // two zero blocks end it
            var entries = Read(bytes);
            Assert.Equal(new[] { "dir/", "dir/file.txt", exactly100, splittable, tooLong, longElement, unicode, "link", "hard", "fifo", "old" }, entries.Select(e => e.Entry.Name));
            Assert.Equal(TarEntryType.Directory, entries[0].Entry.EntryType);
            Assert.Equal(Convert.ToInt32("2750", 8), (int)entries[0].Entry.Mode);
            Assert.Equal(Convert.ToInt32("640", 8), (int)entries[1].Entry.Mode);
            Assert.Equal("hello tar", Encoding.UTF8.GetString(entries[1].Data));
            Assert.Equal(mtime, entries[1].Entry.ModificationTime.ToUnixTimeSeconds());
            Assert.Equal(new byte[] { 1, 2, 3 }, entries[3].Data);
            Assert.Equal(TarEntryFormat.Ustar, entries[3].Entry.Format); // split into prefix + name, no PAX needed
            Assert.Equal(TarEntryFormat.Pax, entries[4].Entry.Format);
            Assert.Equal(TarEntryFormat.Pax, entries[5].Entry.Format);
            Assert.Equal(TarEntryFormat.Pax, entries[6].Entry.Format);
            Assert.Equal(TarEntryType.SymbolicLink, entries[7].Entry.EntryType);
            Assert.Equal(longTarget, entries[7].Entry.LinkName);
            Assert.Equal(TarEntryType.HardLink, entries[8].Entry.EntryType);
            Assert.Equal("dir/file.txt", entries[8].Entry.LinkName);
            Assert.Equal(TarEntryType.Fifo, entries[9].Entry.EntryType);
            Assert.Equal(-86400, entries[10].Entry.ModificationTime.ToUnixTimeSeconds());
            Assert.All(entries, e => Assert.Equal((0, 0), (e.Entry.Uid, e.Entry.Gid)));
        }

        [Fact]
        public async Task A_size_ustar_cannot_hold_goes_in_a_pax_record()
        {
            var size = 9L * 1024 * 1024 * 1024;
            using var output = new MemoryStream();
            var tar = new TarStreamWriter(output);
            await tar.WriteHeaderAsync(new TarHeader { Name = "huge.bin", Mode = 420, Size = size }, default);
            await tar.FinishAsync(default);
            // Forward-only, so the reader does not try to seek past the 9 GiB it is told about.
            using var reader = new TarReader(new ForwardOnlyStream(new MemoryStream(output.ToArray())));
            var entry = reader.GetNextEntry(copyData: false)!;
            Assert.Equal("huge.bin", entry.Name);
            Assert.Equal(size, entry.Length);
            Assert.Equal(TarEntryFormat.Pax, entry.Format);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(85)] // record lengths around 99/100: the length counts its own digits
        [InlineData(86)]
        [InlineData(87)]
        [InlineData(994)]
        [InlineData(995)]
        public void Pax_record_lengths_count_their_own_digits(int valueLength)
        {
            var records = TarStreamWriter.PaxRecords(new[] { new KeyValuePair<string, string>("path", new string('v', valueLength)) });
            var text = Encoding.UTF8.GetString(records);
            var declared = int.Parse(text.Substring(0, text.IndexOf(' ')));
            Assert.Equal(records.Length, declared);
            Assert.EndsWith("\n", text);
        }

        [Fact]
        public async Task Content_passes_through_the_one_buffer_in_buffer_sized_writes()
        {
            var output = new WriteRecordingStream();
            var writes = output.Writes;
            var tar = new TarStreamWriter(output, 4096);
            var big = new byte[100_000];
            new Random(1).NextBytes(big);
            await tar.WriteHeaderAsync(new TarHeader { Name = "big", Mode = 420, Size = big.Length }, default);
            await tar.WriteContentAsync(new MemoryStream(big), big.Length, "big", default);
            await tar.FinishAsync(default);
            Assert.All(writes, w => Assert.True(w <= 4096));
            Assert.True(writes.Count >= (512 + big.Length) / 4096);
            Assert.Equal(512 + 100_352 + 1024, writes.Sum());
        }

        [Fact]
        public async Task A_file_that_shrinks_while_it_is_sent_is_an_error_not_a_corrupt_archive()
        {
            var tar = new TarStreamWriter(new MemoryStream(), 2048);
            await tar.WriteHeaderAsync(new TarHeader { Name = "shrunk", Mode = 420, Size = 10 }, default);
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => tar.WriteContentAsync(new MemoryStream(new byte[4]), 10, "shrunk", default));
            Assert.Equal("BuildContextChanged", e.ErrorId);
        }

        [Fact]
        public void Long_names_split_only_where_ustar_allows()
        {
            Assert.False(TarStreamWriter.TrySplit(new string('a', 100), out _, out _));
            Assert.True(TarStreamWriter.TrySplit("x/" + new string('a', 100), out var prefix, out var rest));
            Assert.Equal(("x", new string('a', 100)), (prefix, rest));
            Assert.False(TarStreamWriter.TrySplit("x/" + new string('a', 101), out _, out _)); // the last element is too long
            Assert.False(TarStreamWriter.TrySplit(new string('b', 160) + "/c", out _, out _)); // the prefix is too long
        }

        private sealed class ForwardOnlyStream : Stream
        {
            private readonly Stream _inner;

            public ForwardOnlyStream(Stream inner)
            {
                _inner = inner;
            }

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
