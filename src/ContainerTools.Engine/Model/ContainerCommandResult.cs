using System;
using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>
    /// What Invoke-ContainerCommand returns for one command run in a container (docker exec): its output lines and
    /// exit code, shaped like Invoke-ContainerImage's ContainerRunResult. A detached command (-Detach) has no output
    /// and no exit code yet (ExitCode is null, Succeeded false).
    /// </summary>
    public sealed class ContainerCommandResult
    {
        internal ContainerCommandResult(Container container, string execId, IReadOnlyList<string> command, long? exitCode, IReadOnlyList<string> output,
            IReadOnlyList<string> errorOutput, TimeSpan duration, bool detached)
        {
            Name = container.Name;
            ContainerId = container.Id;
            Engine = container.Engine;
            ExecId = execId;
            Command = command;
            ExitCode = exitCode;
            Output = output;
            ErrorOutput = errorOutput;
            Duration = duration;
            Detached = detached;
        }

        /// <summary>The container's name.</summary>
        public string Name { get; }

        public string ContainerId { get; }

        /// <summary>The engine's id of this exec instance (GET /exec/{id}/json).</summary>
        public string ExecId { get; }

        public IReadOnlyList<string> Command { get; }

        /// <summary>The command's exit code, as docker exec reports it; null while a detached command has not been waited for.</summary>
        public long? ExitCode { get; }

        public bool Succeeded => ExitCode == 0;

        /// <summary>Standard output, one string per line (with a TTY, everything the terminal showed).</summary>
        public IReadOnlyList<string> Output { get; }

        /// <summary>Standard error, one string per line (empty with a TTY).</summary>
        public IReadOnlyList<string> ErrorOutput { get; }

        public TimeSpan Duration { get; }

        /// <summary>True when the command was started with -Detach and left running.</summary>
        public bool Detached { get; }

        public ContainerEngineConnection Engine { get; }

        /// <summary>The command line as docker ps shows a command.</summary>
        public string CommandText => string.Join(" ", Command);
    }
}
