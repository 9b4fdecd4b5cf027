using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Machines.Download
{
    /// <summary>How far a download has come; TotalBytes is null when the server did not say.</summary>
    public readonly struct DownloadProgress
    {
        public DownloadProgress(long bytesReceived, long? totalBytes)
        {
            BytesReceived = bytesReceived;
            TotalBytes = totalBytes;
        }

        public long BytesReceived { get; }

        public long? TotalBytes { get; }
    }

    /// <summary>
    /// Fetches machine images (WSL root filesystems, Hyper-V cloud images) into a cache, checked against a pinned
    /// checksum. The bytes go to "&lt;file&gt;.partial" beside the target and are moved into place only after the
    /// checksum matched, so the target is either absent or complete and verified. An interrupted transfer keeps the
    /// .partial file; the next attempt (a retry here, or a later call) asks the server for the rest with a Range
    /// request, and starts again from zero when the server does not support ranges. A wrong checksum deletes
    /// everything, and says which hash was expected and which arrived.
    /// </summary>
    public sealed class ImageDownloader
    {
        private readonly HttpClient _http;

        /// <param name="http">Null for a client of our own (no overall timeout: images are large; cancellation stops it).</param>
        public ImageDownloader(HttpClient? http = null)
        {
            _http = http ?? new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        /// <summary>How many times one call tries the transfer before giving up (each try resumes where the last stopped).</summary>
        public int MaxAttempts { get; set; } = 3;

        /// <summary>Pause between attempts.</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>The path of the resumable partial file for a target.</summary>
        public static string PartialPath(string targetPath) => Path.GetFullPath(targetPath) + ".partial";

        /// <summary>
        /// Makes <paramref name="targetPath"/> hold the verified content of <paramref name="source"/>. A target already
        /// there with the right checksum is kept as it is (the cache); one with a wrong checksum is downloaded again.
        /// </summary>
        public async Task<string> DownloadAsync(Uri source, string targetPath, Checksum expected, IProgress<DownloadProgress>? progress,
            CancellationToken cancellationToken)
        {
            if (source == null)
            {
                throw new ArgumentNullException(nameof(source));
            }

            if (expected == null)
            {
                throw new ArgumentNullException(nameof(expected));
            }

            if (source.Scheme != Uri.UriSchemeHttp && source.Scheme != Uri.UriSchemeHttps)
            {
                throw new InvalidSpecException("ImageSourceNotSupported", $"Cannot download '{source}': only http and https addresses are supported. Name a local file instead.", source);
            }

            var target = Path.GetFullPath(targetPath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                var present = await expected.ComputeAsync(target, cancellationToken).ConfigureAwait(false);
                if (expected.Matches(present))
                {
                    return target;
                }

                File.Delete(target);
            }

            var partial = PartialPath(target);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await TransferAsync(source, partial, progress, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (IsTransient(e, cancellationToken))
                {
                    if (attempt >= MaxAttempts)
                    {
                        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                        throw new ContainerEngineException("ImageDownloadInterrupted", EngineErrorKind.Unreachable,
                            $"Downloading '{source}' failed {attempt} times: {e.Message}. {have} bytes are kept in '{partial}'; run the command again to resume, or delete that file to start over.",
                            source, e);
                    }

                    await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }

            var actual = await expected.ComputeAsync(partial, cancellationToken).ConfigureAwait(false);
            if (!expected.Matches(actual))
            {
                File.Delete(partial);
                throw ChecksumMismatch(source.ToString(), expected, actual);
            }

            // The checksum matched: one rename puts the complete file in place.
            File.Move(partial, target);
            return target;
        }

        /// <summary>
        /// The local path of an image the user named: an http(s) address is downloaded into
        /// <paramref name="cacheFolder"/> (its checksum is then required), a local file is checked in place.
        /// </summary>
        public async Task<string> FetchAsync(string fileOrAddress, Checksum? expected, string cacheFolder, IProgress<DownloadProgress>? progress,
            CancellationToken cancellationToken)
        {
            if (Uri.TryCreate(fileOrAddress, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                if (expected == null)
                {
                    throw new InvalidSpecException("ImageChecksumRequired",
                        $"A checksum is needed to download '{fileOrAddress}': give its SHA-256 (or SHA-512) as the publisher lists it.", fileOrAddress);
                }

                var name = Path.GetFileName(uri.AbsolutePath);
                if (string.IsNullOrEmpty(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
                {
                    name = "image";
                }

                // The checksum is part of the cache name: two images of one file name never overwrite each other.
                var target = Path.Combine(cacheFolder, expected.Hex.Substring(0, 12) + "-" + name);
                return await DownloadAsync(uri, target, expected, progress, cancellationToken).ConfigureAwait(false);
            }

            var path = uri != null && uri.IsFile ? uri.LocalPath : fileOrAddress;
            return await VerifyLocalFileAsync(path, expected, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The checksum a publisher lists for <paramref name="fileName"/> in a SHA256SUMS/SHA512SUMS file
        /// ("&lt;hex&gt;  &lt;name&gt;" lines, as sha256sum writes them).
        /// </summary>
        public async Task<Checksum> GetListedChecksumAsync(Uri list, string fileName, CancellationToken cancellationToken)
        {
            using var response = await _http.GetAsync(list, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ContainerEngineException("ImageChecksumListFailed", EngineErrorKind.OperationFailed,
                    $"Could not read the checksum list '{list}': the server answered {(int)response.StatusCode} {response.ReasonPhrase}. Name the image and its checksum yourself.", list);
            }

            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            foreach (var line in text.Split('\n'))
            {
                var parts = line.Trim().Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[1].TrimStart('*') == fileName)
                {
                    return Checksum.Parse(parts[0]);
                }
            }

            throw new ContainerEngineException("ImageChecksumNotListed", EngineErrorKind.NotFound,
                $"The checksum list '{list}' has no line for '{fileName}'. Name the image and its checksum yourself.", list);
        }

        /// <summary>Checks a file the user named (no copy is made): its checksum must match when one is given.</summary>
        public static async Task<string> VerifyLocalFileAsync(string path, Checksum? expected, CancellationToken cancellationToken)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new ContainerEngineException("ImageFileNotFound", EngineErrorKind.NotFound,
                    $"The image file '{full}' does not exist. Name an existing file, or an http(s) address to download.", path);
            }

            if (expected != null)
            {
                var actual = await expected.ComputeAsync(full, cancellationToken).ConfigureAwait(false);
                if (!expected.Matches(actual))
                {
                    throw ChecksumMismatch(full, expected, actual);
                }
            }

            return full;
        }

        internal static ContainerEngineException ChecksumMismatch(string what, Checksum expected, string actual) =>
            new ContainerEngineException("ImageChecksumMismatch", EngineErrorKind.OperationFailed,
                $"The {expected.Algorithm} checksum of '{what}' is {actual}, but {expected.Hex} was expected. The file was deleted; " +
                "check the address and the checksum, and try again.", what);

        private async Task TransferAsync(Uri source, string partial, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
        {
            var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            using var request = new HttpRequestMessage(HttpMethod.Get, source);
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (offset > 0 && response.StatusCode == (HttpStatusCode)416)
            {
                // The partial file is as long as (or longer than) the whole: start over rather than guess.
                File.Delete(partial);
                throw new IOException("the server refused to resume the partial file; starting again");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ContainerEngineException("ImageDownloadFailed", response.StatusCode == HttpStatusCode.NotFound ? EngineErrorKind.NotFound : EngineErrorKind.OperationFailed,
                    $"Downloading '{source}' failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}. Check the address.", source);
            }

            var resumed = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent
                && response.Content.Headers.ContentRange?.From == offset;
            if (!resumed)
            {
                // No range support (a 200 with the whole body): the partial bytes are worthless.
                offset = 0;
            }

            long? total = response.Content.Headers.ContentLength is long length ? offset + length : null;
            using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            var received = offset;
            progress?.Report(new DownloadProgress(received, total));
            int read;
            while ((read = await body.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                received += read;
                progress?.Report(new DownloadProgress(received, total));
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (total is long expectedLength && received < expectedLength)
            {
                throw new IOException($"the connection closed after {received} of {expectedLength} bytes");
            }
        }

        private static bool IsTransient(Exception e, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            return e is IOException || e is HttpRequestException || e is OperationCanceledException;
        }
    }

    /// <summary>A pinned checksum: "sha256:&lt;hex&gt;", "sha512:&lt;hex&gt;", or bare hex (its length tells the algorithm).</summary>
    public sealed class Checksum
    {
        private Checksum(string algorithm, string hex)
        {
            Algorithm = algorithm;
            Hex = hex;
        }

        /// <summary>SHA256 or SHA512.</summary>
        public string Algorithm { get; }

        /// <summary>Lower-case hex.</summary>
        public string Hex { get; }

        public static Checksum Parse(string text)
        {
            var value = (text ?? string.Empty).Trim();
            string? algorithm = null;
            var colon = value.IndexOf(':');
            if (colon > 0)
            {
                algorithm = value.Substring(0, colon).Trim().ToUpperInvariant();
                value = value.Substring(colon + 1).Trim();
            }

            value = value.ToLowerInvariant();
            foreach (var c in value)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                {
                    value = string.Empty;
                    break;
                }
            }

            algorithm ??= value.Length == 64 ? "SHA256" : value.Length == 128 ? "SHA512" : null;
            var valid = (algorithm == "SHA256" && value.Length == 64) || (algorithm == "SHA512" && value.Length == 128);
            if (!valid)
            {
                throw new InvalidSpecException("InvalidChecksum",
                    $"'{text}' is not a checksum. Give a SHA-256 (64 hex digits) or SHA-512 (128 hex digits), optionally prefixed with 'sha256:' or 'sha512:'.", text);
            }

            return new Checksum(algorithm!, value);
        }

        public bool Matches(string actualHex) => string.Equals(Hex, actualHex, StringComparison.OrdinalIgnoreCase);

        public async Task<string> ComputeAsync(string path, CancellationToken cancellationToken)
        {
            using HashAlgorithm hash = Algorithm == "SHA512" ? SHA512.Create() : SHA256.Create();
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            var buffer = new byte[81920];
            int read;
            while ((read = await file.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.TransformBlock(buffer, 0, read, null, 0);
            }

            hash.TransformFinalBlock(buffer, 0, 0);
            var text = new StringBuilder(hash.Hash!.Length * 2);
            foreach (var b in hash.Hash)
            {
                text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }

        public override string ToString() => Algorithm.ToLowerInvariant() + ":" + Hex;
    }
}
