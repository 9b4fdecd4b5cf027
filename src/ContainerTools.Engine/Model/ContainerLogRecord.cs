using System;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>Which output of a container a log line came from; as a selection, All is both.</summary>
    [Flags]
    public enum ContainerLogStream
    {
        Stdout = 1,
        Stderr = 2,
        All = Stdout | Stderr,
    }

    /// <summary>One line of a container's log (docker logs -t), labelled with the container it came from.</summary>
    public sealed class ContainerLogRecord
    {
        internal ContainerLogRecord(ContainerEngineConnection engine, string container, string containerId, ContainerLogStream stream,
            DateTimeOffset timestamp, string message)
        {
            Engine = engine;
            Container = container;
            ContainerId = containerId;
            Stream = stream;
            Timestamp = timestamp;
            Message = message;
        }

        /// <summary>The container's name (without docker's leading '/').</summary>
        public string Container { get; }

        /// <summary>The container's name again, under the name the container cmdlets bind from piped objects (-Name).</summary>
        public string Name => Container;

        /// <summary>The container's full id.</summary>
        public string ContainerId { get; }

        /// <summary>Stdout or Stderr (a TTY container has only Stdout).</summary>
        public ContainerLogStream Stream { get; }

        /// <summary>When the engine received the line.</summary>
        public DateTimeOffset Timestamp { get; }

        /// <summary>The line as the container wrote it, without the newline.</summary>
        public string Message { get; }

        /// <summary>The engine the container lives on.</summary>
        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Message;
    }
}
