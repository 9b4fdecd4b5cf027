using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using ContainerTools.Host;
using PS = System.Management.Automation.PowerShell;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>What one PowerShell invocation produced: objects, and the ErrorRecords it wrote or threw.</summary>
    public sealed class PowerShellResult
    {
        public PowerShellResult(IReadOnlyList<PSObject> output, IReadOnlyList<ErrorRecord> errors, IReadOnlyList<string> warnings,
            IReadOnlyList<string> verbose, Exception? terminating, IReadOnlyList<ProgressRecord>? progress = null,
            IReadOnlyList<InformationRecord>? information = null)
        {
            Progress = progress ?? Array.Empty<ProgressRecord>();
            Information = information ?? Array.Empty<InformationRecord>();
            Output = output;
            Errors = errors;
            Warnings = warnings;
            Verbose = verbose;
            Terminating = terminating;
        }

        public IReadOnlyList<PSObject> Output { get; }

        public IReadOnlyList<ErrorRecord> Errors { get; }

        public IReadOnlyList<string> Warnings { get; }

        public IReadOnlyList<string> Verbose { get; }

        public IReadOnlyList<ProgressRecord> Progress { get; }

        public IReadOnlyList<InformationRecord> Information { get; }

        public Exception? Terminating { get; }

        /// <summary>The base objects of the output.</summary>
        public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

        /// <summary>Every ErrorRecord, including the terminating one.</summary>
        public IEnumerable<ErrorRecord> AllErrors =>
            Errors.Concat(Terminating is IContainsErrorRecord r ? new[] { r.ErrorRecord } : Array.Empty<ErrorRecord>());

        /// <summary>Throws with the errors' text when the invocation wrote or threw any error.</summary>
        public PowerShellResult AssertSuccess()
        {
            var all = AllErrors.ToList();
            if (all.Count > 0)
            {
                throw new Xunit.Sdk.XunitException("PowerShell reported errors:\n" +
                    string.Join("\n", all.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
            }

            return this;
        }
    }

    /// <summary>
    /// A real PowerShell runspace (System.Management.Automation 7.6) with the built module imported by its
    /// .psd1, as a user imports it. DOCKER_HOST points at the test engine, so cmdlets without -Engine use it.
    /// </summary>
    public sealed class PowerShellSession : IDisposable
    {
        private readonly Runspace _runspace;
        private readonly StringWriter _hostOutput = new StringWriter();

        public PowerShellSession()
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", TestEngine.Host);
            Environment.SetEnvironmentVariable("DOCKER_CONTEXT", null);
            var host = new ConsoleHost(_hostOutput, _hostOutput, 200);
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { TestEngine.ModuleManifest });
            _runspace = RunspaceFactory.CreateRunspace(host, state);
            _runspace.Open();
            Invoke("$PSStyle.OutputRendering = 'PlainText'").AssertSuccess();
        }

        public Runspace Runspace => _runspace;

        /// <summary>Runs script text; parameters are available as $args[0..] and as variables by name.</summary>
        public PowerShellResult Invoke(string script, IDictionary? variables = null)
        {
            using var ps = PS.Create();
            ps.Runspace = _runspace;
            if (variables != null)
            {
                foreach (DictionaryEntry v in variables)
                {
                    _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
                }
            }

            ps.AddScript(script);
            Collection<PSObject> output = new Collection<PSObject>();
            Exception? terminating = null;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException e)
            {
                terminating = e;
            }

            return new PowerShellResult(output.ToList(), ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
                ps.Streams.Verbose.Select(v => v.Message).ToList(), terminating, ps.Streams.Progress.ToList(), ps.Streams.Information.ToList());
        }

        /// <summary>Runs script text and returns what Out-String renders (through the module's format views).</summary>
        public string Render(string script)
        {
            var result = Invoke(script + " | Out-String -Width 200").AssertSuccess();
            return string.Concat(result.Output.Select(o => o.BaseObject as string));
        }

        public void Dispose() => _runspace.Dispose();
    }
}
