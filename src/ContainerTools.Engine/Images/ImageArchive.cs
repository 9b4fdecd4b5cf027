using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace ContainerTools.Engine.Images
{
    /// <summary>
    /// Reads what a 'docker save' archive holds (its manifest.json: config ids and repository tags), so that
    /// Import-ContainerImage knows which images it loaded without scraping the engine's text.
    /// </summary>
    internal static class ImageArchive
    {
        public sealed class Entry
        {
            public Entry(string configId, IReadOnlyList<string> repoTags)
            {
                ConfigId = configId;
                RepoTags = repoTags;
            }

            /// <summary>sha256:… of the image config: the image id once loaded.</summary>
            public string ConfigId { get; }

            public IReadOnlyList<string> RepoTags { get; }
        }

        public static IReadOnlyList<Entry> ReadManifest(string path)
        {
            using var file = File.OpenRead(path);
            var header = new byte[512];
            while (ReadBlock(file, header))
            {
                if (IsZeroBlock(header))
                {
                    break;
                }

                var name = Text(header, 0, 100);
                var prefix = Text(header, 345, 155);
                if (prefix.Length > 0)
                {
                    name = prefix + "/" + name;
                }

                var size = Octal(header, 124, 12);
                var padded = (size + 511) / 512 * 512;
                if (name == "manifest.json" || name == "./manifest.json")
                {
                    var content = new byte[size];
                    var read = 0;
                    while (read < size)
                    {
                        var n = file.Read(content, read, (int)(size - read));
                        if (n == 0)
                        {
                            break;
                        }

                        read += n;
                    }

                    return Parse(Encoding.UTF8.GetString(content, 0, read), path);
                }

                file.Seek(padded, SeekOrigin.Current);
            }

            throw new InvalidSpecException("NotAnImageArchive",
                $"'{path}' is not an image archive: it has no manifest.json. Import-ContainerImage loads what Export-ContainerImage or 'docker save' wrote.", path);
        }

        private static IReadOnlyList<Entry> Parse(string json, string path)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                var entries = new List<Entry>();
                foreach (var item in doc.RootElement.EnumerateArray())
                {
                    var config = item.GetProperty("Config").GetString() ?? string.Empty;
                    // "blobs/sha256/<hex>" (OCI layout) or "<hex>.json" (classic layout).
                    var hex = Path.GetFileNameWithoutExtension(config.Replace('\\', '/').Substring(config.LastIndexOf('/') + 1));
                    var tags = new List<string>();
                    if (item.TryGetProperty("RepoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var t in repoTags.EnumerateArray())
                        {
                            tags.Add(t.GetString() ?? string.Empty);
                        }
                    }

                    entries.Add(new Entry("sha256:" + hex, tags));
                }

                return entries;
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is KeyNotFoundException)
            {
                throw new InvalidSpecException("NotAnImageArchive", $"'{path}' has an unreadable manifest.json ({e.Message}).", path);
            }
        }

        private static bool ReadBlock(Stream s, byte[] block)
        {
            var read = 0;
            while (read < block.Length)
            {
                var n = s.Read(block, read, block.Length - read);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }

        private static bool IsZeroBlock(byte[] block)
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

        private static string Text(byte[] block, int offset, int length)
        {
            var end = Array.IndexOf(block, (byte)0, offset, length);
            return Encoding.UTF8.GetString(block, offset, (end < 0 ? offset + length : end) - offset);
        }

        private static long Octal(byte[] block, int offset, int length)
        {
            // Sizes past 8 GiB use the base-256 form (high bit set).
            if ((block[offset] & 0x80) != 0)
            {
                long value = 0;
                for (var i = offset + 1; i < offset + length; i++)
                {
                    value = (value << 8) | block[i];
                }

                return value;
            }

            var text = Text(block, offset, length).Trim(' ', '\0');
            return text.Length == 0 ? 0 : Convert.ToInt64(text, 8);
        }
    }
}
