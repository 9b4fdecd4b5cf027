using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Stack
{
    /// <summary>
    /// Remove-ContainerStack [docker stack rm]: removes a stack's services, then its networks once their tasks are gone, and
    /// with -Volumes its volumes on the engine it talks to. A stack already gone is no error.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerStack", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveContainerStackCommand : ContainerToolsCmdlet
    {
        /// <summary>The stacks' names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("StackName")]
        [ArgumentCompleter(typeof(Completion.StackNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Also remove the stack's named volumes on this engine (volumes are per node: other nodes keep theirs).</summary>
        [Parameter]
        public SwitchParameter Volumes { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            foreach (var stack in Name)
            {
                if (!ShouldProcess(stack, "Remove stack (services, networks" + (Volumes ? ", volumes on " + engine.Name : string.Empty) + ")"))
                {
                    continue;
                }

                TryRun(stack, () =>
                {
                    var services = Await(ct => engine.Stacks.ListServicesAsync(stack, ct));
                    foreach (var service in services)
                    {
                        WriteVerbose($"Removing service '{service.Name}' from the swarm of {engine.Name}.");
                        Await(ct => engine.Services.RemoveAsync(service.Id, ct));
                    }

                    foreach (var network in Await(ct => engine.Stacks.ListNetworksAsync(stack, ct)))
                    {
                        WriteVerbose($"Removing network '{network.Name}' from {engine.Name} (once the stack's tasks have left it).");
                        Await(ct => engine.Stacks.RemoveNetworkAsync(network.Id, ct));
                    }

                    IReadOnlyList<ContainerVolume> volumes = Volumes ? Await(ct => engine.Stacks.ListVolumesAsync(stack, ct)) : Array.Empty<ContainerVolume>();
                    foreach (var volume in volumes)
                    {
                        WriteVerbose($"Removing volume '{volume.Name}' from {engine.Name} (other nodes keep their own copy).");
                        Await(ct => engine.Stacks.RemoveVolumeAsync(volume.Name, ct));
                    }

                    if (services.Count == 0)
                    {
                        WriteVerbose($"Stack '{stack}' has no services on the swarm of {engine.Name}.");
                    }
                });
            }
        }
    }
}
