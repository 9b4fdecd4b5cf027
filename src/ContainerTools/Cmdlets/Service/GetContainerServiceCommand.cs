using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Service
{
    /// <summary>Get-ContainerService [docker service ls / inspect]: the swarm's services in name order, with running and desired tasks.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerService")]
    [OutputType(typeof(ContainerService))]
    public sealed class GetContainerServiceCommand : ContainerToolsCmdlet
    {
        /// <summary>Names or patterns (wildcards); an exact value may also be an id or id prefix. A missing exact name is a ServiceNotFound error.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("ServiceName")]
        [ArgumentCompleter(typeof(Completion.ServiceNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Only services with these labels: 'key' or 'key=value' (all must match).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Listing services on the swarm of {engine.Name}.");
            if (Name == null || Name.Length == 0)
            {
                TryRun(engine.Name, () => WriteObject(Await(ct => engine.Services.ListAsync(null, Label, ct)), enumerateCollection: true));
                return;
            }

            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in Name)
            {
                TryRun(name, () =>
                {
                    var found = Await(ct => engine.Services.ListAsync(new[] { name }, Label, ct)).ToList();
                    if (found.Count == 0 && !Wildcard.HasWildcards(name))
                    {
                        var byId = Await(ct => engine.Services.TryGetAsync(Wildcard.Unescape(name), ct));
                        if (byId != null && LabelFilter.Matches(new SortedDictionary<string, string>(byId.Labels, StringComparer.Ordinal), Label))
                        {
                            found.Add(byId);
                        }
                        else
                        {
                            WriteError(new ErrorRecord(
                                new ResourceNotFoundException("Service", name, $"No service named '{name}' exists on the swarm of {engine.Name}. Get-ContainerService without -Name lists them all."),
                                "ServiceNotFound", ErrorCategory.ObjectNotFound, name));
                            return;
                        }
                    }

                    WriteObject(found.Where(s => written.Add(s.Id)), enumerateCollection: true);
                });
            }
        }
    }
}
