using System;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Swarm
{
    /// <summary>Get-ContainerSwarmNode [docker node ls]: the swarm's nodes, managers first; the engine must be a manager.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerSwarmNode")]
    [OutputType(typeof(ContainerSwarmNode))]
    public sealed class GetContainerSwarmNodeCommand : ContainerToolsCmdlet
    {
        /// <summary>Hostnames or patterns (wildcards); an exact value may also be a node id or id prefix. A missing exact name is an ObjectNotFound error.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("Hostname")]
        public string[]? Name { get; set; }

        /// <summary>Only managers, or only workers.</summary>
        [Parameter]
        public SwarmNodeRole? Role { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Listing the swarm's nodes on {engine.Name}.");
            TryRun(engine.Name, () =>
            {
                var nodes = Await(ct => engine.Swarm.ListNodesAsync(ct)).Where(n => Role == null || n.Role == Role).ToList();
                if (Name == null || Name.Length == 0)
                {
                    WriteObject(nodes, enumerateCollection: true);
                    return;
                }

                var written = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
                foreach (var name in Name)
                {
                    var pattern = Wildcard.ToRegex(name);
                    var found = nodes.Where(n => pattern.IsMatch(n.Hostname)).ToList();
                    if (found.Count == 0 && !Wildcard.HasWildcards(name))
                    {
                        var exact = Wildcard.Unescape(name);
                        found = nodes.Where(n => n.Id.StartsWith(exact, StringComparison.OrdinalIgnoreCase)).ToList();
                        if (found.Count == 0)
                        {
                            WriteError(new ErrorRecord(
                                new ResourceNotFoundException("SwarmNode", name, $"No node named or with id '{name}' is in the swarm of {engine.Name}{(Role == null ? string.Empty : $" as a {Role}")}. Get-ContainerSwarmNode without -Name lists them all."),
                                "SwarmNodeNotFound", ErrorCategory.ObjectNotFound, name));
                            continue;
                        }
                    }

                    WriteObject(found.Where(n => written.Add(n.Id)), enumerateCollection: true);
                }
            });
        }
    }
}
