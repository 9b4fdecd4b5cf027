using System;
using System.Collections.Generic;
using System.Text;

namespace ContainerTools.Tests.Machines
{
    /// <summary>Reads back what Iso9660Writer wrote, independently: descriptors from sector 16 and each tree's root folder.</summary>
    internal static class IsoReader
    {
        internal sealed class Tree
        {
            public string VolumeLabel { get; set; } = string.Empty;

            public Dictionary<string, byte[]> Files { get; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        }

        public static (Tree Primary, Tree? Joliet) Read(byte[] image)
        {
            Tree? primary = null;
            Tree? joliet = null;
            for (var sector = 16; ; sector++)
            {
                var at = sector * 2048;
                if (Encoding.ASCII.GetString(image, at + 1, 5) != "CD001")
                {
                    throw new InvalidOperationException($"sector {sector} is not a volume descriptor");
                }

                var type = image[at];
                if (type == 255)
                {
                    break;
                }

                var isJoliet = type == 2 && Encoding.ASCII.GetString(image, at + 88, 3) == "%/E";
                if (type != 1 && !isJoliet)
                {
                    continue;
                }

                if (BitConverter.ToInt16(image, at + 128) != 2048)
                {
                    throw new InvalidOperationException("block size is not 2048");
                }

                var tree = new Tree
                {
                    VolumeLabel = (isJoliet ? Encoding.BigEndianUnicode.GetString(image, at + 40, 32) : Encoding.ASCII.GetString(image, at + 40, 32)).TrimEnd(' '),
                };
                var root = at + 156;
                var rootExtent = BitConverter.ToInt32(image, root + 2);
                var rootLength = BitConverter.ToInt32(image, root + 10);
                var position = rootExtent * 2048;
                var end = position + rootLength;
                while (position < end && image[position] != 0)
                {
                    var length = image[position];
                    var flags = image[position + 25];
                    var nameLength = image[position + 32];
                    var name = image.AsSpan(position + 33, nameLength).ToArray();
                    if ((flags & 2) == 0)
                    {
                        var extent = BitConverter.ToInt32(image, position + 2);
                        var size = BitConverter.ToInt32(image, position + 10);
                        var text = isJoliet ? Encoding.BigEndianUnicode.GetString(name) : Encoding.ASCII.GetString(name);
                        tree.Files[text] = image.AsSpan(extent * 2048, size).ToArray();
                    }

                    position += length;
                }

                if (isJoliet)
                {
                    joliet = tree;
                }
                else
                {
                    primary = tree;
                }
            }

            return (primary ?? throw new InvalidOperationException("no primary volume descriptor"), joliet);
        }
    }
}
