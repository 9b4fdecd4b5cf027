using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Machines.Download;
using Xunit;

namespace ContainerTools.Tests.Machines
{
    /// <summary>Image downloads against a loopback server: checksum, cache, resume with and without Range, cancel.</summary>
    public sealed class ImageDownloadTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "ct-download-" + Guid.NewGuid().ToString("N"));
        private readonly byte[] _content;
        private readonly Checksum _sha256;

        public ImageDownloadTests()
        {
            Directory.CreateDirectory(_folder);
            _content = new byte[300_000];
            new Random(42).NextBytes(_content);
            _sha256 = Checksum.Parse(Hex(SHA256.HashData(_content)));
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private string Target => Path.Combine(_folder, "rootfs.tar.gz");

        private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

        private static ImageDownloader Downloader(int attempts = 3) => new ImageDownloader { MaxAttempts = attempts, RetryDelay = TimeSpan.Zero };

        private sealed class Recorder : IProgress<DownloadProgress>
        {
            private readonly Action<DownloadProgress>? _onReport;

            public Recorder(Action<DownloadProgress>? onReport = null) => _onReport = onReport;

            public List<DownloadProgress> Reports { get; } = new List<DownloadProgress>();

            public void Report(DownloadProgress value)
            {
                lock (Reports)
                {
                    Reports.Add(value);
                }

                _onReport?.Invoke(value);
            }
        }

        [Fact]
        public async Task A_download_is_verified_moved_into_place_and_reports_progress()
        {
            using var server = new LoopbackHttpServer(_content);
            var progress = new Recorder();

            var path = await Downloader().DownloadAsync(server.Address(), Target, _sha256, progress, CancellationToken.None);

            Assert.Equal(Path.GetFullPath(Target), path);
            Assert.Equal(_content, File.ReadAllBytes(path));
            Assert.False(File.Exists(ImageDownloader.PartialPath(Target)));
            Assert.Equal(_content.Length, progress.Reports.Last().BytesReceived);
            Assert.Equal(_content.Length, progress.Reports.Last().TotalBytes);
        }

        [Fact]
        public async Task A_cached_file_with_the_right_checksum_is_not_downloaded_again()
        {
            using var server = new LoopbackHttpServer(_content);
            await Downloader().DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None);
            var before = File.GetLastWriteTimeUtc(Target);

            await Downloader().DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None);

            Assert.Single(server.Requests);
            Assert.Equal(before, File.GetLastWriteTimeUtc(Target));
        }

        [Fact]
        public async Task A_cached_file_with_a_wrong_checksum_is_downloaded_again()
        {
            using var server = new LoopbackHttpServer(_content);
            File.WriteAllText(Target, "stale");

            await Downloader().DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None);

            Assert.Single(server.Requests);
            Assert.Equal(_content, File.ReadAllBytes(Target));
        }

        [Fact]
        public async Task A_wrong_checksum_deletes_the_download_and_names_both_hashes()
        {
            using var server = new LoopbackHttpServer(_content);
            var wrong = Checksum.Parse("sha256:" + new string('0', 64));

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                Downloader().DownloadAsync(server.Address(), Target, wrong, null, CancellationToken.None));

            Assert.Equal("ImageChecksumMismatch", error.ErrorId);
            Assert.Contains(new string('0', 64), error.Message);
            Assert.Contains(_sha256.Hex, error.Message);
            Assert.False(File.Exists(Target));
            Assert.False(File.Exists(ImageDownloader.PartialPath(Target)));
        }

        [Fact]
        public async Task A_dropped_connection_resumes_with_a_range_request()
        {
            using var server = new LoopbackHttpServer(_content) { Drops = 1, CutAfter = 100_000 };

            await Downloader().DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None);

            Assert.Equal(_content, File.ReadAllBytes(Target));
            var requests = server.Requests.ToArray();
            Assert.Equal(2, requests.Length);
            Assert.Null(requests[0].Range);
            Assert.Equal("bytes=100000-", requests[1].Range);
        }

        [Fact]
        public async Task Without_range_support_a_dropped_download_starts_again_from_zero()
        {
            using var server = new LoopbackHttpServer(_content) { Drops = 1, CutAfter = 100_000, SupportsRanges = false };

            await Downloader().DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None);

            // The server answered the Range request with the whole body (200): it must not be appended to the partial bytes.
            Assert.Equal(_content, File.ReadAllBytes(Target));
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task A_transfer_that_keeps_failing_stops_cleanly_and_a_later_call_resumes_it()
        {
            using var server = new LoopbackHttpServer(_content) { Drops = 2, CutAfter = 50_000 };

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                Downloader(attempts: 2).DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None));

            Assert.Equal("ImageDownloadInterrupted", error.ErrorId);
            Assert.Contains(ImageDownloader.PartialPath(Target), error.Message);
            Assert.False(File.Exists(Target));
            Assert.Equal(100_000, new FileInfo(ImageDownloader.PartialPath(Target)).Length);

            await Downloader().DownloadAsync(server.Address(), Target, _sha256, null, CancellationToken.None);

            Assert.Equal(_content, File.ReadAllBytes(Target));
            Assert.Equal("bytes=100000-", server.Requests.Last().Range);
            Assert.False(File.Exists(ImageDownloader.PartialPath(Target)));
        }

        [Fact]
        public async Task A_cancelled_download_leaves_no_final_file()
        {
            using var server = new LoopbackHttpServer(_content) { Stall = true, CutAfter = 20_000 };
            using var cancel = new CancellationTokenSource();
            var progress = new Recorder(p =>
            {
                if (p.BytesReceived >= 20_000)
                {
                    cancel.Cancel();
                }
            });

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                Downloader().DownloadAsync(server.Address(), Target, _sha256, progress, cancel.Token));

            Assert.False(File.Exists(Target));
            Assert.Single(server.Requests);
        }

        [Fact]
        public async Task A_missing_image_is_a_not_found_error_naming_the_status()
        {
            using var server = new LoopbackHttpServer(_content);

            var error = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                Downloader().DownloadAsync(server.Address("/missing"), Target, _sha256, null, CancellationToken.None));

            Assert.Equal("ImageDownloadFailed", error.ErrorId);
            Assert.Equal(EngineErrorKind.NotFound, error.Kind);
            Assert.Contains("404", error.Message);
            Assert.False(File.Exists(Target));
        }

        [Fact]
        public async Task Fetch_caches_under_the_checksum_and_requires_one_for_an_address()
        {
            using var server = new LoopbackHttpServer(_content);
            var cache = Path.Combine(_folder, "cache");

            var path = await Downloader().FetchAsync(server.Address().ToString(), _sha256, cache, null, CancellationToken.None);

            Assert.Equal(Path.Combine(cache, _sha256.Hex.Substring(0, 12) + "-rootfs.tar.gz"), path);
            var error = await Assert.ThrowsAsync<InvalidSpecException>(() =>
                Downloader().FetchAsync(server.Address().ToString(), null, cache, null, CancellationToken.None));
            Assert.Equal("ImageChecksumRequired", error.ErrorId);
        }

        [Fact]
        public async Task A_local_file_is_checked_in_place()
        {
            File.WriteAllBytes(Target, _content);

            Assert.Equal(Path.GetFullPath(Target), await Downloader().FetchAsync(Target, _sha256, _folder, null, CancellationToken.None));
            Assert.Equal(Path.GetFullPath(Target), await Downloader().FetchAsync(Target, null, _folder, null, CancellationToken.None));
            var sha512 = Checksum.Parse(Hex(SHA512.HashData(_content)));
            Assert.Equal("SHA512", sha512.Algorithm);
            await Downloader().FetchAsync(new Uri(Path.GetFullPath(Target)).ToString(), sha512, _folder, null, CancellationToken.None);

            var mismatch = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                Downloader().FetchAsync(Target, Checksum.Parse(new string('a', 64)), _folder, null, CancellationToken.None));
            Assert.Equal("ImageChecksumMismatch", mismatch.ErrorId);
            var missing = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                Downloader().FetchAsync(Path.Combine(_folder, "nope.tar"), null, _folder, null, CancellationToken.None));
            Assert.Equal("ImageFileNotFound", missing.ErrorId);
        }

        [Fact]
        public async Task A_checksum_is_read_from_the_publishers_list()
        {
            var sha512 = Hex(SHA512.HashData(_content));
            using var server = new LoopbackHttpServer(System.Text.Encoding.ASCII.GetBytes(
                $"{new string('1', 128)}  debian-12-genericcloud-amd64.qcow2\n{sha512}  debian-12-genericcloud-amd64.raw\n"));

            var checksum = await Downloader().GetListedChecksumAsync(server.Address("/SHA512SUMS"), "debian-12-genericcloud-amd64.raw", CancellationToken.None);

            Assert.Equal("SHA512", checksum.Algorithm);
            Assert.Equal(sha512, checksum.Hex);
            var error = await Assert.ThrowsAsync<ContainerEngineException>(() =>
                Downloader().GetListedChecksumAsync(server.Address("/SHA512SUMS"), "other.raw", CancellationToken.None));
            Assert.Equal("ImageChecksumNotListed", error.ErrorId);
        }

        [Theory]
        [InlineData("sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", "SHA256")]
        [InlineData("  abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789 ", "SHA256")]
        public void Checksums_parse_with_or_without_a_prefix(string text, string algorithm)
        {
            var checksum = Checksum.Parse(text);
            Assert.Equal(algorithm, checksum.Algorithm);
            Assert.Equal("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", checksum.Hex);
        }

        [Theory]
        [InlineData("")]
        [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
        [InlineData("sha256:abc")]
        [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
        public void Bad_checksums_are_rejected(string text)
        {
            Assert.Equal("InvalidChecksum", Assert.Throws<InvalidSpecException>(() => Checksum.Parse(text)).ErrorId);
        }
    }
}
