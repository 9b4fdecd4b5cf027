using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;

namespace ContainerTools.Engine.Build
{
    /// <summary>
    /// The engine's classic builder: POST /build?version=1 with the context tar streamed as the request body (chunked,
    /// no length known in advance), then the engine's JSON message stream read as it comes. Intermediate containers are
    /// always removed (rm=1, forcerm=1: also after a failed step). The image id comes from the aux message.
    /// </summary>
    internal sealed class ClassicImageBuilder : IImageBuilder
    {
        private readonly ContainerEngineConnection _engine;

        public ClassicImageBuilder(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        public string Name => "classic";

        public Task<string> BuildAsync(ImageBuildRequest request, BuildReporter reporter, CancellationToken cancellationToken) =>
            EngineCall.RunAsync(_engine, "Image", request.Tags.FirstOrDefault()?.Familiar ?? request.Context.Directory, async c =>
            {
                using var content = new BuildContextContent(request.Context, total => reporter.Uploaded(total), cancellationToken);
                using var message = new HttpRequestMessage(HttpMethod.Post, c.ApiPath("/build" + Query(request))) { Content = content };
                if (request.RegistryCredentials.Count > 0)
                {
                    message.Headers.TryAddWithoutValidation("X-Registry-Config", RegistryConfigHeader(request));
                }

                HttpResponseMessage response;
                try
                {
                    response = await c.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (content.Failure != null)
                {
                    // Our side failed while sending (an unreadable file, a cancel): that, not the transport's echo of it.
                    ExceptionDispatchInfo.Capture(content.Failure).Throw();
                    throw;
                }
                catch (Exception e) when (content.BytesSent > 0 && !cancellationToken.IsCancellationRequested && EngineClient.IsConnectionFailure(e, false))
                {
                    // The engine answered, then hung up mid-upload: it refused the request before reading it all, or failed.
                    throw new ContainerEngineException("BuildContextRejected", EngineErrorKind.OperationFailed,
                        $"The engine closed the connection after {content.BytesSent} bytes of the build context. It may have refused the request " +
                        "(check -Platform, -Network and -Target) or run out of disk space; its log says which.", request.Context.Directory, e);
                }

                using (response)
                {
                    if (content.Failure != null)
                    {
                        ExceptionDispatchInfo.Capture(content.Failure).Throw();
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                        throw RequestRefused(request, response.StatusCode, EngineCall.ApiMessage(text));
                    }

                    reporter.Uploaded(content.BytesSent, final: true);
                    var output = new BuildOutput(request, reporter);
                    using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    await JsonMessageStream.ReadAsync(stream, output.Handle, cancellationToken).ConfigureAwait(false);
                    output.Complete();
                    reporter.Finished();
                    return output.ImageId!;
                }
            }, cancellationToken);

        internal static string Query(ImageBuildRequest request)
        {
            var spec = request.Spec;
            var q = new StringBuilder("?version=1&rm=1&forcerm=1");
            foreach (var tag in request.Tags)
            {
                Add(q, "t", tag.Familiar);
            }

            Add(q, "dockerfile", request.Context.DockerfileName);
            if (spec.BuildArguments.Count > 0)
            {
                Add(q, "buildargs", JsonSerializer.Serialize(spec.BuildArguments));
            }

            if (spec.Labels.Count > 0)
            {
                Add(q, "labels", JsonSerializer.Serialize(spec.Labels));
            }

            if (!string.IsNullOrWhiteSpace(spec.Target))
            {
                Add(q, "target", spec.Target!.Trim());
            }

            if (spec.NoCache)
            {
                Add(q, "nocache", "1");
            }

            if (spec.Pull)
            {
                Add(q, "pull", "1");
            }

            if (!string.IsNullOrWhiteSpace(spec.Network))
            {
                Add(q, "networkmode", spec.Network!.Trim());
            }

            if (!string.IsNullOrWhiteSpace(spec.Platform))
            {
                Add(q, "platform", spec.Platform!.Trim());
            }

            return q.ToString();
        }

        private static void Add(StringBuilder q, string name, string value) => q.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));

