using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Cmdlets.Network
{
    /// <summary>
    /// Base of Connect-/Disconnect-ContainerNetwork: one -Network, and containers by -Container (names, ids) or piped
    /// container objects.
    /// </summary>
    public abstract class NetworkAttachmentCmdlet : ContainerToolsCmdlet
    {
        protected const string ByName = "ByName";
        protected const string ByObject = "ByObject";

        /// <summary>The network: name, id or id prefix.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
        public string Network { get; set; } = string.Empty;

        /// <summary>Container names, ids or id prefixes.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ContainerNameCompleter))]
        public string[] Container { get; set; } = Array.Empty<string>();

        /// <summary>Containers from Get-Container or New-Container.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerTools.Engine.Model.Container[] InputObject { get; set; } = Array.Empty<ContainerTools.Engine.Model.Container>();

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>"Connect" or "Disconnect", for -WhatIf and Verbose.</summary>
        protected abstract string Verb { get; }

        /// <summary>Acts on one container; true when something changed, false when it was already so.</summary>
        protected abstract Task<bool> ActAsync(ContainerEngineConnection engine, string container, CancellationToken cancellationToken);

        protected override void ProcessRecord()
        {
            foreach (var (engine, reference, display) in Targets())
            {
                var phrase = Verb == "Connect" ? $"container '{display}' to network '{Network}'" : $"container '{display}' from network '{Network}'";
                if (!ShouldProcess(phrase, Verb))
                {
                    continue;
                }

                WriteVerbose($"{Verb} {phrase} on {engine.Name}.");
                Enqueue(display, async ct =>
                {
                    var changed = await ActAsync(engine, reference, ct).ConfigureAwait(false);
                    var after = PassThru ? await engine.Containers.TryGetAsync(reference, ct).ConfigureAwait(false) : null;
                    return () =>
                    {
                        if (!changed)
                        {
                            WriteVerbose(Verb == "Connect"
                                ? $"Container '{display}' is already connected to network '{Network}' as asked; nothing to do."
                                : $"Container '{display}' is not connected to network '{Network}'; nothing to do.");
                        }

                        if (after != null)
                        {
                            WriteObject(after);
                        }
                    };
                });
            }
        }

        private IEnumerable<(ContainerEngineConnection Engine, string Reference, string Display)> Targets()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var container in InputObject)
                {
                    yield return (Engine ?? container.Engine, container.Id, container.Name);
                }

                yield break;
            }

            var engine = ResolveEngine();
            foreach (var reference in Container)
            {
                yield return (engine, reference, reference);
            }
        }
    }
}
