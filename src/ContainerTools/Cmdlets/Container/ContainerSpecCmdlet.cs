using System;
using System.Collections;
using System.Management.Automation;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>The run options New-Container and Invoke-ContainerImage share, as real parameters in docker's value syntaxes.</summary>
    public abstract class ContainerSpecCmdlet : ContainerToolsCmdlet
    {
        /// <summary>The image to run: a name[:tag], name@digest or image id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>The container's name; the engine makes one up when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>The command and its arguments, one array element each (replaces the image's CMD).</summary>
        [Parameter(Position = 1)]
        public string[]? Command { get; set; }

        /// <summary>Replaces the image's ENTRYPOINT; an empty string clears it.</summary>
        [Parameter]
        public string[]? Entrypoint { get; set; }

        /// <summary>Environment variables as a hashtable; a $null value passes the variable through from this process.</summary>
        [Parameter]
        [Alias("Env")]
        public Hashtable? Environment { get; set; }

        /// <summary>Files of KEY=VALUE lines, read as 'docker run --env-file' reads them (literally).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? EnvironmentFile { get; set; }

        /// <summary>Published ports in docker's syntax: '8080:80', '127.0.0.1:8080:80/udp', '80'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("Port")]
        public string[]? Publish { get; set; }

        /// <summary>Publish every port the image exposes on a free host port.</summary>
        [Parameter]
        public SwitchParameter PublishAll { get; set; }

        /// <summary>Volumes and bind mounts in docker's -v syntax: 'name:/data', '/host:/ctr:ro', '/ctr'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.VolumeNameCompleter))]
        public string[]? Volume { get; set; }

        /// <summary>Mounts in docker's --mount syntax: 'type=bind,source=/host,target=/ctr,readonly'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Mount { get; set; }

        /// <summary>tmpfs mounts: '/path' or '/path:size=64m'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Tmpfs { get; set; }

        /// <summary>The network to connect the container to (bridge, host, none, or a user-defined network).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
        public string? Network { get; set; }

        /// <summary>Aliases on -Network (user-defined networks only).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? NetworkAlias { get; set; }

        [Parameter]
        public RestartPolicy? RestartPolicy { get; set; }

        /// <summary>With -RestartPolicy OnFailure: how many restarts at most.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? MaximumRetryCount { get; set; }

        /// <summary>Memory limit: bytes or a size such as 512m or 1g.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Memory { get; set; }

        /// <summary>CPU limit as a number of CPUs, e.g. 1.5.</summary>
        [Parameter]
        public double? Cpus { get; set; }

        /// <summary>User (name or uid[:gid]) the command runs as.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("WorkDir")]
        public string? WorkingDirectory { get; set; }

        /// <summary>Labels as a hashtable.</summary>
        [Parameter]
        public Hashtable? Label { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Hostname { get; set; }

        /// <summary>A shell command that exits 0 when the container is healthy.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? HealthCommand { get; set; }

        /// <summary>Time between health checks.</summary>
        [Parameter]
        public TimeSpan? HealthInterval { get; set; }

        /// <summary>Failures in a row before the container is unhealthy.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? HealthRetries { get; set; }

        /// <summary>Run an init process (tini) as PID 1 that reaps zombies and forwards signals.</summary>
        [Parameter]
        public SwitchParameter Init { get; set; }

        /// <summary>Mount the root filesystem read-only.</summary>
        [Parameter]
        public SwitchParameter ReadOnly { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? CapAdd { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? CapDrop { get; set; }

        [Parameter]
        public SwitchParameter Privileged { get; set; }

        /// <summary>Give the container a pseudo-TTY (its output is then one raw stream).</summary>
        [Parameter]
        public SwitchParameter Tty { get; set; }

        /// <summary>Keep the container's stdin open.</summary>
        [Parameter]
        public SwitchParameter Interactive { get; set; }

        /// <summary>Builds the engine's spec from the bound parameters.</summary>
        protected ContainerCreateSpec BuildSpec()
        {
            var spec = new ContainerCreateSpec
            {
                Image = Image,
                Name = Name,
                Command = Command,
                Entrypoint = Entrypoint,
                PublishAll = PublishAll,
                Network = Network,
                RestartPolicy = RestartPolicy,
                MaximumRetryCount = MaximumRetryCount,
                Memory = Memory,
                Cpus = Cpus,
                User = User,
                WorkingDirectory = WorkingDirectory,
                Hostname = Hostname,
                HealthCommand = HealthCommand,
                HealthInterval = HealthInterval,
                HealthRetries = HealthRetries,
                Init = Init,
                ReadOnly = ReadOnly,
                Privileged = Privileged,
                Tty = Tty,
                Interactive = Interactive,
                BaseDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            };
            AddAll(spec.EnvironmentFiles, EnvironmentFile);
            AddAll(spec.Publish, Publish);
            AddAll(spec.Volumes, Volume);
            AddAll(spec.Mounts, Mount);
            AddAll(spec.Tmpfs, Tmpfs);
            AddAll(spec.NetworkAliases, NetworkAlias);
            AddAll(spec.CapAdd, CapAdd);
            AddAll(spec.CapDrop, CapDrop);
            foreach (DictionaryEntry entry in Environment ?? new Hashtable())
            {
                spec.Environment[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] =
                    entry.Value == null ? null : Convert.ToString(PSObject.AsPSObject(entry.Value).BaseObject, System.Globalization.CultureInfo.InvariantCulture);
            }

            foreach (DictionaryEntry entry in Label ?? new Hashtable())
            {
                spec.Labels[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] =
                    Convert.ToString(entry.Value == null ? string.Empty : PSObject.AsPSObject(entry.Value).BaseObject, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            }

            return spec;
        }

        private static void AddAll(System.Collections.Generic.IList<string> target, string[]? values)
        {
            foreach (var value in values ?? Array.Empty<string>())
            {
                target.Add(value);
            }
        }
    }
}
