using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>Get-Container [docker ps -a]: containers in every state, newest first.</summary>
    [Cmdlet(VerbsCommon.Get, "Container", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class GetContainerCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ById = "ById";

        /// <summary>Names or name patterns (wildcards). An exact name that does not exist is an ObjectNotFound error.</summary>
        [Parameter(ParameterSetName = ByName, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ContainerNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Full ids or unique id prefixes.</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [Alias("ContainerId")]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Only containers in these states.</summary>
        [Parameter]
        public ContainerState[]? State { get; set; }

        /// <summary>Only containers with these labels: 'key' or 'key=value' (all must match).</summary>
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
                        var container = Await(ct => engine.Containers.GetAsync(id, ct));
                        if (Matches(container))
                        {
                            WriteObject(container);
                        }
                    });
                }

                return;
            }

            var names = Name ?? Array.Empty<string>();
            var query = new ContainerQuery();
            foreach (var state in State ?? Array.Empty<ContainerState>())
            {
                query.States.Add(state);
            }

            foreach (var label in Label ?? Array.Empty<string>())
            {
                query.Labels.Add(label);
            }

            if (names.Length == 0)
            {
                TryRun(engine.Name, () => WriteObject(Await(ct => engine.Containers.ListAsync(query, ct)), enumerateCollection: true));
                return;
            }

            // Each name is its own question so that a missing exact name is reported by name, like Get-Process.
            foreach (var name in names)
            {
                TryRun(name, () =>
                {
                    var one = new ContainerQuery();
                    one.Names.Add(name);
                    foreach (var s in query.States)
                    {
                        one.States.Add(s);
                    }

                    foreach (var l in query.Labels)
                    {
                        one.Labels.Add(l);
                    }

                    var found = Await(ct => engine.Containers.ListAsync(one, ct));
                    if (found.Count == 0 && !Wildcard.HasWildcards(name))
                    {
                        // An exact name may also be an id or id prefix, as everywhere else.
                        var byReference = Await(ct => engine.Containers.TryGetAsync(name, ct));
                        if (byReference != null && Matches(byReference))
                        {
                            WriteObject(byReference);
                            return;
                        }

                        if (byReference == null)
                        {
                            WriteError(new ErrorRecord(
                                new ResourceNotFoundException("Container", name,
                                    $"No container named '{name}' exists on {engine.Name}. Get-Container without -Name lists them all."),
                                "ContainerNotFound", ErrorCategory.ObjectNotFound, name));
                        }

                        return;
                    }

                    WriteObject(found, enumerateCollection: true);
                });
            }
        }

        private bool Matches(ContainerTools.Engine.Model.Container container)
        {
            if (State != null && State.Length > 0 && !State.Contains(container.State))
            {
                return false;
            }

            return LabelFilter.Matches(container.Labels, Label);
        }
    }
}
