using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Build
{
    /// <summary>The header of one tar entry.</summary>
    internal sealed class TarHeader
    {
        public const char RegularType = '0';
        public const char HardLinkType = '1';
        public const char SymlinkType = '2';
        public const char CharDeviceType = '3';
        public const char BlockDeviceType = '4';
        public const char DirectoryType = '5';
        public const char FifoType = '6';

        /// <summary>'/'-separated; directories end with '/'.</summary>
        public string Name { get; set; } = string.Empty;

        public char Type { get; set; } = RegularType;

        public int Mode { get; set; }

        public long Size { get; set; }

        public long ModifiedSeconds { get; set; }

        public string LinkName { get; set; } = string.Empty;

        public int DeviceMajor { get; set; }

        public int DeviceMinor { get; set; }
    }

    /// <summary>
    /// Writes a tar stream (POSIX ustar, with PAX extended headers for what ustar cannot hold: names and link targets
    /// that are too long or not ASCII, sizes of 8 GiB and more, times out of range) through one fixed buffer:
    /// headers and small files coalesce into large writes, large files pass through in buffer-sized pieces, and
    /// nothing is held beyond the buffer. Owner and group are always 0 (root), as the docker CLI sends them.
    /// </summary>
    internal sealed class TarStreamWriter
    {
        public const int BlockSize = 512;
        private const int NameSize = 100;
        private const int PrefixSize = 155;
        private const long MaxOctal11 = (1L << 33) - 1; // 8 GiB - 1: what 11 octal digits hold
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        private readonly Stream _output;
        private readonly byte[] _buffer;
        private readonly Action<long>? _onWritten;
        private readonly byte[] _header = new byte[BlockSize];
        private int _used;
        private int _paxCount;

        /// <param name="output">Where the tar goes (written sequentially, never sought).</param>
        /// <param name="bufferSize">The one buffer's size, a multiple of 512.</param>
        /// <param name="onWritten">Told the running total of bytes handed to the output after each write.</param>
        public TarStreamWriter(Stream output, int bufferSize = 128 * 1024, Action<long>? onWritten = null)
        {
            if (bufferSize < BlockSize * 4 || bufferSize % BlockSize != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bufferSize), "The buffer must be a multiple of 512 bytes, at least 2 KiB.");
            }

            _output = output;
            _buffer = new byte[bufferSize];
            _onWritten = onWritten;
        }

        /// <summary>Bytes handed to the output so far.</summary>
        public long BytesWritten { get; private set; }

        /// <summary>Writes a header (and the PAX header it needs first, if any); the content, if any, follows with WriteContentAsync.</summary>
        public async Task WriteHeaderAsync(TarHeader entry, CancellationToken cancellationToken)
        {
            var pax = new List<KeyValuePair<string, string>>();
            var name = entry.Name;
            string ustarName = name, ustarPrefix = string.Empty;
            if (!IsAscii(name) || Encoding.UTF8.GetByteCount(name) > NameSize)
            {
                if (IsAscii(name) && TrySplit(name, out var prefix, out var rest))
                {
                    ustarPrefix = prefix;
                    ustarName = rest;
                }
                else
                {
                    pax.Add(new KeyValuePair<string, string>("path", name));
                    ustarName = Truncate(ToAscii(name), NameSize);
                }
            }

            var link = entry.LinkName ?? string.Empty;
            if (!IsAscii(link) || link.Length > NameSize)
            {
                pax.Add(new KeyValuePair<string, string>("linkpath", link));
                link = Truncate(ToAscii(link), NameSize);
            }

            var size = entry.Size;
            if (size > MaxOctal11)
            {
                pax.Add(new KeyValuePair<string, string>("size", size.ToString(CultureInfo.InvariantCulture)));
                size = 0;
            }

            var mtime = entry.ModifiedSeconds;
            if (mtime < 0 || mtime > MaxOctal11)
            {
                pax.Add(new KeyValuePair<string, string>("mtime", mtime.ToString(CultureInfo.InvariantCulture)));
                mtime = 0;
            }

            if (pax.Count > 0)
            {
                var records = PaxRecords(pax);
                var paxName = "PaxHeaders." + (_paxCount++).ToString(CultureInfo.InvariantCulture) + "/" + LastElement(ustarName);
                await WriteBlockHeaderAsync(Truncate(paxName, NameSize), string.Empty, 'x', 0x1A4, records.Length, mtime, string.Empty, 0, 0, cancellationToken).ConfigureAwait(false);
                await WriteBytesAsync(records, 0, records.Length, cancellationToken).ConfigureAwait(false);
                await PadAsync(records.Length, cancellationToken).ConfigureAwait(false);
            }

            await WriteBlockHeaderAsync(ustarName, ustarPrefix, entry.Type, entry.Mode, size, mtime, link, entry.DeviceMajor, entry.DeviceMinor, cancellationToken)
                .ConfigureAwait(false);
        }

        /// <summary>
        /// Copies exactly size bytes of content from the source, read straight into the buffer, then pads the entry
        /// to a whole block. A source that ends early is an error (the file changed while it was being sent).
        /// </summary>
        public async Task WriteContentAsync(Stream source, long size, string displayName, CancellationToken cancellationToken)
        {
            var remaining = size;
            while (remaining > 0)
            {
                if (_used == _buffer.Length)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(_buffer.Length - _used, remaining);
                int read;
                try
                {
                    read = source.Read(_buffer, _used, want);
                }
                catch (IOException e)
                {
                    throw new ContainerEngineException("BuildContextUnreadable", EngineErrorKind.OperationFailed,
                        $"Cannot read '{displayName}' for the build context ({e.Message}).", displayName, e);
                }

                if (read <= 0)
                {
                    throw new ContainerEngineException("BuildContextChanged", EngineErrorKind.Conflict,
                        $"'{displayName}' became shorter while it was being sent ({size - remaining} of {size} bytes). Build again when nothing is writing to the context.",
                        displayName);
                }

                _used += read;
                remaining -= read;
            }

            await PadAsync(size, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Writes in-memory content (a small generated file) and pads it.</summary>
        public async Task WriteContentAsync(byte[] content, CancellationToken cancellationToken)
        {
            await WriteBytesAsync(content, 0, content.Length, cancellationToken).ConfigureAwait(false);
            await PadAsync(content.Length, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Writes one file system entry as its lstat describes it (a link as a link, a second name of a hard-linked file
        /// as a hard link to the first one written, as docker writes them), with its content for a regular file.
        /// </summary>
        /// <param name="path">The entry on disk.</param>
        /// <param name="relative">Its name in the archive, '/'-separated, without the trailing '/' of a directory.</param>
        /// <param name="hardLinks">Names already written, by inode: one dictionary per archive.</param>
        public async Task WriteEntryAsync(string path, string relative, EntryStat stat, IDictionary<ulong, string> hardLinks, CancellationToken cancellationToken)
        {
            var entry = new TarHeader
            {
                Name = stat.Kind == EntryKind.Directory ? relative + "/" : relative,
                Mode = stat.Mode,
                ModifiedSeconds = stat.ModifiedSeconds,
            };
            switch (stat.Kind)
            {
                case EntryKind.Directory:
                    entry.Type = TarHeader.DirectoryType;
                    break;
                case EntryKind.Symlink:
                    entry.Type = TarHeader.SymlinkType;
                    entry.LinkName = stat.LinkTarget ?? string.Empty;
                    break;
                case EntryKind.Fifo:
                    entry.Type = TarHeader.FifoType;
                    break;
                case EntryKind.CharDevice:
                case EntryKind.BlockDevice:
                    entry.Type = stat.Kind == EntryKind.CharDevice ? TarHeader.CharDeviceType : TarHeader.BlockDeviceType;
                    entry.DeviceMajor = stat.DeviceMajor;
                    entry.DeviceMinor = stat.DeviceMinor;
                    break;
                default:
                    entry.Type = TarHeader.RegularType;
                    entry.Size = stat.Size;
                    break;
            }

            if (stat.HardLinkInode != null)
            {
                // Later names of a hard-linked file are links to the first one written, as docker writes them.
                if (hardLinks.TryGetValue(stat.HardLinkInode.Value, out var first))
                {
                    entry.Type = TarHeader.HardLinkType;
                    entry.LinkName = first;
                    entry.Size = 0;
                }
                else
                {
                    hardLinks[stat.HardLinkInode.Value] = entry.Name;
                }
            }

            if (entry.Type == TarHeader.RegularType && entry.Size > 0)
            {
                // Opened before the header is written, so an unreadable file fails cleanly.
                using var file = OpenRead(path);
                await WriteHeaderAsync(entry, cancellationToken).ConfigureAwait(false);
                await WriteContentAsync(file, entry.Size, relative, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteHeaderAsync(entry, cancellationToken).ConfigureAwait(false);
            }

        }

        internal static FileStream OpenRead(string path)
        {
            try
            {
                // No FileStream buffer (bufferSize 1): the tar writer reads straight into its own.
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            }
            catch (FileNotFoundException)
            {
                throw FileProbe.Changed(path);
            }
            catch (DirectoryNotFoundException)
            {
                throw FileProbe.Changed(path);
            }
            catch (IOException e)
            {
                throw FileProbe.Unreadable(path, e.Message, e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw FileProbe.Unreadable(path, "no permission", e);
            }
        }

        /// <summary>Ends the archive (two zero blocks) and hands everything buffered to the output.</summary>
        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            await WriteZerosAsync(BlockSize * 2, cancellationToken).ConfigureAwait(false);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A PAX record set: "LEN key=value\n" each, LEN counting the whole record including its own digits.</summary>
        internal static byte[] PaxRecords(IEnumerable<KeyValuePair<string, string>> records)
        {
            var all = new List<byte>();
            foreach (var record in records)
            {
                var body = Encoding.UTF8.GetBytes(" " + record.Key + "=" + record.Value + "\n");
                var length = body.Length + 1;
                while (length.ToString(CultureInfo.InvariantCulture).Length + body.Length != length)
                {
                    length = length.ToString(CultureInfo.InvariantCulture).Length + body.Length;
                }

                all.AddRange(Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture)));
                all.AddRange(body);
            }

            return all.ToArray();
        }

        /// <summary>ustar's split of a long name into prefix (up to 155) '/' name (up to 100), at the last '/' that fits.</summary>
        internal static bool TrySplit(string name, out string prefix, out string rest)
        {
            prefix = rest = string.Empty;
            var length = name.Length;
            if (length <= NameSize)
            {
                return false;
            }

            if (length > PrefixSize + 1)
            {
                length = PrefixSize + 1;
            }
            else if (name[length - 1] == '/')
            {
                length--;
            }

            var slash = name.LastIndexOf('/', length - 1);
            var restLength = name.Length - slash - 1;
            if (slash <= 0 || restLength > NameSize || restLength == 0 || slash > PrefixSize)
            {
                return false;
            }

            prefix = name.Substring(0, slash);
            rest = name.Substring(slash + 1);
            return true;
        }

        private async Task WriteBlockHeaderAsync(string name, string prefix, char type, int mode, long size, long mtime, string link,
            int devMajor, int devMinor, CancellationToken cancellationToken)
        {
            var header = _header;
            Array.Clear(header, 0, header.Length);
            PutString(header, 0, NameSize, name);
            PutOctal(header, 100, 8, mode & 0xFFF);
            PutOctal(header, 108, 8, 0); // uid: root
            PutOctal(header, 116, 8, 0); // gid: root
            PutOctal(header, 124, 12, size);
            PutOctal(header, 136, 12, mtime);
            header[156] = (byte)type;
            PutString(header, 157, NameSize, link);
            PutString(header, 257, 6, "ustar");
            header[263] = (byte)'0';
            header[264] = (byte)'0';
            if (type == TarHeader.CharDeviceType || type == TarHeader.BlockDeviceType)
            {
                PutOctal(header, 329, 8, devMajor);
                PutOctal(header, 337, 8, devMinor);
            }

            PutString(header, 345, PrefixSize, prefix);

            // The checksum is the byte sum with the checksum field read as eight spaces.
            for (var i = 148; i < 156; i++)
            {
                header[i] = (byte)' ';
            }

            var sum = 0;
            foreach (var b in header)
            {
                sum += b;
            }

            PutOctal(header, 148, 7, sum);
            header[155] = (byte)' ';
            await WriteBytesAsync(header, 0, header.Length, cancellationToken).ConfigureAwait(false);
        }

        private async Task WriteBytesAsync(byte[] bytes, int offset, int count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_used == _buffer.Length)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                var n = Math.Min(count, _buffer.Length - _used);
                Buffer.BlockCopy(bytes, offset, _buffer, _used, n);
                _used += n;
                offset += n;
                count -= n;
            }
        }

        private Task PadAsync(long contentLength, CancellationToken cancellationToken)
        {
            var remainder = (int)(contentLength % BlockSize);
            return remainder == 0 ? Task.CompletedTask : WriteZerosAsync(BlockSize - remainder, cancellationToken);
        }

        private async Task WriteZerosAsync(int count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_used == _buffer.Length)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                var n = Math.Min(count, _buffer.Length - _used);
                Array.Clear(_buffer, _used, n);
                _used += n;
                count -= n;
            }
        }

        private async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_used == 0)
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            await _output.WriteAsync(_buffer, 0, _used, cancellationToken).ConfigureAwait(false);
            BytesWritten += _used;
            _used = 0;
            _onWritten?.Invoke(BytesWritten);
        }

        private static void PutString(byte[] header, int offset, int size, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Buffer.BlockCopy(bytes, 0, header, offset, Math.Min(bytes.Length, size));
        }

        // Zero-padded octal digits and a terminating NUL, as Go's archive/tar writes them.
        private static void PutOctal(byte[] header, int offset, int size, long value)
        {
            var digits = Convert.ToString(value, 8).PadLeft(size - 1, '0');
            PutString(header, offset, size - 1, digits);
            header[offset + size - 1] = 0;
        }

        private static bool IsAscii(string s)
        {
            foreach (var c in s)
            {
                if (c >= 0x80 || c == 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static string ToAscii(string s) => new string(s.Where(c => c < 0x80 && c != 0).ToArray());

        private static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max);

        private static string LastElement(string name)
        {
            var trimmed = name.TrimEnd('/');
            var slash = trimmed.LastIndexOf('/');
            return slash < 0 ? trimmed : trimmed.Substring(slash + 1);
        }

        internal static long ToUnixSeconds(DateTime utc) => (long)Math.Floor((utc.ToUniversalTime() - Epoch).TotalSeconds);
    }
}
