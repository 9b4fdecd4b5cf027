using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Images;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>docker save / load / search through the engine core, checked with the docker CLI.</summary>
    public sealed class ImageArchiveAndSearchTests : IDisposable
    {
        private readonly string _repo = "ct-test/" + TestEngine.UniqueName("arc");
        private readonly string _dir = Directory.CreateTempSubdirectory("ct-archive-").FullName;
        private static ImageOperations Images => TestEngine.Connection.Images;

        public void Dispose()
        {
            var tags = TestEngine.Docker("images", _repo, "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (tags.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rmi" }.Concat(tags).ToArray());
            }

            Directory.Delete(_dir, true);
        }

        [Fact]
        public async Task Several_images_round_trip_through_one_archive()
        {
            await Images.TagAsync(TestEngine.Image, _repo + ":a");
            await Images.TagAsync(TestEngine.Image, _repo + ":b");
            var archive = Path.Combine(_dir, "images.tar");
            long lastReport = 0;
            await Images.ExportAsync(new[] { _repo + ":a", _repo + ":b" }, archive, false, new Progress(n => lastReport = n));
            Assert.Equal(new FileInfo(archive).Length, lastReport);
            Assert.Single(Directory.GetFiles(_dir)); // no partial file left

            TestEngine.Docker("rmi", _repo + ":a", _repo + ":b");
            var loaded = await Images.ImportAsync(archive);
            Assert.Equal(new[] { _repo + ":a", _repo + ":b" }, loaded.Select(r => r.Reference).OrderBy(r => r));
            Assert.Equal(TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", TestEngine.Image), TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", _repo + ":b"));

            // The docker CLI reads our archive too.
            TestEngine.Docker("rmi", _repo + ":a", _repo + ":b");
            Assert.Contains(_repo + ":a", TestEngine.Docker("load", "-i", archive));
        }

        [Fact]
        public async Task An_archive_saved_by_id_loads_as_the_untagged_image()
        {
            var id = TestEngine.Docker("image", "inspect", "-f", "{{.Id}}", TestEngine.Image);
            var archive = Path.Combine(_dir, "by-id.tar");
            await Images.ExportAsync(new[] { id }, archive);
            var row = Assert.Single(await Images.ImportAsync(archive));
            Assert.Equal(id, row.Id);
            Assert.Equal("<none>", row.Repository);
            Assert.Null(row.Reference);
        }

        [Fact]
        public async Task A_failed_export_leaves_no_file()
        {
            var archive = Path.Combine(_dir, "missing.tar");
            var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Images.ExportAsync(new[] { _repo + ":missing" }, archive));
            Assert.Equal("ImageNotFound", e.ErrorId);
            Assert.Empty(Directory.GetFiles(_dir));
            await Assert.ThrowsAsync<InvalidSpecException>(() => Images.ExportAsync(new[] { TestEngine.Image }, Path.Combine(_dir, "no", "such", "x.tar")));
        }

        [Fact]
        public async Task Importing_something_that_is_not_an_archive_is_a_clear_error()
        {
            var file = Path.Combine(_dir, "not.tar");
            File.WriteAllText(file, "hello");
            Assert.Equal("NotAnImageArchive", (await Assert.ThrowsAsync<InvalidSpecException>(() => Images.ImportAsync(file))).ErrorId);
            Assert.Equal("ImageArchiveNotFound", (await Assert.ThrowsAsync<InvalidSpecException>(() => Images.ImportAsync(file + ".gone"))).ErrorId);
        }

        [Fact]
        public async Task A_v2_registry_has_no_search_and_says_so()
        {
            var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Images.SearchAsync(TestEngine.Registry + "/ct"));
            Assert.Equal("RegistrySearchNotSupported", e.ErrorId);
            Assert.Equal(EngineErrorKind.NotSupported, e.Kind);
        }

        [Fact]
        public async Task Search_results_come_back_typed()
        {
            // A registry with the v1 search API on loopback; the engine asks it over plain HTTP (loopback is an insecure registry).
            using var server = new TcpListener(IPAddress.Loopback, 0);
            server.Start();
            var port = ((IPEndPoint)server.LocalEndpoint).Port;
            var serve = Task.Run(async () =>
            {
                for (var i = 0; i < 10; i++)
                {
                    using var client = await server.AcceptTcpClientAsync();
                    using var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var read = await stream.ReadAsync(buffer);
                    var request = Encoding.ASCII.GetString(buffer, 0, read);
                    string body;
                    if (request.StartsWith("GET /v1/_ping", StringComparison.Ordinal))
                    {
                        body = "true";
                    }
                    else if (request.StartsWith("GET /v1/search", StringComparison.Ordinal))
                    {
                        body = "{\"num_results\":2,\"query\":\"tools\",\"results\":[{\"name\":\"ct/tools\",\"description\":\"our tools\",\"star_count\":7,\"is_official\":true,\"is_automated\":false},{\"name\":\"ct/other\",\"description\":\"\",\"star_count\":0,\"is_official\":false,\"is_automated\":true}]}";
                    }
                    else
                    {
                        continue; // a TLS hello first: drop it, the engine then falls back to HTTP
                    }

                    var response = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(response));
                    if (body != "true")
                    {
                        return;
                    }
                }
            });
            var hits = await Images.SearchAsync($"127.0.0.1:{port}/tools", 5);
            await serve;
            Assert.Equal(2, hits.Count);
            Assert.Equal("ct/tools", hits[0].Name);
            Assert.Equal(7, hits[0].Stars);
            Assert.True(hits[0].Official);
            Assert.True(hits[1].Automated);
        }

        private sealed class Progress : IProgress<long>
        {
            private readonly Action<long> _report;

            public Progress(Action<long> report)
            {
                _report = report;
            }

            public void Report(long value) => _report(value);
        }
    }
}
