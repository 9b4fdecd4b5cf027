using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Service
{
    /// <summary>Remove-ContainerService [docker service rm]: removes services and so their tasks. A service already gone is no error.</summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(void))]
    public sealed class RemoveContainerServiceCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ByObject = "ByObject";

        /// <summary>Service names, ids or id prefixes; wildcards remove every matching service.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [Alias("ServiceName")]
        [ArgumentCompleter(typeof(Completion.ServiceNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Services from Get-ContainerService or New-ContainerService.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerService[] InputObject { get; set; } = Array.Empty<ContainerService>();

        protected override void ProcessRecord()
        {
            foreach (var (engine, reference, display) in Targets())
            {
                if (!ShouldProcess(display, "Remove service"))
                {
                    continue;
                }

                WriteVerbose($"Removing service '{display}' from the swarm of {engine.Name}.");
                Enqueue(display, async ct =>
                {
                    var removed = await engine.Services.RemoveAsync(reference, ct).ConfigureAwait(false);
                    return () =>
                    {
                        if (!removed)
                        {
                            WriteVerbose($"Service '{display}' does not exist on the swarm of {engine.Name}; nothing to remove.");
                        }
                    };
                });
            }
        }

        private IEnumerable<(ContainerEngineConnection Engine, string Reference, string Display)> Targets()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var service in InputObject)
                {
                    yield return (Engine ?? service.Engine, service.Id, service.Name);
                }

                yield break;
            }

            var engine = ResolveEngine();
            foreach (var reference in Name)
            {
                if (Wildcard.HasWildcards(reference))
                {
                    IReadOnlyList<ContainerService> matches = Array.Empty<ContainerService>();
                    if (!TryRun(reference, () => matches = Await(ct => engine.Services.ListAsync(new[] { reference }, null, ct))))
                    {
                        continue;
                    }

                    foreach (var match in matches)
                    {
                        yield return (engine, match.Id, match.Name);
                    }

                    continue;
                }

                yield return (engine, Wildcard.Unescape(reference), reference);
            }
        }
    }
}
