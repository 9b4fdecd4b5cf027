using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>
    /// The floor: one keep-alive HTTP/1.1 client on the engine's unix socket (SocketsHttpHandler with a
    /// ConnectCallback), no library in between. Sequential calls reuse one pooled connection. It is also what
    /// the benchmark uses for its own set-up and clean-up, so those never depend on the code being measured.
    /// </summary>
    internal sealed class RawEngineClient : IDisposable
    {
        /// <summary>The newest API version ContainerTools speaks (EngineClient.MaximumApiVersion): the floor speaks the same.</summary>
        private static readonly Version MaximumApiVersion = new Version(1, 52);

        private readonly HttpClient _http;
        private string _prefix = string.Empty;

        public RawEngineClient(string socketPath)
        {
            SocketPath = socketPath;
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
            };

            // The host name is never resolved (ConnectCallback decides where to go); dockerd ignores it.
            _http = new HttpClient(handler, disposeHandler: true)
            {
                BaseAddress = new Uri("http://docker/"),
                Timeout = TimeSpan.FromSeconds(120),
            };
        }

        public string SocketPath { get; }

        /// <summary>The API version in use, e.g. "1.41", once ConnectAsync ran.</summary>
        public string ApiVersion { get; private set; } = string.Empty;

        /// <summary>Asks the engine its version (unversioned, as ContainerTools' own negotiation does) and settles on the same API version.</summary>
        public async Task<string> ConnectAsync(CancellationToken cancellationToken)
        {
            var body = await SendAsync(HttpMethod.Get, "/version", null, cancellationToken, versioned: false).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            var server = Version.Parse(doc.RootElement.GetProperty("ApiVersion").GetString() ?? "1.41");
            var negotiated = server < MaximumApiVersion ? server : MaximumApiVersion;
            ApiVersion = negotiated.ToString(2);
            _prefix = "/v" + ApiVersion;
            return doc.RootElement.TryGetProperty("Version", out var v) ? v.GetString() ?? "?" : "?";
        }

        /// <summary>
        /// The request Get-Container -Id makes for a full id (ContainerOperations.TryGetAsync):
        /// GET /containers/json?all=1&amp;filters={"id":{"&lt;id&gt;":true}}, the body read and parsed.
        /// Returns how many containers came back.
        /// </summary>
        public async Task<int> ListByIdAsync(string id, CancellationToken cancellationToken)
        {
            var body = await SendAsync(HttpMethod.Get, "/containers/json?all=1&filters=" + Filter("id", id), null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.GetArrayLength();
        }

        /// <summary>Ids of every container (any state) carrying the label (key=value).</summary>
        public async Task<List<string>> ListIdsByLabelAsync(string label, CancellationToken cancellationToken) =>
            (await ListByLabelAsync(label, cancellationToken).ConfigureAwait(false)).Select(c => c.Id).ToList();

        /// <summary>Names (without the leading '/') of every container (any state) carrying the label (key=value).</summary>
        public async Task<List<string>> ListNamesByLabelAsync(string label, CancellationToken cancellationToken) =>
            (await ListByLabelAsync(label, cancellationToken).ConfigureAwait(false)).Select(c => c.Name).ToList();

        private async Task<List<(string Id, string Name)>> ListByLabelAsync(string label, CancellationToken cancellationToken)
        {
            var body = await SendAsync(HttpMethod.Get, "/containers/json?all=1&filters=" + Filter("label", label), null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            var found = new List<(string, string)>();
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                var names = item.GetProperty("Names");
                var name = names.GetArrayLength() > 0 ? names[0].GetString()!.TrimStart('/') : string.Empty;
                found.Add((item.GetProperty("Id").GetString()!, name));
            }

            return found;
        }

        /// <summary>POST /containers/create (docker create --init --label ... image command...); returns the id.</summary>
        public async Task<string> CreateAsync(string name, string image, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> labels,
            bool init, CancellationToken cancellationToken)
        {
            var spec = new Dictionary<string, object?>
            {
                ["Image"] = image,
                ["Cmd"] = command,
                ["Labels"] = labels,
                ["HostConfig"] = new Dictionary<string, object?> { ["Init"] = init },
            };
            var body = await SendAsync(HttpMethod.Post, "/containers/create?name=" + Uri.EscapeDataString(name), JsonSerializer.Serialize(spec),
                cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.GetProperty("Id").GetString()!;
        }

        public Task StartAsync(string idOrName, CancellationToken cancellationToken) =>
            SendAsync(HttpMethod.Post, $"/containers/{Uri.EscapeDataString(idOrName)}/start", null, cancellationToken);

        public Task StopAsync(string idOrName, int timeoutSeconds, CancellationToken cancellationToken) =>
            SendAsync(HttpMethod.Post, FormattableString.Invariant($"/containers/{Uri.EscapeDataString(idOrName)}/stop?t={timeoutSeconds}"), null, cancellationToken);

        public Task RemoveAsync(string idOrName, bool force, CancellationToken cancellationToken) =>
            SendAsync(HttpMethod.Delete, $"/containers/{Uri.EscapeDataString(idOrName)}" + (force ? "?force=1" : string.Empty), null, cancellationToken);

        /// <summary>Ids of every image, intermediate ones included (all=1), carrying the label (key=value).</summary>
        public async Task<List<string>> ListImageIdsByLabelAsync(string label, CancellationToken cancellationToken)
        {
            var body = await SendAsync(HttpMethod.Get, "/images/json?all=1&filters=" + Filter("label", label), null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.EnumerateArray().Select(i => i.GetProperty("Id").GetString()!).ToList();
        }

        /// <summary>GET /images/{name}/json: the image's id and size in bytes.</summary>
        public async Task<(string Id, long Size)> InspectImageAsync(string name, CancellationToken cancellationToken)
        {
            var body = await SendAsync(HttpMethod.Get, $"/images/{Uri.EscapeDataString(name)}/json", null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            return (doc.RootElement.GetProperty("Id").GetString()!, doc.RootElement.GetProperty("Size").GetInt64());
        }

        /// <summary>DELETE /images/{id}?force=1 (its tags go, and its untagged parents with it).</summary>
        public Task RemoveImageAsync(string idOrName, CancellationToken cancellationToken) =>
            SendAsync(HttpMethod.Delete, $"/images/{Uri.EscapeDataString(idOrName)}?force=1", null, cancellationToken);

        /// <summary>POST /containers/{id}/wait: until it is not running; returns its exit code.</summary>
        public async Task<long> WaitAsync(string idOrName, CancellationToken cancellationToken)
        {
            var body = await SendAsync(HttpMethod.Post, $"/containers/{Uri.EscapeDataString(idOrName)}/wait", null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.GetProperty("StatusCode").GetInt64();
        }

        /// <summary>
        /// GET /containers/{id}/logs?stdout=1&amp;stderr=1 (what docker logs asks for), the multiplexed body read straight into
        /// nothing: how fast the engine hands a log over, with no client work on it. Returns the bytes received.
        /// </summary>
        public async Task<long> ReadLogToNullAsync(string idOrName, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_prefix}/containers/{Uri.EscapeDataString(idOrName)}/logs?stdout=1&stderr=1");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total;
        }

        public void Dispose() => _http.Dispose();

        private static string Filter(string key, string value) =>
            Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, Dictionary<string, bool>> { [key] = new Dictionary<string, bool> { [value] = true } }));

        /// <summary>One request; the whole body is read. 304 (already started / already stopped) counts as success, as docker's verbs do.</summary>
        private async Task<byte[]> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken, bool versioned = true)
        {
            using var request = new HttpRequestMessage(method, (versioned ? _prefix : string.Empty) + path);
            if (json != null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified)
            {
                throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture, "{0} {1}: {2} {3}", method, path, (int)response.StatusCode,
                    Encoding.UTF8.GetString(body).Trim()));
            }

            return body;
        }
    }
}
