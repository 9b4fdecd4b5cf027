using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Internal;

namespace ContainerTools.Completion
{
    /// <summary>Shared rules for completers: strip quotes, prefix match, quote results that need it, never block the prompt for long.</summary>
    internal static class CompletionHelper
    {
        /// <summary>How long a completer may ask the engine before it gives up silently.</summary>
        public static readonly TimeSpan TimeBox = TimeSpan.FromMilliseconds(1500);

        public static string Unquote(string? word) => (word ?? string.Empty).Trim('\'', '"');

        public static CompletionResult Result(string text, string tooltip)
        {
            var quoted = text.IndexOfAny(new[] { ' ', '$', '`', '\'', '"', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#' }) >= 0
                ? "'" + text.Replace("'", "''") + "'"
                : text;
            return new CompletionResult(quoted, text, CompletionResultType.ParameterValue, tooltip);
        }

        /// <summary>The engine the command line being completed would use: its -Engine, else the session's.</summary>
        public static ContainerEngineConnection? EngineFor(IDictionary fakeBoundParameters)
        {
            try
            {
                var given = fakeBoundParameters?["Engine"];
                var value = given is PSObject pso ? pso.BaseObject : given;
                return value switch
                {
                    ContainerEngineConnection c => c,
                    string s => ContainerEngineConnection.FromArgument(s),
                    _ => SessionEngine.Resolve(null),
                };
            }
            catch (ContainerEngineException)
            {
                return null;
            }
        }
    }

    /// <summary>Completion from the live engine: a time-boxed list call, prefix match, sorted; silence on any failure.</summary>
    internal static class EngineCompletion
    {
        public static IEnumerable<CompletionResult> Complete(IDictionary fakeBoundParameters, string wordToComplete,
            Func<ContainerEngineConnection, CancellationToken, IEnumerable<(string Text, string Tooltip)>> candidates)
        {
            var engine = CompletionHelper.EngineFor(fakeBoundParameters);
            if (engine == null)
            {
                return Array.Empty<CompletionResult>();
            }

            var prefix = CompletionHelper.Unquote(wordToComplete);
            try
            {
                using var timeBox = new CancellationTokenSource(CompletionHelper.TimeBox);
                return candidates(engine, timeBox.Token)
                    .Where(c => c.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .GroupBy(c => c.Text, StringComparer.Ordinal)
                    .Select(g => g.First())
                    .OrderBy(c => c.Text, StringComparer.OrdinalIgnoreCase)
                    .Select(c => CompletionHelper.Result(c.Text, c.Tooltip))
                    .ToList();
            }
            catch (Exception e) when (e is ContainerEngineException || e is OperationCanceledException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }

    /// <summary>Completes container names from the live engine.</summary>
    public sealed class ContainerNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                engine.Containers.ListAsync(null, ct).GetAwaiter().GetResult().Select(c => (c.Name, $"{c.Name} ({c.State}, {c.Image})")));
    }

    /// <summary>Completes image references (repository:tag) from the live engine.</summary>
    public sealed class ImageNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                engine.Images.ListAsync(null, ct).GetAwaiter().GetResult().Where(i => i.Reference != null).Select(i => (i.Reference!, "image " + i.Reference)));
    }

    /// <summary>Completes -Engine and -Context with the docker CLI's context names (read from disk, no engine call).</summary>
    public sealed class EngineCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = CompletionHelper.Unquote(wordToComplete);
            try
            {
                var names = new[] { DockerContextStore.DefaultContextName }
                    .Concat(new DockerContextStore(EngineEnvironment.Current).List().Select(c => c.Name));
                return names
                    .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Distinct(StringComparer.Ordinal)
                    .Select(n => CompletionHelper.Result(n, "docker context " + n))
                    .ToList();
            }
            catch (ContainerEngineException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }

    /// <summary>Completes network names from the live engine.</summary>
    public sealed class NetworkNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                engine.Networks.ListAsync(null, ct).GetAwaiter().GetResult().Select(n => (n.Name, $"{n.Name} ({n.Driver}{(n.Subnet != null ? ", " + n.Subnet : string.Empty)})")));
    }

    /// <summary>Completes volume names from the live engine; in 'name:/path' values only the name part, before the colon.</summary>
    public sealed class VolumeNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var word = CompletionHelper.Unquote(wordToComplete);
            if (word.IndexOf(':') >= 0 || word.StartsWith("/", StringComparison.Ordinal) || word.StartsWith(".", StringComparison.Ordinal))
            {
                return Array.Empty<CompletionResult>(); // a path or the container side of name:/path: not ours to complete
            }

            return EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                engine.Volumes.ListAsync(null, ct).GetAwaiter().GetResult().Select(v => (v.Name, $"{v.Name} ({v.Driver})")));
        }
    }

    /// <summary>Copy-ContainerItem paths: a word without ':' or separators completes to container names with ':' after them; else the default (file) completion.</summary>
    public sealed class ContainerPathCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var word = CompletionHelper.Unquote(wordToComplete);
            if (word.IndexOfAny(new[] { ':', '/', '\\', '.', '~', '*' }) >= 0)
            {
                return null!; // nothing of ours: PowerShell completes files and folders
            }

            return EngineCompletion.Complete(fakeBoundParameters, word, (engine, ct) =>
                engine.Containers.ListAsync(null, ct).GetAwaiter().GetResult().Select(c => (c.Name + ":/", $"{c.Name} ({c.State}, {c.Image})")));
        }
    }
}

namespace ContainerTools.Completion
{
    /// <summary>Completes machine names from the per-user machine store (files only: no engine is asked).</summary>
    public sealed class MachineNameCompleter : System.Management.Automation.IArgumentCompleter
    {
        public IEnumerable<System.Management.Automation.CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = CompletionHelper.Unquote(wordToComplete);
            try
            {
                return ContainerTools.Engine.Machines.MachineStore.Default().List()
                    .Where(m => m.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(m => CompletionHelper.Result(m.Name, $"{m.Name} ({m.Provider})"))
                    .ToList();
            }
            catch (Exception e) when (e is ContainerEngineException || e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                return Array.Empty<System.Management.Automation.CompletionResult>();
            }
        }
    }
}

namespace ContainerTools.Completion
{
    /// <summary>Completes compose project names from the live engine (the com.docker.compose.project label of its containers).</summary>
    public sealed class ProjectNameCompleter : System.Management.Automation.IArgumentCompleter
    {
        public System.Collections.Generic.IEnumerable<System.Management.Automation.CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
            EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                ContainerTools.Engine.Compose.ComposeProjectSummary.ListAsync(engine, ct).GetAwaiter().GetResult()
                    .Select(p => (p.Name, $"{p.Name} ({p.Status})")));
    }

    /// <summary>Completes swarm service names from the live engine (nothing when it manages no swarm).</summary>
    public sealed class ServiceNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                engine.Services.ListAsync(null, null, ct).GetAwaiter().GetResult().Select(s => (s.Name, $"{s.Name} ({s.ReplicaStatus}, {s.Image})")));
    }

    /// <summary>Stack names on the swarm (docker stack ls).</summary>
    public sealed class StackNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            EngineCompletion.Complete(fakeBoundParameters, wordToComplete, (engine, ct) =>
                engine.Stacks.ListAsync(null, ct).GetAwaiter().GetResult().Select(s => (s.Name, $"{s.Name} ({s.Services} services)")));
    }
}
