using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Internal
{
    /// <summary>One entry of a tar stream, with PAX and GNU long names and sizes already applied.</summary>
    internal sealed class TarEntry
    {
        public const char RegularType = '0';
        public const char OldRegularType = '\0';
        public const char HardLinkType = '1';
        public const char SymlinkType = '2';
        public const char CharDeviceType = '3';
        public const char BlockDeviceType = '4';
        public const char DirectoryType = '5';
        public const char FifoType = '6';
        public const char ContiguousType = '7';

        public string Name { get; set; } = string.Empty;

        public char Type { get; set; }

        /// <summary>Permission bits (07777).</summary>
        public int Mode { get; set; }

        public long Size { get; set; }

        /// <summary>Seconds since the Unix epoch.</summary>
        public long ModifiedSeconds { get; set; }

        public string LinkName { get; set; } = string.Empty;

        public bool IsRegularFile => Type == RegularType || Type == OldRegularType || Type == ContiguousType;

        public bool IsDirectory => Type == DirectoryType;
    }

    /// <summary>
    /// Reads a tar stream as Go's archive/tar writes it (what the engine sends): ustar headers, PAX extended headers
    /// (path, linkpath, size, mtime), GNU long names. Sequential: an entry's content is read before the next header,
    /// or skipped when the caller does not read it.
    /// </summary>
    internal sealed class TarStreamReader
    {
        private const int BlockSize = 512;
        private readonly Stream _input;
        private readonly byte[] _block = new byte[BlockSize];
        private long _remaining;
        private long _padding;

        public TarStreamReader(Stream input)
        {
            _input = input;
        }

        /// <summary>The next entry, or null at the end of the archive.</summary>
        public async Task<TarEntry?> NextAsync(CancellationToken cancellationToken)
        {
            await SkipAsync(_remaining + _padding, cancellationToken).ConfigureAwait(false);
            _remaining = _padding = 0;
            string? longName = null, longLink = null, paxPath = null, paxLink = null;
            long? paxSize = null, paxTime = null;
            while (true)
            {
                if (!await ReadBlockAsync(_block, cancellationToken).ConfigureAwait(false) || IsZero(_block))
                {
                    return null;
                }

                if (!ChecksumMatches(_block))
                {
                    throw new InvalidDataException("The archive is damaged: a tar header has a wrong checksum.");
                }

                var type = (char)_block[156];
                var size = Number(_block, 124, 12);
                if (type == 'x' || type == 'g' || type == 'L' || type == 'K')
                {
                    var content = await ReadContentAsync(size, cancellationToken).ConfigureAwait(false);
                    if (type == 'L')
                    {
                        longName = CString(content, 0, content.Length);
                    }
                    else if (type == 'K')
                    {
                        longLink = CString(content, 0, content.Length);
                    }
                    else if (type == 'x')
                    {
                        ParsePax(content, ref paxPath, ref paxLink, ref paxSize, ref paxTime);
                    }

                    continue; // global headers ('g') hold nothing a copy needs
                }

                var name = CString(_block, 0, 100);
                var magic = Encoding.ASCII.GetString(_block, 257, 5);
                if (magic == "ustar")
                {
                    var prefix = CString(_block, 345, 155);
                    if (prefix.Length > 0)
                    {
                        name = prefix + "/" + name;
                    }
                }

                var entry = new TarEntry
                {
                    Name = paxPath ?? longName ?? name,
                    Type = type,
                    Mode = (int)(Number(_block, 100, 8) & 0xFFF),
                    Size = paxSize ?? size,
                    ModifiedSeconds = paxTime ?? Number(_block, 136, 12),
                    LinkName = paxLink ?? longLink ?? CString(_block, 157, 100),
                };
                if (!entry.IsRegularFile)
                {
                    // Links, folders and devices carry no content, whatever their size field says.
                    entry.Size = 0;
                }

                _remaining = entry.Size;
                _padding = (BlockSize - entry.Size % BlockSize) % BlockSize;
                return entry;
            }
        }

        /// <summary>Copies the current entry's content to the output.</summary>
        public async Task CopyContentAsync(Stream output, CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            while (_remaining > 0)
            {
                var n = await _input.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, _remaining), cancellationToken).ConfigureAwait(false);
                if (n <= 0)
                {
                    throw new EndOfStreamException("The archive ended in the middle of a file.");
                }

                await output.WriteAsync(buffer, 0, n, cancellationToken).ConfigureAwait(false);
                _remaining -= n;
            }
        }

        private async Task<byte[]> ReadContentAsync(long size, CancellationToken cancellationToken)
        {
            if (size > 16 * 1024 * 1024)
            {
                throw new InvalidDataException("The archive is damaged: an extended header is larger than 16 MiB.");
            }

            var content = new byte[size];
            var read = 0;
            while (read < size)
            {
                var n = await _input.ReadAsync(content, read, (int)size - read, cancellationToken).ConfigureAwait(false);
                if (n <= 0)
                {
                    throw new EndOfStreamException("The archive ended in the middle of a header.");
                }

                read += n;
            }

            await SkipAsync((BlockSize - size % BlockSize) % BlockSize, cancellationToken).ConfigureAwait(false);
            return content;
        }

        private static void ParsePax(byte[] content, ref string? path, ref string? link, ref long? size, ref long? time)
        {
            var position = 0;
            while (position < content.Length)
            {
                var space = Array.IndexOf(content, (byte)' ', position);
                if (space < 0)
                {
                    break;
                }

                if (!int.TryParse(Encoding.ASCII.GetString(content, position, space - position), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                    length <= space - position || position + length > content.Length)
                {
                    throw new InvalidDataException("The archive is damaged: a PAX record is malformed.");
                }

                var record = Encoding.UTF8.GetString(content, space + 1, position + length - space - 2); // without the trailing '\n'
                var equals = record.IndexOf('=');
                if (equals > 0)
                {
                    var key = record.Substring(0, equals);
                    var value = record.Substring(equals + 1);
                    switch (key)
                    {
                        case "path":
                            path = value;
                            break;
                        case "linkpath":
                            link = value;
                            break;
                        case "size":
                            size = long.Parse(value, CultureInfo.InvariantCulture);
                            break;
                        case "mtime":
                            var dot = value.IndexOf('.');
                            time = long.Parse(dot < 0 ? value : value.Substring(0, dot), CultureInfo.InvariantCulture);
                            if (dot >= 0 && value.StartsWith("-", StringComparison.Ordinal) && value.Substring(dot + 1).Trim('0').Length > 0)
                            {
                                time--; // floor of a negative fraction
                            }

                            break;
                    }
                }

                position += length;
            }
        }

        private async Task SkipAsync(long count, CancellationToken cancellationToken)
        {
            var buffer = count > 0 ? new byte[(int)Math.Min(count, 81920)] : null;
            while (count > 0)
            {
                var n = await _input.ReadAsync(buffer!, 0, (int)Math.Min(buffer!.Length, count), cancellationToken).ConfigureAwait(false);
                if (n <= 0)
                {
                    throw new EndOfStreamException("The archive ended early.");
                }

                count -= n;
            }
        }

        private async Task<bool> ReadBlockAsync(byte[] block, CancellationToken cancellationToken)
        {
            var read = 0;
            while (read < block.Length)
            {
                var n = await _input.ReadAsync(block, read, block.Length - read, cancellationToken).ConfigureAwait(false);
                if (n <= 0)
                {
                    if (read == 0)
                    {
                        return false;
                    }

                    throw new EndOfStreamException("The archive ended in the middle of a header.");
                }

                read += n;
            }

            return true;
        }

        private static bool IsZero(byte[] block)
        {
            foreach (var b in block)
            {
                if (b != 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool ChecksumMatches(byte[] block)
        {
            var stored = Number(block, 148, 8);
            long unsigned = 0, signed = 0;
            for (var i = 0; i < block.Length; i++)
            {
                var b = i >= 148 && i < 156 ? (byte)' ' : block[i];
                unsigned += b;
                signed += (sbyte)b;
            }

            return stored == unsigned || stored == signed;
        }

        private static string CString(byte[] bytes, int offset, int length)
        {
            var end = Array.IndexOf(bytes, (byte)0, offset, length);
            return Encoding.UTF8.GetString(bytes, offset, (end < 0 ? offset + length : end) - offset);
        }

        // Octal, or base-256 when the high bit of the first byte is set (GNU and Go for large values).
        private static long Number(byte[] block, int offset, int length)
        {
            if ((block[offset] & 0x80) != 0)
            {
                long value = block[offset] & 0x7F;
                for (var i = offset + 1; i < offset + length; i++)
                {
                    value = (value << 8) | block[i];
                }

                return value;
            }

            var text = CString(block, offset, length).Trim(' ', '\0');
            return text.Length == 0 ? 0 : Convert.ToInt64(text, 8);
        }
    }
}
