using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Wsl;

namespace ContainerTools.Tests.Machines
{
    /// <summary>Records every host command and answers from a script: the first rule that matches wins; else exit 0, no output.</summary>
    internal sealed class RecordingHostRunner : IHostCommandRunner
    {
        private readonly List<(Func<HostCommand, bool> Match, Func<HostCommand, HostCommandResult> Answer)> _rules =
            new List<(Func<HostCommand, bool>, Func<HostCommand, HostCommandResult>)>();

        public List<HostCommand> Commands { get; } = new List<HostCommand>();

        public RecordingHostRunner On(Func<HostCommand, bool> match, Func<HostCommand, HostCommandResult> answer)
        {
            _rules.Add((match, answer));
            return this;
        }

        public RecordingHostRunner On(Func<HostCommand, bool> match, int exitCode, string output = "", string error = "") =>
            On(match, _ => new HostCommandResult(exitCode, output, error));

        public Task<HostCommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
        {
            lock (Commands)
            {
                Commands.Add(command);
            }

            foreach (var rule in _rules)
            {
                if (rule.Match(command))
                {
                    return Task.FromResult(rule.Answer(command));
                }
            }

            return Task.FromResult(new HostCommandResult(0, string.Empty, string.Empty));
        }
    }

    internal sealed class RecordingLauncher : IBackgroundProcessLauncher
    {
        public List<HostCommand> Launched { get; } = new List<HostCommand>();

        public void Launch(HostCommand command) => Launched.Add(command);
    }
}
