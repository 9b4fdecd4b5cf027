using System;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Networks;

namespace ContainerTools.Cmdlets.Network
{
    /// <summary>Get-ContainerNetwork [docker network ls / inspect]: networks in name order, with their subnets and attached containers.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerNetwork", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerNetwork))]
    public sealed class GetContainerNetworkCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ById = "ById";

        /// <summary>Names or name patterns (wildcards); an exact value may also be an id or id prefix. A missing exact name is an ObjectNotFound error.</summary>
        [Parameter(ParameterSetName = ByName, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Full ids or unique id prefixes.</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("NetworkId")]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Only networks of these drivers (bridge, host, null, overlay, macvlan, …).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Driver { get; set; }

        /// <summary>Only networks with these labels: 'key' or 'key=value' (all must match).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            if (ParameterSetName == ById)
            {
                foreach (var id in Id)
                {
                    TryRun(id, () =>
                    {
                        var network = Await(ct => engine.Networks.GetAsync(id, ct));
                        if (Query(null).Matches(network))
                        {
                            WriteObject(network);
                        }
                    });
                }

                return;
            }

            WriteVerbose($"Listing networks on {engine.Name}.");
            if (Name == null || Name.Length == 0)
            {
                TryRun(engine.Name, () => WriteObject(Await(ct => engine.Networks.ListAsync(Query(null), ct)), enumerateCollection: true));
                return;
            }

            foreach (var name in Name)
            {
                TryRun(name, () =>
                {
                    var found = Await(ct => engine.Networks.ListAsync(Query(name), ct));
                    if (found.Count == 0 && !Wildcard.HasWildcards(name))
                    {
                        // An exact value may be an id or an id prefix, as everywhere else.
                        var byReference = Await(ct => engine.Networks.TryGetAsync(Wildcard.Unescape(name), ct));
                        if (byReference == null)
                        {
                            WriteError(new ErrorRecord(
                                new ResourceNotFoundException("Network", name,
                                    $"No network named '{name}' exists on {engine.Name}. Get-ContainerNetwork without -Name lists them all."),
                                "NetworkNotFound", ErrorCategory.ObjectNotFound, name));
                        }
                        else if (Query(null).Matches(byReference))
                        {
                            WriteObject(byReference);
                        }

                        return;
                    }

                    WriteObject(found, enumerateCollection: true);
                });
            }
        }

        private NetworkQuery Query(string? name)
        {
            var query = new NetworkQuery();
            if (name != null)
            {
                query.Names.Add(name);
            }

            foreach (var label in Label ?? Array.Empty<string>())
            {
                query.Labels.Add(label);
            }

            foreach (var driver in Driver ?? Array.Empty<string>())
            {
                query.Drivers.Add(driver);
            }

            return query;
        }
    }
}
