using System;
using System.Collections.Generic;
using System.Linq;

namespace ContainerTools.Engine.Containers
{
    /// <summary>A command to run in a running container (docker exec): what runs, as whom, where, with which variables.</summary>
    public sealed class ContainerCommandSpec
    {
        public ContainerCommandSpec(IEnumerable<string> command)
        {
            Command = (command ?? throw new ArgumentNullException(nameof(command))).ToList();
        }

        /// <summary>The program and its arguments, one element each; no shell splits them unless the program is a shell.</summary>
        public IList<string> Command { get; }

        /// <summary>user, uid, user:group or uid:gid (docker exec -u); the container's user when null.</summary>
        public string? User { get; set; }

        /// <summary>The directory the command starts in (docker exec -w); the container's working directory when null.</summary>
        public string? WorkingDirectory { get; set; }

        /// <summary>Variables to set on top of the container's; a null value passes the variable through from the caller's environment.</summary>
        public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>Extended privileges for the command (docker exec --privileged).</summary>
        public bool Privileged { get; set; }

        /// <summary>Run the command on a pseudo-terminal (docker exec -t): stdout and stderr arrive as one stream.</summary>
        public bool Tty { get; set; }
    }
}
