using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Remove-Container [docker rm]. With -Force a running container is killed first and a missing one is no error.
    /// -Stopped prunes every stopped container (docker container prune).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(void))]
    [OutputType(typeof(PruneResult), ParameterSetName = new[] { Prune })]
    public sealed class RemoveContainerCommand : ContainerTargetCmdlet
    {
        private const string Prune = "Prune";

        /// <summary>Remove running containers too (killing them), and do not fail when a container is already gone.</summary>
        [Parameter(ParameterSetName = ByName)]
        [Parameter(ParameterSetName = ById)]
        [Parameter(ParameterSetName = ByObject)]
        public SwitchParameter Force { get; set; }

        /// <summary>Also remove the container's anonymous volumes.</summary>
        [Parameter(ParameterSetName = ByName)]
        [Parameter(ParameterSetName = ById)]
        [Parameter(ParameterSetName = ByObject)]
        public SwitchParameter Volumes { get; set; }

        /// <summary>Prune: remove every container that is not running (docker container prune).</summary>
        [Parameter(ParameterSetName = Prune, Mandatory = true)]
        public SwitchParameter Stopped { get; set; }

        /// <summary>With -Stopped: only containers with these labels ('key' or 'key=value').</summary>
        [Parameter(ParameterSetName = Prune)]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        /// <summary>With -Stopped: only containers created before this time.</summary>
        [Parameter(ParameterSetName = Prune)]
        public DateTime? Until { get; set; }

        protected override string ActionDescription => "Remove container";

        protected override void ProcessRecord()
        {
            if (ParameterSetName != Prune)
            {
                base.ProcessRecord();
                return;
            }

            var engine = ResolveEngine();
            var until = Until == null ? (DateTimeOffset?)null : Time.FromUser(Until.Value);
            TryRun(engine.Name, () =>
            {
                var candidates = Await(ct => engine.Containers.PruneCandidatesAsync(Label, until, ct));
                var target = candidates.Count == 0
                    ? $"no stopped container matches on {engine.Name}"
                    : $"{candidates.Count} stopped container(s) on {engine.Name}: {string.Join(", ", candidates.Select(c => c.Name))}";
                if (!ShouldProcess(target, "Remove stopped containers"))
                {
                    return;
                }

                WriteVerbose($"Pruning stopped containers on {engine.Name}{(Label == null ? string.Empty : " with labels " + string.Join(", ", Label))}.");
                WriteObject(Await(ct => engine.Containers.PruneAsync(Label, until, ct)));
            });
        }

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken ct)
        {
            await engine.Containers.RemoveAsync(reference, Force, Volumes, ct).ConfigureAwait(false);
            return null;
        }
    }
}
