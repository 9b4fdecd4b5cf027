using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ContainerTools.Host;

namespace ContainerTools.Bench
{
    /// <summary>A hosted PowerShell 7 runspace with the built module imported (ctpwsh's ScriptRunner), for scripts as users write them.</summary>
    internal sealed class PowerShellSession : IDisposable
    {
        private readonly ScriptRunner _runner;

        public PowerShellSession(string modulePath)
        {
            _runner = new ScriptRunner(modulePath, TextWriter.Null, Console.Error);
        }

        /// <summary>
        /// Runs script text with the given variables set; returns its output. A terminating error or any error record
        /// fails the measurement (a benchmark of errors measures nothing). Cancelling stops the pipeline.
        /// </summary>
        public Collection<PSObject> Invoke(string script, IReadOnlyDictionary<string, object> variables, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (name, value) in variables)
            {
                _runner.Runspace.SessionStateProxy.SetVariable(name, value);
            }

            using var ps = PowerShell.Create();
            ps.Runspace = _runner.Runspace;
            ps.AddScript(script);
            Collection<PSObject> results;
            using (cancellationToken.Register(() => ps.BeginStop(null, null)))
            {
                try
                {
                    results = ps.Invoke();
                }
                catch (PipelineStoppedException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (RuntimeException e)
                {
                    throw new InvalidOperationException("The script failed: " + e.ErrorRecord, e);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (ps.Streams.Error.Count > 0)
            {
                throw new InvalidOperationException($"The script wrote {ps.Streams.Error.Count} error(s); the first: {ps.Streams.Error.First()}");
            }

            return results;
        }

        public void Dispose() => _runner.Dispose();
    }
}