        // X-Registry-Config: base64url JSON { "registry key": { username, password | identitytoken, serveraddress } }.
        private static string RegistryConfigHeader(ImageBuildRequest request)
        {
            var map = request.RegistryCredentials.ToDictionary(p => p.Key, p => p.Value.ToAuthConfig(p.Key));
            var json = JsonSerializer.Serialize(map);
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_');
        }

        // The engine refused the request as a whole (before any step): a Dockerfile that does not parse, an unknown target, …
        private ContainerEngineException RequestRefused(ImageBuildRequest request, HttpStatusCode status, string message)
        {
            var dockerfile = request.Context.DockerfilePath;
            var parse = Regex.Match(message, @"^(?:failed to parse dockerfile: )?dockerfile parse error (?:on )?line (\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            if (parse.Success)
            {
                var line = int.Parse(parse.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                return new ImageBuildException("DockerfileParseError", EngineErrorKind.SyntaxError,
                    $"{dockerfile}:{line}: the Dockerfile does not parse: {message}", message, dockerfile, 0, 0, null, null, null, line, Array.Empty<string>());
            }

            if (message.IndexOf("failed to reach build target", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ImageBuildException("BuildTargetNotFound", EngineErrorKind.InvalidArgument,
                    $"The Dockerfile {dockerfile} has no stage named '{request.Spec.Target}' ({message}). -Target names a stage: FROM image AS name.",
                    message, dockerfile, 0, 0, null, null, null, null, Array.Empty<string>());
            }

            return EngineCall.Translate(status, message, "Image", request.Tags.FirstOrDefault()?.Familiar ?? request.Context.Directory, null);
        }

        /// <summary>The build's message stream: lines, steps, the aux image id, the error of a failed step.</summary>
        private sealed class BuildOutput
        {
            private static readonly Regex StepLine = new Regex(@"^Step (\d+)/(\d+) : (.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
            private readonly ImageBuildRequest _request;
            private readonly BuildReporter _reporter;
            private readonly StringBuilder _partial = new StringBuilder();
            private readonly Queue<string> _tail = new Queue<string>();
            private string? _stepText;

            public BuildOutput(ImageBuildRequest request, BuildReporter reporter)
            {
                _request = request;
                _reporter = reporter;
            }

            public string? ImageId { get; private set; }

            public void Handle(JsonMessage message)
            {
                if (message.Stream != null)
                {
                    Append(message.Stream);
                }

                if (message.Aux != null && message.Aux.Value.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    ImageId = id.GetString();
                }

                if (message.Status != null && message.Current == null)
                {
                    _reporter.Line(ImageBuildMessageKind.Status, string.IsNullOrEmpty(message.Id) ? message.Status : message.Id + ": " + message.Status);
                }

                if (message.Error != null)
                {
                    FlushPartial();
                    throw Failed(message.Error, message.ErrorCode);
                }
            }

            public void Complete()
            {
                FlushPartial();
                if (string.IsNullOrEmpty(ImageId))
                {
                    throw new ContainerEngineException("ImageBuildIncomplete", EngineErrorKind.OperationFailed,
                        "The engine ended the build without reporting an image id (the connection may have been cut). Build again.",
                        _request.Context.DockerfilePath);
                }
            }

            private void Append(string text)
            {
                var start = 0;
                for (var i = 0; i < text.Length; i++)
                {
                    if (text[i] == '\n')
                    {
                        _partial.Append(text, start, i - start);
                        Line(_partial.ToString().TrimEnd('\r'));
                        _partial.Clear();
                        start = i + 1;
                    }
                }

                _partial.Append(text, start, text.Length - start);
            }

            private void FlushPartial()
            {
                if (_partial.Length > 0)
                {
                    Line(_partial.ToString().TrimEnd('\r'));
                    _partial.Clear();
                }
            }

            private void Line(string line)
            {
                var step = StepLine.Match(line);
                if (step.Success)
                {
                    _tail.Clear();
                    _stepText = step.Groups[3].Value;
                    _reporter.StepStarted(int.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                        int.Parse(step.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), _stepText);
                    _reporter.Line(ImageBuildMessageKind.Step, line);
                    return;
                }

                if (line.StartsWith(" ---> ", StringComparison.Ordinal) || line.StartsWith("Removing intermediate container ", StringComparison.Ordinal) ||
                    line.StartsWith("Successfully built ", StringComparison.Ordinal) || line.StartsWith("Successfully tagged ", StringComparison.Ordinal))
                {
                    _reporter.Line(ImageBuildMessageKind.Builder, line);
                    return;
                }

                if (line.StartsWith("[Warning]", StringComparison.OrdinalIgnoreCase))
                {
                    _reporter.Line(ImageBuildMessageKind.Warning, line);
                    return;
                }

                _tail.Enqueue(line);
                if (_tail.Count > 10)
                {
                    _tail.Dequeue();
                }

                _reporter.Line(ImageBuildMessageKind.Output, line);
            }

            private ImageBuildException Failed(string engineMessage, int? code)
            {
                var dockerfile = _request.Context.DockerfilePath;
                var step = _reporter.Step;
                var count = _reporter.StepCount;
                var instruction = _request.Dockerfile.Step(step);
                var nonZero = Regex.Match(engineMessage, @"returned a non-zero code: (\d+)", RegexOptions.CultureInvariant);
                var exitCode = nonZero.Success ? int.Parse(nonZero.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
                string where;
                if (step == 0)
                {
                    where = $"The build of {dockerfile} failed before its first step";
                }
                else if (instruction == null)
                {
                    where = $"Step {step}/{count} ({_stepText}, added by the builder) of {dockerfile} failed";
                }
                else
                {
                    where = $"Step {step}/{count} of {dockerfile} failed at {instruction.LineText} ({Shorten(instruction.Text)})";
                }

                var tail = _tail.ToList();
                var message = $"{where}: {engineMessage.TrimEnd('.')}.";
                if (tail.Count > 0)
                {
                    message += " Its last output: " + string.Join(" | ", tail.Skip(Math.Max(0, tail.Count - 3)));
                }

                return new ImageBuildException("ImageBuildFailed", EngineErrorKind.OperationFailed, message, engineMessage, dockerfile,
                    step, count, instruction, _stepText, exitCode ?? (nonZero.Success ? code : null), null, tail);
            }

            private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
        }
    }

    /// <summary>
    /// The request body of a classic build: the context tar, written straight into the transport stream as the engine
    /// reads it (no length, so chunked). Remembers its own failure, so the caller reports that and not the broken
    /// connection it causes, and counts the bytes handed over.
    /// </summary>
    internal sealed class BuildContextContent : HttpContent
    {
        private readonly BuildContext _context;
        private readonly Action<long> _onWritten;
        private readonly CancellationToken _cancellationToken;

        public BuildContextContent(BuildContext context, Action<long> onWritten, CancellationToken cancellationToken)
        {
            _context = context;
            _onWritten = onWritten;
            _cancellationToken = cancellationToken;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        }

        public Exception? Failure { get; private set; }

        public long BytesSent { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                await _context.WriteToAsync(stream, total =>
                {
                    BytesSent = total;
                    _onWritten(total);
                }, _cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is IOException) || _cancellationToken.IsCancellationRequested)
            {
                // File system trouble arrives as engine errors; a bare IOException here is the transport's (the engine
                // went away), left for the caller to report as such.
                Failure = _cancellationToken.IsCancellationRequested ? new OperationCanceledException(_cancellationToken) : e;
                throw;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
