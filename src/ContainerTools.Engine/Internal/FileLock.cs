using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Internal
{
    /// <summary>
    /// An inter-process lock: a file opened for one holder alone (FileShare.None fails a second open on Windows, and .NET
    /// takes flock LOCK_EX on Linux), retried until the timeout, released when disposed or when its holder dies. The file stays.
    /// </summary>
    internal static class FileLock
    {
        private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(50);

        /// <summary>Waits for the lock; a ContainerEngineException (MachineStoreLocked, Timeout) names what holds it after the timeout.</summary>
        public static async Task<IDisposable> AcquireAsync(string file, string holderDescription, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (waited.Elapsed < timeout)
                {
                    await Task.Delay(Retry, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new ContainerEngineException("MachineStoreLocked", EngineErrorKind.Timeout,
                        $"{holderDescription} holds the lock {file} and did not finish within {timeout.TotalSeconds:0} seconds. Try again when it has finished.", file, e);
                }
            }
        }
    }
}
