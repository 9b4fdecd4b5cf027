using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Swarm;

namespace ContainerTools.Cmdlets.Service
{
    /// <summary>
    /// Set-ContainerService [docker service update / scale]: changes what is given and keeps the rest. -Replicas scales;
    /// -Image and other task changes roll out following the service's update config. A change that changes nothing sends
    /// no update (the tasks keep running); -Force redeploys every task anyway.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "ContainerService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerService))]
    public sealed class SetContainerServiceCommand : ServiceCmdlet
    {
        private const string ByName = "ByName";
        private const string ByObject = "ByObject";

        /// <summary>The service's name, id or id prefix.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("ServiceName")]
        [ArgumentCompleter(typeof(Completion.ServiceNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>A service from Get-ContainerService.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerService? InputObject { get; set; }

        /// <summary>Scale to this many tasks (replicated services only).</summary>
        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long? Replicas { get; set; }

        /// <summary>Roll out this image, batch by batch as the service's update config says.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>Environment variables to add or replace (others are kept).</summary>
        [Parameter]
        public Hashtable? Environment { get; set; }

        /// <summary>Names of environment variables to remove.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? RemoveEnvironment { get; set; }

        /// <summary>The published ports, replacing the current ones: '8080:80', '8080:80/udp' or hashtables @{Target=80; Published=8080}; an empty array unpublishes all.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public object[]? Publish { get; set; }

        /// <summary>Service labels to add or replace: a hashtable or 'key=value' strings.</summary>
        [Parameter]
        public object? Label { get; set; }

        /// <summary>The placement constraints, replacing the current ones; an empty array removes all.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? Constraint { get; set; }

        /// <summary>How many tasks an update replaces at once.</summary>
        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long? UpdateParallelism { get; set; }

        /// <summary>The pause between an update's batches.</summary>
        [Parameter]
        public TimeSpan? UpdateDelay { get; set; }

        /// <summary>What a failing update does: pause, continue or rollback.</summary>
        [Parameter]
        [ValidateSet("pause", "continue", "rollback")]
        public string? UpdateFailureAction { get; set; }

        /// <summary>Redeploy every task, even when nothing else changes (docker service update --force).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var engine = InputObject != null ? Engine ?? InputObject.Engine : ResolveEngine();
            var reference = InputObject?.Id ?? Name;
            var display = InputObject?.Name ?? Name;
            if (!ShouldProcess(display, "Update service" + (Force ? " (redeploy every task)" : string.Empty)))
            {
                return;
            }

            WriteVerbose($"Updating service '{display}' on the swarm of {engine.Name}.");
            TryRun(display, () =>
            {
                var (service, updated) = Await(ct => engine.Services.UpdateAsync(reference, Edit, Force, ct));
                WriteVerbose(updated
                    ? $"Service '{service.Name}' updated (version {service.Version})."
                    : $"Service '{service.Name}' already is as asked; no update sent, its tasks keep running.");
                Finish(engine, service);
            });
        }

        private ServiceSpecification Edit(ServiceSpecification spec)
        {
            if (Replicas != null)
            {
                if (spec.Global)
                {
                    throw new InvalidSpecException("ReplicasWithGlobal", $"Service '{spec.Name}' is global (one task per node): it cannot be scaled with -Replicas.", spec.Name);
                }

                spec.Replicas = Replicas;
            }

            if (Image != null)
            {
                spec.Image = Image;
            }

            ApplyShared(spec, Environment, Label, Publish, Constraint);
            foreach (var name in RemoveEnvironment ?? Array.Empty<string>())
            {
                spec.Environment.Remove(name);
            }

            spec.ChangeUpdateConfig(UpdateParallelism, UpdateDelay, UpdateFailureAction, order: null);
            return spec;
        }
    }
}
