using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Bench
{
    /// <summary>Runs the docker CLI, one process per call, as a script loop does; the running one is killed on cancel.</summary>
    internal sealed class DockerCli
    {
        private readonly string _executable;
        private readonly string _host;
        private Process? _current;

        public DockerCli(string executable, string host)
        {
            _executable = executable;
            _host = host;
        }

        /// <summary>Runs docker with the arguments (as separate argv entries, never a joined string); returns stdout, throws on a non-zero exit.</summary>
        public Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) => RunAsync(arguments, null, cancellationToken);

        /// <summary>As RunAsync, with extra environment variables for this one process (e.g. DOCKER_BUILDKIT=0).</summary>
        public async Task<string> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(_executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["DOCKER_HOST"] = _host;
            start.Environment.Remove("DOCKER_CONTEXT");
            if (environment != null)
            {
                foreach (var (name, value) in environment)
                {
                    start.Environment[name] = value;
                }
            }
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_executable}.");
            _current = process;
            try
            {
                // Read both streams while it runs (never after WaitForExit: a full pipe would block it).
                var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
                using (cancellationToken.Register(() => KillQuietly(process)))
                {
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                var output = await stdout.ConfigureAwait(false);
                var error = await stderr.ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"docker {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Trim()}");
                }

                return output;
            }
            finally
            {
                _current = null;
            }
        }

        /// <summary>
        /// Runs docker with its standard output and error going to /dev/null (as `docker ... &gt;/dev/null 2&gt;&amp;1` in a shell:
        /// through sh's exec, so the measured process is docker itself and nothing reads its output); throws on a non-zero exit.
        /// </summary>
        public async Task RunToNullAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("exec \"$0\" \"$@\" >/dev/null 2>&1");
            start.ArgumentList.Add(_executable);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["DOCKER_HOST"] = _host;
            start.Environment.Remove("DOCKER_CONTEXT");
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_executable}.");
            _current = process;
            try
            {
                using (cancellationToken.Register(() => KillQuietly(process)))
                {
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"docker {string.Join(' ', arguments)} exited with {process.ExitCode}.");
                }
            }
            finally
            {
                _current = null;
            }
        }

        /// <summary>Kills the docker process this instance started and that still runs (Ctrl+C).</summary>
        public void KillCurrent()
        {
            var process = _current;
            if (process != null)
            {
                KillQuietly(process);
            }
        }

        private static void KillQuietly(Process process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }
    }
}
