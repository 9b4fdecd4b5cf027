using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Volumes;

namespace ContainerTools.Cmdlets.Volume
{
    /// <summary>
    /// Remove-ContainerVolume [docker volume rm / docker volume prune]. A volume in use is a VolumeInUse error naming the
    /// containers; a missing one is VolumeNotFound unless -Force. -Unused prunes (anonymous volumes, named ones too with -IncludeNamed).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(PruneResult))]
    public sealed class RemoveContainerVolumeCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ByObject = "ByObject";
        private const string Prune = "Prune";

        /// <summary>Volume names; wildcards remove every matching volume.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.VolumeNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Volumes from Get-ContainerVolume or New-ContainerVolume.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerVolume[] InputObject { get; set; } = Array.Empty<ContainerVolume>();

        /// <summary>A volume that does not exist is no error (docker volume rm -f). A volume in use is never removed.</summary>
        [Parameter(ParameterSetName = ByName)]
        [Parameter(ParameterSetName = ByObject)]
        public SwitchParameter Force { get; set; }

        /// <summary>Prune: remove every anonymous volume no container uses (docker volume prune).</summary>
        [Parameter(ParameterSetName = Prune, Mandatory = true)]
        public SwitchParameter Unused { get; set; }

        /// <summary>With -Unused: named volumes too (docker volume prune --all).</summary>
        [Parameter(ParameterSetName = Prune)]
        [Alias("All")]
        public SwitchParameter IncludeNamed { get; set; }

        /// <summary>With -Unused: only volumes with these labels ('key' or 'key=value').</summary>
        [Parameter(ParameterSetName = Prune)]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == Prune)
            {
                PruneUnused();
                return;
            }

            foreach (var (engine, name) in Targets())
            {
                if (!ShouldProcess(name, "Remove volume"))
                {
                    continue;
                }

                WriteVerbose($"Removing volume '{name}' on {engine.Name}.");
                Enqueue(name, async ct =>
                {
                    var removed = await engine.Volumes.RemoveAsync(name, Force, ct).ConfigureAwait(false);
                    return () =>
                    {
                        if (!removed)
                        {
                            WriteVerbose($"Volume '{name}' does not exist on {engine.Name}; nothing to remove.");
                        }
                    };
                });
            }
        }

        private void PruneUnused()
        {
            var engine = ResolveEngine();
            TryRun(engine.Name, () =>
            {
                var candidates = Await(ct => engine.Volumes.PruneCandidatesAsync(Label, IncludeNamed, ct));
                var kind = IncludeNamed ? "unused volume(s)" : "unused anonymous volume(s)";
                var target = candidates.Count == 0
                    ? $"no {kind.Replace("(s)", "")} matches on {engine.Name}"
                    : $"{candidates.Count} {kind} on {engine.Name}: {string.Join(", ", candidates.Select(v => v.Name))}";
                if (!ShouldProcess(target, IncludeNamed ? "Remove unused volumes" : "Remove unused anonymous volumes"))
                {
                    return;
                }

                WriteVerbose($"Pruning {kind} on {engine.Name}{(Label == null ? string.Empty : " with labels " + string.Join(", ", Label))}.");
                WriteObject(Await(ct => engine.Volumes.PruneAsync(Label, IncludeNamed, ct)));
            });
        }

        private IEnumerable<(ContainerEngineConnection Engine, string Name)> Targets()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var volume in InputObject)
                {
                    yield return (Engine ?? volume.Engine, volume.Name);
                }

                yield break;
            }

            var engine = ResolveEngine();
            foreach (var name in Name)
            {
                if (Wildcard.HasWildcards(name))
                {
                    var query = new VolumeQuery();
                    query.Names.Add(name);
                    IReadOnlyList<ContainerVolume> matches = Array.Empty<ContainerVolume>();
                    if (!TryRun(name, () => matches = Await(ct => engine.Volumes.ListAsync(query, ct))))
                    {
                        continue;
                    }

                    foreach (var match in matches)
                    {
                        yield return (engine, match.Name);
                    }

                    continue;
                }

                yield return (engine, name);
            }
        }
    }
}
