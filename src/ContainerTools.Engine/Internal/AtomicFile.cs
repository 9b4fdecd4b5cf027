using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using Docker.DotNet;

namespace ContainerTools.Engine.Internal
{
    /// <summary>
    /// A file written completely or not at all: the content goes to a temporary file in the same folder, which is
    /// moved into place only when everything was written, and removed after a failure or a cancel.
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>Fails early, before the engine is asked anything, when the folder is missing or the file exists (without overwrite).</summary>
        public static string CheckTarget(string path, bool overwrite, string parameterHint)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full);
            if (directory == null || !Directory.Exists(directory))
            {
                throw new InvalidSpecException("ExportFolderNotFound", $"The folder '{directory}' does not exist. Create it first, or choose another {parameterHint}.", path);
            }

            if (Directory.Exists(full))
            {
                throw new InvalidSpecException("ExportPathIsFolder", $"'{full}' is a folder. Give the name of the file to write in {parameterHint}.", path);
            }

            if (!overwrite && File.Exists(full))
            {
                throw new ContainerEngineException("ExportFileExists", EngineErrorKind.Conflict,
                    $"The file '{full}' already exists. Use -Force to replace it, or choose another {parameterHint}.", path);
            }

            return full;
        }

        /// <summary>
        /// GETs an engine answer (docker export, docker save) straight into the file, completely or not at all; a cancel
        /// closes the body at once and ends as a cancel, the temporary file removed. Run inside EngineCall.RunAsync.
        /// </summary>
        public static async Task DownloadAsync(EngineClient client, string apiPathAndQuery, string path, bool overwrite, IProgress<long>? bytesWritten,
            CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, client.ApiPath(apiPathAndQuery));
            using var response = await EngineCall.SendAsync(client, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            }

            using var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using (cancellationToken.Register(() => source.Dispose()))
            {
                try
                {
                    await WriteAsync(path, overwrite, source, bytesWritten, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }
        }

        /// <summary>Copies the source stream into the file, reporting the running byte count.</summary>
        public static async Task WriteAsync(string path, bool overwrite, Stream source, IProgress<long>? bytesWritten, CancellationToken cancellationToken)
        {
            var full = Path.GetFullPath(path);
            var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
            try
            {
                using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                {
                    var buffer = new byte[81920];
                    long total = 0;
                    int read;
                    while ((read = await source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await target.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                        total += read;
                        bytesWritten?.Report(total);
                    }

                    await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                if (File.Exists(full))
                {
                    if (!overwrite)
                    {
                        throw new ContainerEngineException("ExportFileExists", EngineErrorKind.Conflict,
                            $"The file '{full}' appeared while it was being written. Use -Force to replace it.", path);
                    }

                    // One rename: the old file is never missing, and never half replaced.
                    File.Replace(temp, full, null);
                }
                else
                {
                    File.Move(temp, full);
                }
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
