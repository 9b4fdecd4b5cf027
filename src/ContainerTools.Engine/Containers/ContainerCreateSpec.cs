using System;
using System.Collections.Generic;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Containers
{
    /// <summary>Everything New-Container and Invoke-ContainerImage can say, in docker's own value syntaxes.</summary>
    public sealed class ContainerCreateSpec
    {
        public string Image { get; set; } = string.Empty;

        public string? Name { get; set; }

        public IList<string>? Command { get; set; }

        public IList<string>? Entrypoint { get; set; }

        /// <summary>Variables to set; a null value passes the variable through from the caller's environment.</summary>
        public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>Files in 'docker run --env-file' format, applied before Environment.</summary>
        public IList<string> EnvironmentFiles { get; } = new List<string>();

        public IList<string> Publish { get; } = new List<string>();

        public bool PublishAll { get; set; }

        public IList<string> Volumes { get; } = new List<string>();

        public IList<string> Mounts { get; } = new List<string>();

        public IList<string> Tmpfs { get; } = new List<string>();

        public string? Network { get; set; }

        public IList<string> NetworkAliases { get; } = new List<string>();

        public RestartPolicy? RestartPolicy { get; set; }

        public int? MaximumRetryCount { get; set; }

        /// <summary>Memory limit in docker's syntax ('512m') or bytes.</summary>
        public string? Memory { get; set; }

        public double? Cpus { get; set; }

        public string? User { get; set; }

        public string? WorkingDirectory { get; set; }

        public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public string? Hostname { get; set; }

        /// <summary>A shell command the engine runs to check health (CMD-SHELL).</summary>
        public string? HealthCommand { get; set; }

        /// <summary>The full healthcheck test as compose gives it (["CMD", args...], ["CMD-SHELL", command], ["NONE"]); used instead of HealthCommand.</summary>
        public IList<string>? HealthTest { get; set; }

        public TimeSpan? HealthInterval { get; set; }

        public TimeSpan? HealthTimeout { get; set; }

        public TimeSpan? HealthStartPeriod { get; set; }

        public int? HealthRetries { get; set; }

        public bool Init { get; set; }

        public bool ReadOnly { get; set; }

        public IList<string> CapAdd { get; } = new List<string>();

        public IList<string> CapDrop { get; } = new List<string>();

        public bool Privileged { get; set; }

        public bool Tty { get; set; }

        public bool Interactive { get; set; }

        public bool AutoRemove { get; set; }

        /// <summary>DNS servers (--dns).</summary>
        public IList<string> Dns { get; } = new List<string>();

        /// <summary>Entries for /etc/hosts, "host:ip" (--add-host).</summary>
        public IList<string> ExtraHosts { get; } = new List<string>();

        /// <summary>The signal that stops the container (--stop-signal), e.g. SIGINT.</summary>
        public string? StopSignal { get; set; }

        /// <summary>How long a stop waits before killing (--stop-timeout); whole seconds.</summary>
        public TimeSpan? StopTimeout { get; set; }

        /// <summary>The platform of the image to use (--platform), e.g. linux/amd64.</summary>
        public string? Platform { get; set; }

        /// <summary>What relative host paths in -Volume/-Mount/-EnvironmentFile are relative to.</summary>
        public string BaseDirectory { get; set; } = System.IO.Directory.GetCurrentDirectory();
    }

    /// <summary>Which containers Get-Container lists.</summary>
    public sealed class ContainerQuery
    {
        /// <summary>Name patterns with PowerShell-style wildcards (* ? [..]); any match counts.</summary>
        public IList<string> Names { get; } = new List<string>();

        /// <summary>Full ids or id prefixes.</summary>
        public IList<string> Ids { get; } = new List<string>();

        public IList<ContainerState> States { get; } = new List<ContainerState>();

        /// <summary>'key' or 'key=value'; all must match.</summary>
        public IList<string> Labels { get; } = new List<string>();
    }

    public enum WaitCondition
    {
        NotRunning,
        NextExit,
        Removed,
    }
}
