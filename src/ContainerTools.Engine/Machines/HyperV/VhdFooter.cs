using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Machines.HyperV
{
    /// <summary>
    /// A raw disk image followed by a 512-byte VHD footer is a fixed VHD, which Hyper-V's Convert-VHD turns into a
    /// VHDX. This is how a cloud image published as .raw (Debian's genericcloud) boots on Hyper-V without qemu-img.
    /// </summary>
    public static class VhdFooter
    {
        public const int Size = 512;

        private static readonly DateTime VhdEpoch = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>Copies a raw image to <paramref name="vhdPath"/> as a fixed VHD (the size rounded up to a whole sector).</summary>
        public static async Task WriteFixedVhdAsync(string rawPath, string vhdPath, CancellationToken cancellationToken)
        {
            var temp = vhdPath + ".new";
            try
            {
                long length;
                using (var source = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true))
                using (var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
                {
                    await source.CopyToAsync(target, 1 << 20, cancellationToken).ConfigureAwait(false);
                    length = target.Length;
                    var padding = (int)((Size - (length % Size)) % Size);
                    if (padding > 0)
                    {
                        await target.WriteAsync(new byte[padding], 0, padding, cancellationToken).ConfigureAwait(false);
                        length += padding;
                    }

                    var footer = Build(length, Guid.NewGuid(), DateTime.UtcNow);
                    await target.WriteAsync(footer, 0, footer.Length, cancellationToken).ConfigureAwait(false);
                }

                if (File.Exists(vhdPath))
                {
                    File.Delete(vhdPath);
                }

                File.Move(temp, vhdPath);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        /// <summary>The footer of a fixed disk of <paramref name="diskBytes"/> (a multiple of 512).</summary>
        public static byte[] Build(long diskBytes, Guid uniqueId, DateTime timestampUtc)
        {
            if (diskBytes <= 0 || diskBytes % 512 != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(diskBytes), "A disk size is a positive multiple of 512 bytes.");
            }

            var footer = new byte[Size];
            System.Text.Encoding.ASCII.GetBytes("conectix").CopyTo(footer, 0);
            BigEndian(footer, 8, 0x00000002, 4);          // features: reserved bit, always set
            BigEndian(footer, 12, 0x00010000, 4);         // format version 1.0
            BigEndian(footer, 16, -1L, 8);                // data offset: none, a fixed disk
            BigEndian(footer, 24, (long)(uint)(timestampUtc - VhdEpoch).TotalSeconds, 4);
            System.Text.Encoding.ASCII.GetBytes("ctls").CopyTo(footer, 28);
            BigEndian(footer, 32, 0x00010000, 4);
            BigEndian(footer, 36, 0x5769326B, 4);         // "Wi2k"
            BigEndian(footer, 40, diskBytes, 8);          // original size
            BigEndian(footer, 48, diskBytes, 8);          // current size
            var (cylinders, heads, sectors) = Geometry(diskBytes);
            BigEndian(footer, 56, cylinders, 2);
            footer[58] = (byte)heads;
            footer[59] = (byte)sectors;
            BigEndian(footer, 60, 2, 4);                  // disk type: fixed
            uniqueId.ToByteArray().CopyTo(footer, 68);
            uint sum = 0;
            foreach (var b in footer)
            {
                sum += b;
            }

            BigEndian(footer, 64, ~sum, 4);
            return footer;
        }

        /// <summary>The CHS geometry of the VHD specification (appendix), capped at 65535/16/255.</summary>
        internal static (int Cylinders, int Heads, int SectorsPerTrack) Geometry(long diskBytes)
        {
            var totalSectors = diskBytes / 512;
            if (totalSectors > 65535L * 16 * 255)
            {
                totalSectors = 65535L * 16 * 255;
            }

            long sectorsPerTrack, heads, cylinderTimesHeads;
            if (totalSectors >= 65535L * 16 * 63)
            {
                sectorsPerTrack = 255;
                heads = 16;
                cylinderTimesHeads = totalSectors / sectorsPerTrack;
            }
            else
            {
                sectorsPerTrack = 17;
                cylinderTimesHeads = totalSectors / sectorsPerTrack;
                heads = Math.Max(4, (cylinderTimesHeads + 1023) / 1024);
                if (cylinderTimesHeads >= heads * 1024 || heads > 16)
                {
                    sectorsPerTrack = 31;
                    heads = 16;
                    cylinderTimesHeads = totalSectors / sectorsPerTrack;
                }

                if (cylinderTimesHeads >= heads * 1024)
                {
                    sectorsPerTrack = 63;
                    heads = 16;
                    cylinderTimesHeads = totalSectors / sectorsPerTrack;
                }
            }

            return ((int)(cylinderTimesHeads / heads), (int)heads, (int)sectorsPerTrack);
        }

        private static void BigEndian(byte[] buffer, int at, long value, int bytes)
        {
            for (var i = 0; i < bytes; i++)
            {
                buffer[at + i] = (byte)(value >> (8 * (bytes - 1 - i)));
            }
        }
    }
}
