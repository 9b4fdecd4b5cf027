using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Swarm;

namespace ContainerTools.Cmdlets.Service
{
    /// <summary>
    /// New-ContainerService [docker service create]: a swarm service on a manager. A service of that name is a ServiceExists
    /// error naming Set-ContainerService. -Wait waits until its tasks run.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ContainerService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerService))]
    public sealed class NewContainerServiceCommand : ServiceCmdlet
    {
        /// <summary>The service's name.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The image the tasks run (it must be on the nodes, or pullable by them).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>The command and its arguments, replacing the image's CMD (docker service create IMAGE COMMAND ARG...).</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[]? Command { get; set; }

        /// <summary>Replaces the image's ENTRYPOINT (docker service create --entrypoint).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Entrypoint { get; set; }

        /// <summary>How many tasks (1 unless given).</summary>
        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long? Replicas { get; set; }

        /// <summary>One task on every node (that satisfies the constraints), instead of replicas.</summary>
        [Parameter]
        public SwitchParameter Global { get; set; }

        /// <summary>Published ports: 'published:target[/protocol]' ('8080:80', '8080:80/udp', '80') or hashtables @{Target=80; Published=8080; Protocol='udp'; Mode='Host'}.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public object[]? Publish { get; set; }

        /// <summary>Environment variables as a hashtable.</summary>
        [Parameter]
        public Hashtable? Environment { get; set; }

        /// <summary>The service's labels: a hashtable or 'key=value' strings.</summary>
        [Parameter]
        public object? Label { get; set; }

        /// <summary>Labels on the tasks' containers: a hashtable or 'key=value' strings.</summary>
        [Parameter]
        public object? ContainerLabel { get; set; }

        /// <summary>Placement constraints: 'node.role==manager', 'node.hostname!=h', 'node.labels.zone==a'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Constraint { get; set; }

        /// <summary>Networks to attach the tasks to (overlay networks of the swarm).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
        public string[]? Network { get; set; }

        /// <summary>Mounts with docker's --mount syntax: 'type=volume,source=data,target=/data', 'type=bind,source=/srv,target=/srv,readonly', 'type=tmpfs,target=/tmp'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Mount { get; set; }

        /// <summary>Volumes with docker's -v syntax: 'name:/data', '/node/path:/data:ro'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.VolumeNameCompleter))]
        public string[]? Volume { get; set; }

        /// <summary>Resource limits per task: @{Cpu=0.5; Memory='256m'}.</summary>
        [Parameter]
        public Hashtable? Limit { get; set; }

        /// <summary>Resources a node must have free per task: @{Cpu=0.25; Memory='128m'}.</summary>
        [Parameter]
        public Hashtable? Reservation { get; set; }

        /// <summary>How many tasks a rolling update replaces at once (docker's default 1; 0: all).</summary>
        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long? UpdateParallelism { get; set; }

        /// <summary>The pause between a rolling update's batches.</summary>
        [Parameter]
        public TimeSpan? UpdateDelay { get; set; }

        /// <summary>What a failing rolling update does: pause (docker's default), continue or rollback.</summary>
        [Parameter]
        [ValidateSet("pause", "continue", "rollback")]
        public string? UpdateFailureAction { get; set; }

        /// <summary>stop-first (docker's default: old task stops, then the new starts) or start-first.</summary>
        [Parameter]
        [ValidateSet("stop-first", "start-first")]
        public string? UpdateOrder { get; set; }

        /// <summary>When tasks are restarted: none, on-failure or any (docker's default).</summary>
        [Parameter]
        [ValidateSet("none", "on-failure", "any")]
        public string? RestartCondition { get; set; }

        /// <summary>The user the tasks run as.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        /// <summary>The tasks' working directory.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        /// <summary>The tasks' container hostname.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Hostname { get; set; }

        /// <summary>Run an init process as PID 1 in the tasks' containers.</summary>
        [Parameter]
        public SwitchParameter Init { get; set; }

        /// <summary>Mount the tasks' root filesystems read-only.</summary>
        [Parameter]
        public SwitchParameter ReadOnly { get; set; }

        /// <summary>How long a task gets to stop before it is killed.</summary>
        [Parameter]
        public TimeSpan? StopGracePeriod { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            ServiceSpecification spec = null!;
            if (!TryRun(Name, () => spec = Specification()))
            {
                return;
            }

            if (!ShouldProcess(Name, $"Create service ({Image}, {(Global ? "global" : $"{spec.Replicas} replica(s)")})"))
            {
                return;
            }

            WriteVerbose($"Creating service '{Name}' ({Image}) on the swarm of {engine.Name}.");
            TryRun(Name, () => Finish(engine, Await(ct => engine.Services.CreateAsync(spec, ct))));
        }

        private ServiceSpecification Specification()
        {
            var spec = new ServiceSpecification
            {
                Name = Name,
                Image = Image,
                Global = Global,
                Replicas = Global ? null : Replicas ?? 1,
                User = User,
                WorkingDirectory = WorkingDirectory,
                Hostname = Hostname,
                Init = Init.IsPresent ? true : (bool?)null,
                ReadOnly = ReadOnly,
                StopGracePeriod = StopGracePeriod,
            };
            if (Global && Replicas != null)
            {
                throw new ContainerTools.Engine.InvalidSpecException("ReplicasWithGlobal", "A global service runs one task per node: give -Global or -Replicas, not both.", Name);
            }

            spec.Args = Command?.ToList() ?? spec.Args;
            spec.Command = Entrypoint?.ToList() ?? spec.Command;
            ApplyShared(spec, Environment, Label, Publish, Constraint);
            CopyLabels(ContainerLabel, spec.ContainerLabels);
            spec.Networks = (Network ?? Array.Empty<string>()).Select(n => new ServiceNetwork(n)).ToList();
            var here = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            foreach (var mount in (Mount ?? Array.Empty<string>()).Select(m => VolumeSpec.ParseMount(m, here))
                .Concat((Volume ?? Array.Empty<string>()).Select(v => VolumeSpec.ParseVolume(v, here))))
            {
                spec.Mounts.Add(new ServiceMount(mount.Kind, mount.Source, mount.Target, mount.ReadOnly));
            }

            ApplyResources(Limit, nameof(Limit), c => spec.CpuLimit = c, m => spec.MemoryLimit = m);
            ApplyResources(Reservation, nameof(Reservation), c => spec.CpuReservation = c, m => spec.MemoryReservation = m);
            spec.ChangeUpdateConfig(UpdateParallelism, UpdateDelay, UpdateFailureAction, UpdateOrder);
            if (RestartCondition != null)
            {
                spec.RestartPolicy = new ServiceRestartPolicy { Condition = RestartCondition };
            }

            return spec;
        }
    }
}
