using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ContainerTools.Engine.Machines.HyperV
{
    /// <summary>
    /// Writes a small ISO 9660 image with one root folder of files and a Joliet tree, as "genisoimage -joliet"
    /// would: enough for a cloud-init NoCloud seed (volume label "cidata", files user-data and meta-data). The
    /// primary tree carries 8.3 upper-case names; Linux, Windows and cloud-init read the Joliet names.
    /// </summary>
    public static class Iso9660Writer
    {
        public const int SectorSize = 2048;

        // Layout: 16 system sectors, then PVD, Joliet SVD, terminator, four path tables, two root folders, files.
        private const int PrimaryDescriptorSector = 16;
        private const int JolietDescriptorSector = 17;
        private const int TerminatorSector = 18;
        private const int PrimaryLPathSector = 19;
        private const int PrimaryMPathSector = 20;
        private const int JolietLPathSector = 21;
        private const int JolietMPathSector = 22;
        private const int PrimaryRootSector = 23;
        private const int JolietRootSector = 24;
        private const int FirstFileSector = 25;

        public static byte[] Build(string volumeLabel, IReadOnlyList<KeyValuePair<string, byte[]>> files, DateTime timestampUtc)
        {
            if (string.IsNullOrEmpty(volumeLabel) || volumeLabel.Length > 16)
            {
                throw new ArgumentException("The volume label needs 1 to 16 characters.", nameof(volumeLabel));
            }

            if (files.Select(f => f.Key).Distinct(StringComparer.OrdinalIgnoreCase).Count() != files.Count)
            {
                throw new ArgumentException("File names must be unique.", nameof(files));
            }

            var extents = new List<(string Joliet, string Primary, int Sector, byte[] Data)>();
            var next = FirstFileSector;
            foreach (var file in files)
            {
                extents.Add((file.Key, PrimaryName(file.Key), next, file.Value));
                next += Math.Max(1, (file.Value.Length + SectorSize - 1) / SectorSize);
            }

            var totalSectors = next;
            var image = new byte[totalSectors * SectorSize];

            var primaryRoot = Directory(PrimaryRootSector, extents.OrderBy(e => e.Primary, StringComparer.Ordinal).Select(e => (Ascii(e.Primary), e.Sector, e.Data.Length)), timestampUtc);
            var jolietRoot = Directory(JolietRootSector, extents.OrderBy(e => e.Joliet, StringComparer.Ordinal).Select(e => (Ucs2(e.Joliet), e.Sector, e.Data.Length)), timestampUtc);
            if (primaryRoot.Length > SectorSize || jolietRoot.Length > SectorSize)
            {
                throw new ArgumentException("Too many files for a one-sector folder.", nameof(files));
            }

            primaryRoot.CopyTo(image, PrimaryRootSector * SectorSize);
            jolietRoot.CopyTo(image, JolietRootSector * SectorSize);

            WriteDescriptor(image, PrimaryDescriptorSector, 1, volumeLabel, joliet: false, totalSectors, PrimaryLPathSector, PrimaryMPathSector, PrimaryRootSector, timestampUtc);
            WriteDescriptor(image, JolietDescriptorSector, 2, volumeLabel, joliet: true, totalSectors, JolietLPathSector, JolietMPathSector, JolietRootSector, timestampUtc);
            var terminator = TerminatorSector * SectorSize;
            image[terminator] = 255;
            Encoding.ASCII.GetBytes("CD001").CopyTo(image, terminator + 1);
            image[terminator + 6] = 1;

            WritePathTable(image, PrimaryLPathSector, PrimaryRootSector, bigEndian: false);
            WritePathTable(image, PrimaryMPathSector, PrimaryRootSector, bigEndian: true);
            WritePathTable(image, JolietLPathSector, JolietRootSector, bigEndian: false);
            WritePathTable(image, JolietMPathSector, JolietRootSector, bigEndian: true);

            foreach (var extent in extents)
            {
                extent.Data.CopyTo(image, extent.Sector * SectorSize);
            }

            return image;
        }

        /// <summary>"user-data" becomes "USER_DAT.;1": d-characters only, 8.3, a version number.</summary>
        internal static string PrimaryName(string name)
        {
            var clean = new string(name.ToUpperInvariant().Select(c => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_').ToArray());
            var dot = name.LastIndexOf('.');
            var stem = dot > 0 ? clean.Substring(0, dot) : clean;
            var extension = dot > 0 ? clean.Substring(dot + 1) : string.Empty;
            return (stem.Length > 8 ? stem.Substring(0, 8) : stem) + "." + (extension.Length > 3 ? extension.Substring(0, 3) : extension) + ";1";
        }

        private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

        private static byte[] Ucs2(string text) => Encoding.BigEndianUnicode.GetBytes(text);

        private static byte[] Directory(int ownSector, IEnumerable<(byte[] Name, int Sector, int Length)> entries, DateTime timestamp)
        {
            var records = new List<byte[]>
            {
                Record(new byte[] { 0 }, ownSector, SectorSize, directory: true, timestamp),
                Record(new byte[] { 1 }, ownSector, SectorSize, directory: true, timestamp),
            };
            records.AddRange(entries.Select(e => Record(e.Name, e.Sector, e.Length, directory: false, timestamp)));
            return records.SelectMany(r => r).ToArray();
        }

        private static byte[] Record(byte[] name, int sector, int length, bool directory, DateTime timestamp)
        {
            var size = 33 + name.Length + (name.Length % 2 == 0 ? 1 : 0);
            var record = new byte[size];
            record[0] = (byte)size;
            BothEndian32(record, 2, sector);
            BothEndian32(record, 10, length);
            record[18] = (byte)(timestamp.Year - 1900);
            record[19] = (byte)timestamp.Month;
            record[20] = (byte)timestamp.Day;
            record[21] = (byte)timestamp.Hour;
            record[22] = (byte)timestamp.Minute;
            record[23] = (byte)timestamp.Second;
            record[24] = 0;
            record[25] = (byte)(directory ? 2 : 0);
            BothEndian16(record, 28, 1);
            record[32] = (byte)name.Length;
            name.CopyTo(record, 33);
            return record;
        }

        private static void WriteDescriptor(byte[] image, int sector, byte type, string label, bool joliet, int totalSectors, int lPath, int mPath, int rootSector,
            DateTime timestamp)
        {
            var at = sector * SectorSize;
            image[at] = type;
            Encoding.ASCII.GetBytes("CD001").CopyTo(image, at + 1);
            image[at + 6] = 1;
            Text(image, at + 8, 32, string.Empty, joliet);
            Text(image, at + 40, 32, label, joliet);
            BothEndian32(image, at + 80, totalSectors);
            if (joliet)
            {
                // UCS-2 level 3.
                Encoding.ASCII.GetBytes("%/E").CopyTo(image, at + 88);
            }

            BothEndian16(image, at + 120, 1);
            BothEndian16(image, at + 124, 1);
            BothEndian16(image, at + 128, SectorSize);
            BothEndian32(image, at + 132, 10);
            LittleEndian32(image, at + 140, lPath);
            BigEndian32(image, at + 148, mPath);
            Record(new byte[] { 0 }, rootSector, SectorSize, directory: true, timestamp).CopyTo(image, at + 156);
            Text(image, at + 190, 128, string.Empty, joliet);
            Text(image, at + 318, 128, string.Empty, joliet);
            Text(image, at + 446, 128, string.Empty, joliet);
            Text(image, at + 574, 128, "CONTAINERTOOLS", joliet);
            Text(image, at + 702, 37, string.Empty, joliet);
            Text(image, at + 739, 37, string.Empty, joliet);
            Text(image, at + 776, 37, string.Empty, joliet);
            var date = Encoding.ASCII.GetBytes(timestamp.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "00");
            date.CopyTo(image, at + 813);
            date.CopyTo(image, at + 830);
            Encoding.ASCII.GetBytes("0000000000000000").CopyTo(image, at + 847);
            date.CopyTo(image, at + 864);
            image[at + 881] = 1;
        }

        private static void WritePathTable(byte[] image, int sector, int rootSector, bool bigEndian)
        {
            var at = sector * SectorSize;
            image[at] = 1;
            if (bigEndian)
            {
                BigEndian32(image, at + 2, rootSector);
                image[at + 6] = 0;
                image[at + 7] = 1;
            }
            else
            {
                LittleEndian32(image, at + 2, rootSector);
                image[at + 6] = 1;
                image[at + 7] = 0;
            }
        }

        // Space-padded text: ASCII in the primary descriptor, UCS-2 big-endian in the Joliet one.
        private static void Text(byte[] image, int at, int length, string value, bool joliet)
        {
            var padded = joliet ? Encoding.BigEndianUnicode.GetBytes(value.PadRight(length / 2)) : Encoding.ASCII.GetBytes(value.PadRight(length));
            Array.Copy(padded, 0, image, at, Math.Min(length, padded.Length));
            if (joliet && length % 2 == 1)
            {
                image[at + length - 1] = 0x20;
            }
        }

        private static void BothEndian16(byte[] buffer, int at, int value)
        {
            buffer[at] = (byte)value;
            buffer[at + 1] = (byte)(value >> 8);
            buffer[at + 2] = (byte)(value >> 8);
            buffer[at + 3] = (byte)value;
        }

        private static void BothEndian32(byte[] buffer, int at, int value)
        {
            LittleEndian32(buffer, at, value);
            BigEndian32(buffer, at + 4, value);
        }

        private static void LittleEndian32(byte[] buffer, int at, int value)
        {
            buffer[at] = (byte)value;
            buffer[at + 1] = (byte)(value >> 8);
            buffer[at + 2] = (byte)(value >> 16);
            buffer[at + 3] = (byte)(value >> 24);
        }

        private static void BigEndian32(byte[] buffer, int at, int value)
        {
            buffer[at] = (byte)(value >> 24);
            buffer[at + 1] = (byte)(value >> 16);
            buffer[at + 2] = (byte)(value >> 8);
            buffer[at + 3] = (byte)value;
        }
    }
}
