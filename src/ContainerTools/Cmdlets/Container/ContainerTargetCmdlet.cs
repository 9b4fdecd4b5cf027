using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Base of the cmdlets that act on existing containers: they take -Name (names, ids, id prefixes;
    /// wildcards match several), -Id, or container objects from the pipeline.
    /// </summary>
    public abstract class ContainerTargetCmdlet : ContainerToolsCmdlet
    {
        protected const string ByName = "ByName";
        protected const string ById = "ById";
        protected const string ByObject = "ByObject";

        /// <summary>Container names, ids or id prefixes; wildcards act on every matching name.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.ContainerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Container ids or unique id prefixes.</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("ContainerId")]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Containers from Get-Container or New-Container.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerTools.Engine.Model.Container[] InputObject { get; set; } = Array.Empty<ContainerTools.Engine.Model.Container>();

        /// <summary>Write the container after the action.</summary>
        protected virtual bool WantsPassThru => false;

        protected override void ProcessRecord()
        {
            foreach (var (engine, reference, display) in Targets())
            {
                var target = reference;
                if (!ShouldProcess(display, ActionDescription))
                {
                    continue;
                }

                WriteVerbose($"{ActionDescription} '{display}' on {engine.Name}.");
                Enqueue(display, async ct =>
                {
                    var after = await ActAsync(engine, target, ct).ConfigureAwait(false);
                    return () =>
                    {
                        if (after != null)
                        {
                            WriteObject(after);
                        }
                    };
                });
            }
        }

        /// <summary>Verb phrase for -WhatIf and Verbose, e.g. "Stop container".</summary>
        protected abstract string ActionDescription { get; }

        /// <summary>Acts on one container; returns what to write (the container for -PassThru), or null.</summary>
        protected abstract Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken);

        /// <summary>The current container for -PassThru, or null without it.</summary>
        protected async Task<object?> PassThruAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken) =>
            WantsPassThru ? await engine.Containers.GetAsync(reference, cancellationToken).ConfigureAwait(false) : null;

        protected IEnumerable<(ContainerEngineConnection Engine, string Reference, string Display)> Targets()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var container in InputObject)
                {
                    // An object knows its engine; an explicit -Engine wins.
                    yield return (Engine ?? container.Engine, container.Id, container.Name);
                }

                yield break;
            }

            var engine = ResolveEngine();
            var references = ParameterSetName == ById ? Id : Name;
            foreach (var reference in references)
            {
                if (ParameterSetName == ByName && Wildcard.HasWildcards(reference))
                {
                    var query = new ContainerQuery();
                    query.Names.Add(reference);
                    IReadOnlyList<ContainerTools.Engine.Model.Container> matches = Array.Empty<ContainerTools.Engine.Model.Container>();
                    if (!TryRun(reference, () => matches = Await(ct => engine.Containers.ListAsync(query, ct))))
                    {
                        continue;
                    }

                    foreach (var match in matches.OrderBy(c => c.Name, StringComparer.Ordinal))
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
