using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Internal
{
    /// <summary>One message of the engine's progress streams (pull, push, build, load): a line of JSON.</summary>
    internal sealed class JsonMessage
    {
        public string? Id { get; set; }

        public string? Status { get; set; }

        public string? Stream { get; set; }

        public long? Current { get; set; }

        public long? Total { get; set; }

        public string? Error { get; set; }

        /// <summary>errorDetail.code: for a failed build step, the command's exit code.</summary>
        public int? ErrorCode { get; set; }

        /// <summary>The structured result some streams end with (push: Tag, Digest, Size; build: ID).</summary>
        public JsonElement? Aux { get; set; }
    }

    /// <summary>Reads the engine's newline-delimited JSON progress stream as it arrives, never scraping text.</summary>
    internal static class JsonMessageStream
    {
        public static async Task ReadAsync(Stream stream, Action<JsonMessage> onMessage, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            using (cancellationToken.Register(() => stream.Dispose()))
            {
                string? line;
                while ((line = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false)) != null)
                {
                    if (line.Trim().Length == 0)
                    {
                        continue;
                    }

                    onMessage(Parse(line));
                }
            }
        }

        internal static JsonMessage Parse(string line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var message = new JsonMessage
            {
                Id = String(root, "id"),
                Status = String(root, "status"),
                Stream = String(root, "stream"),
            };
            if (root.TryGetProperty("progressDetail", out var detail) && detail.ValueKind == JsonValueKind.Object)
            {
                message.Current = Number(detail, "current");
                message.Total = Number(detail, "total");
            }

            if (root.TryGetProperty("errorDetail", out var errorDetail) && errorDetail.ValueKind == JsonValueKind.Object)
            {
                message.Error = String(errorDetail, "message");
                var code = Number(errorDetail, "code");
                message.ErrorCode = code == null ? (int?)null : (int)code.Value;
            }

            message.Error ??= String(root, "error");
            if (root.TryGetProperty("aux", out var aux) && aux.ValueKind == JsonValueKind.Object)
            {
                message.Aux = aux.Clone();
            }

            return message;
        }

        private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await reader.ReadLineAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (IOException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        private static string? String(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static long? Number(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : (long?)null;
    }
}
