using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Internal
{
    /// <summary>One raw JSON request to the engine (inside EngineCall.RunAsync) and readers for the answers.</summary>
    internal static class EngineJson
    {
        /// <summary>Sends a request (a JSON body when given) and returns the status and the body text; never throws for an API status.</summary>
        public static async Task<(HttpStatusCode Status, string Body)> SendAsync(EngineClient client, HttpMethod method, string pathAndQuery, object? body,
            CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(method, client.ApiPath(pathAndQuery));
            if (body != null)
            {
                request.Content = Content(body);
            }

            using var response = await EngineCall.SendAsync(client, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return (response.StatusCode, text);
        }

        /// <summary>A JSON request body.</summary>
        public static StringContent Content(object body) => new StringContent(JsonSerializer.Serialize(body), new UTF8Encoding(false), "application/json");

        /// <summary>?filters=... for a filter set, or the empty string.</summary>
        public static string FilterQuery(EngineFilters filters, char separator = '?') =>
            filters.Values.Count == 0 ? string.Empty : separator + "filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(filters.Values));

        public static string? String(JsonElement item, string property) =>
            item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        public static bool Bool(JsonElement item, string property) =>
            item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

        public static long Long(JsonElement item, string property, long fallback = -1) =>
            item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : fallback;

        public static JsonElement Element(JsonElement item, string property) =>
            item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out var value) ? value : default;

        public static IEnumerable<JsonElement> Array(JsonElement item, string property)
        {
            var value = Element(item, property);
            return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : (IEnumerable<JsonElement>)System.Array.Empty<JsonElement>();
        }

        /// <summary>A string map (labels, options); empty when absent or null.</summary>
        public static IReadOnlyDictionary<string, string> Map(JsonElement item, string property)
        {
            var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var value = Element(item, property);
            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in value.EnumerateObject())
                {
                    map[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                }
            }

            return map;
        }

        /// <summary>An RFC 3339 time as the engine writes it (CreatedAt, Created), or null.</summary>
        public static DateTimeOffset? Time(JsonElement item, string property)
        {
            var text = String(item, property);
            return text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
                ? t
                : (DateTimeOffset?)null;
        }

        /// <summary>Unix seconds for the engine's until filter.</summary>
        public static string UnixSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }
}
