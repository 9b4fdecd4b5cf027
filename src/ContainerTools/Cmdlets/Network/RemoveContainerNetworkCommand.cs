using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Networks;

namespace ContainerTools.Cmdlets.Network
{
    /// <summary>
    /// Remove-ContainerNetwork [docker network rm / docker network prune]. A network that is already gone is no error;
    /// one in use is a NetworkInUse error naming its containers. -Unused prunes.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(PruneResult))]
    public sealed class RemoveContainerNetworkCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ById = "ById";
        private const string ByObject = "ByObject";
        private const string Prune = "Prune";

        /// <summary>Network names, ids or id prefixes; wildcards remove every matching user-defined network.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Network ids or unique id prefixes.</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("NetworkId")]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Networks from Get-ContainerNetwork or New-ContainerNetwork.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerNetwork[] InputObject { get; set; } = Array.Empty<ContainerNetwork>();

        /// <summary>Prune: remove every user-defined network no container is attached to (docker network prune).</summary>
        [Parameter(ParameterSetName = Prune, Mandatory = true)]
        public SwitchParameter Unused { get; set; }

        /// <summary>With -Unused: only networks with these labels ('key' or 'key=value').</summary>
        [Parameter(ParameterSetName = Prune)]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        /// <summary>With -Unused: only networks created before this time.</summary>
        [Parameter(ParameterSetName = Prune)]
        public DateTime? Until { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == Prune)
            {
                PruneUnused();
                return;
            }

            foreach (var (engine, reference, display) in Targets())
            {
                if (!ShouldProcess(display, "Remove network"))
                {
                    continue;
                }

                WriteVerbose($"Removing network '{display}' on {engine.Name}.");
                Enqueue(display, async ct =>
                {
                    var removed = await engine.Networks.RemoveAsync(reference, ct).ConfigureAwait(false);
                    return () =>
                    {
                        if (!removed)
                        {
                            WriteVerbose($"Network '{display}' does not exist on {engine.Name}; nothing to remove.");
                        }
                    };
                });
            }
        }

        private void PruneUnused()
        {
            var engine = ResolveEngine();
            var until = Until == null ? (DateTimeOffset?)null : Time.FromUser(Until.Value);
            TryRun(engine.Name, () =>
            {
                var candidates = Await(ct => engine.Networks.PruneCandidatesAsync(Label, until, ct));
                var target = candidates.Count == 0
                    ? $"no unused network matches on {engine.Name}"
                    : $"{candidates.Count} unused network(s) on {engine.Name}: {string.Join(", ", candidates.Select(n => n.Name))}";
                if (!ShouldProcess(target, "Remove unused networks"))
                {
                    return;
                }

                WriteVerbose($"Pruning unused networks on {engine.Name}{(Label == null ? string.Empty : " with labels " + string.Join(", ", Label))}.");
                WriteObject(Await(ct => engine.Networks.PruneAsync(Label, until, ct)));
            });
        }

        private IEnumerable<(ContainerEngineConnection Engine, string Reference, string Display)> Targets()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var network in InputObject)
                {
                    yield return (Engine ?? network.Engine, network.Id, network.Name);
                }

                yield break;
            }

            var engine = ResolveEngine();
            foreach (var reference in ParameterSetName == ById ? Id : Name)
            {
                if (ParameterSetName == ByName && Wildcard.HasWildcards(reference))
                {
                    var query = new NetworkQuery();
                    query.Names.Add(reference);
                    IReadOnlyList<ContainerNetwork> matches = Array.Empty<ContainerNetwork>();
                    if (!TryRun(reference, () => matches = Await(ct => engine.Networks.ListAsync(query, ct))))
                    {
                        continue;
                    }

                    // bridge, host and none can never be removed: a pattern passes them by.
                    foreach (var match in matches.Where(n => !n.Predefined))
                    {
                        yield return (engine, match.Id, match.Name);
                    }

                    continue;
                }

                yield return (engine, reference, reference);
            }
        }
    }
}
