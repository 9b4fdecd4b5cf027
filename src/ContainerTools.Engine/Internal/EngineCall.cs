using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using Docker.DotNet;

namespace ContainerTools.Engine.Internal
{
    /// <summary>Runs one engine request and turns transport and API failures into our typed exceptions.</summary>
    internal static class EngineCall
    {
        public static async Task<T> RunAsync<T>(ContainerEngineConnection engine, string resourceKind, string? target,
            Func<EngineClient, Task<T>> call, CancellationToken cancellationToken)
        {
            var client = await engine.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await call(client).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                throw Translate(e.StatusCode, ApiMessage(e.ResponseBody), resourceKind, target, e);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && !(e is ContainerEngineException) &&
                                      EngineClient.IsConnectionFailure(e, timedOut: false))
            {
                throw EngineClient.Unreachable(engine.Endpoint, e, timedOut: false, client.Tls);
            }
        }

        public static Task RunAsync(ContainerEngineConnection engine, string resourceKind, string? target,
            Func<EngineClient, Task> call, CancellationToken cancellationToken) =>
            RunAsync<bool>(engine, resourceKind, target, async c =>
            {
                await call(c).ConfigureAwait(false);
                return true;
            }, cancellationToken);

        /// <summary>
        /// Sends a raw request and gives up when the token is cancelled, even while the transport is still waiting
        /// for the engine's answer (the library's unix-socket handler does not watch the token once it has sent);
        /// a late answer is disposed when it comes.
        /// </summary>
        public static async Task<HttpResponseMessage> SendAsync(EngineClient client, HttpRequestMessage request, HttpCompletionOption completion,
            CancellationToken cancellationToken)
        {
            var send = client.Http.SendAsync(request, completion, cancellationToken);
            if (!cancellationToken.CanBeCanceled)
            {
                return await send.ConfigureAwait(false);
            }

            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(send, cancelled.Task).ConfigureAwait(false) != send)
                {
                    _ = send.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            return await send.ConfigureAwait(false);
        }

        public static bool IsSuccess(HttpStatusCode status) => (int)status >= 200 && (int)status < 300;

        /// <summary>For raw requests: a status outside 2xx becomes the same typed error the library's exceptions become.</summary>
        public static void Check(HttpStatusCode status, string body, string resourceKind, string? target)
        {
            if (!IsSuccess(status))
            {
                throw Translate(status, ApiMessage(body), resourceKind, target, null);
            }
        }

        /// <summary>The engine's {"message": "..."} text, or the raw body.</summary>
        public static string ApiMessage(string? body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return "the engine gave no reason";
            }

            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(body!);
                if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                    doc.RootElement.TryGetProperty("message", out var message))
                {
                    return message.GetString() ?? body!.Trim();
                }
            }
            catch (System.Text.Json.JsonException)
            {
            }

            return body!.Trim();
        }

        public static ContainerEngineException Translate(HttpStatusCode status, string message, string resourceKind, string? target, Exception? inner)
        {
            switch (status)
            {
                case HttpStatusCode.NotFound:
                    // The engine also answers 404 for a missing image on create: say which thing is missing.
                    if (message.IndexOf("No such image", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        return new ResourceNotFoundException("Image", target ?? string.Empty,
                            $"{message}. The image is not on the engine: build it, or pull it with Install-ContainerImage.", inner);
                    }

                    return new ResourceNotFoundException(resourceKind, target ?? string.Empty,
                        $"No {resourceKind.ToLowerInvariant()} '{target}' on the engine ({message}).", inner);
                case HttpStatusCode.Conflict:
                    return new ContainerEngineException(resourceKind + "Conflict", EngineErrorKind.Conflict, Sentence(message), target, inner);
                case HttpStatusCode.BadRequest:
                    return new ContainerEngineException(resourceKind + "InvalidRequest", EngineErrorKind.InvalidArgument, Sentence(message), target, inner);
                case HttpStatusCode.Unauthorized:
                case HttpStatusCode.Forbidden:
                    return new ContainerEngineException("EngineAccessDenied", EngineErrorKind.AuthenticationFailed, Sentence(message), target, inner);
                default:
                    if (IsPortInUse(message))
                    {
                        return new ContainerEngineException("PortAlreadyAllocated", EngineErrorKind.Conflict,
                            Sentence(message) + " Choose another host port in -Publish, or stop what uses it.", target, inner);
                    }

                    return new ContainerEngineException(resourceKind + "OperationFailed", EngineErrorKind.OperationFailed,
                        $"The engine could not complete the request for {resourceKind.ToLowerInvariant()} '{target}': {message}", target, inner);
            }
        }

        private static bool IsPortInUse(string message) =>
            message.IndexOf("port is already allocated", StringComparison.OrdinalIgnoreCase) >= 0 ||
            message.IndexOf("address already in use", StringComparison.OrdinalIgnoreCase) >= 0;

        private static string Sentence(string message)
        {
            var m = message.Trim();
            if (m.Length == 0)
            {
                return m;
            }

            m = char.ToUpperInvariant(m[0]) + m.Substring(1);
            return m.EndsWith(".", StringComparison.Ordinal) ? m : m + ".";
        }
    }
}
