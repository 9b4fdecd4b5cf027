using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ContainerTools.Engine.Compose
{
    /// <summary>
    /// The config hash of a service: SHA-256 over canonical JSON of its resolved configuration (objects with keys
    /// sorted ordinally, no whitespace, enums as names, durations as ticks). Our own scheme: stable across runs,
    /// machines and versions of this module as long as the model does not change, but not byte-identical to Docker
    /// Compose's hash. As in Compose, Replicas (scale, deploy.replicas), Profiles, Build and PullPolicy are left out: scaling
    /// does not recreate containers, and a rebuilt image is noticed by its image id, not by the build settings.
    /// </summary>
    internal static class ComposeConfigHash
    {
        private static readonly HashSet<string> Excluded = new HashSet<string>(StringComparer.Ordinal) { "Replicas", "Profiles", "Build", "PullPolicy" };

        public static string Compute(ComposeService service)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                Write(writer, service);
            }

            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(buffer.ToArray());
            var text = new StringBuilder(hash.Length * 2);
            foreach (var b in hash)
            {
                text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }

        /// <summary>The canonical JSON itself (for tests and for explaining a hash).</summary>
        public static string CanonicalJson(ComposeService service)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                Write(writer, service);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void Write(Utf8JsonWriter writer, object? value)
        {
            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    return;
                case string s:
                    writer.WriteStringValue(s);
                    return;
                case bool b:
                    writer.WriteBooleanValue(b);
                    return;
                case int i:
                    writer.WriteNumberValue(i);
                    return;
                case long l:
                    writer.WriteNumberValue(l);
                    return;
                case double d:
                    writer.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture));
                    return;
                case TimeSpan t:
                    writer.WriteNumberValue(t.Ticks);
                    return;
                case Enum e:
                    writer.WriteStringValue(e.ToString());
                    return;
                case IEnumerable<KeyValuePair<string, string>> map:
                    WriteMap(writer, map.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
                    return;
                case IEnumerable list:
                    writer.WriteStartArray();
                    foreach (var item in list)
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    return;
                default:
                    var properties = value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                        .Where(p => p.GetIndexParameters().Length == 0 && !(value is ComposeService && Excluded.Contains(p.Name)) && !(value is ComposeDeploy && p.Name == "Replicas"))
                        .Select(p => new KeyValuePair<string, object?>(p.Name, p.GetValue(value)));
                    WriteMap(writer, properties);
                    return;
            }
        }

        private static void WriteMap(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> entries)
        {
            writer.WriteStartObject();
            foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(entry.Key);
                Write(writer, entry.Value);
            }

            writer.WriteEndObject();
        }
    }
}
