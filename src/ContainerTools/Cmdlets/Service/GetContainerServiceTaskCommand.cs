using System;
using System.Management.Automation;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Swarm;

namespace ContainerTools.Cmdlets.Service
{
    /// <summary>Get-ContainerServiceTask [docker service ps]: a service's tasks, where they run and how they fare, the newest of each slot first.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerServiceTask")]
    [OutputType(typeof(ContainerServiceTask))]
    public sealed class GetContainerServiceTaskCommand : ContainerToolsCmdlet
    {
        /// <summary>The services (names, ids or id prefixes); none: the tasks of every service.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("ServiceName", "Name")]
        [ArgumentCompleter(typeof(Completion.ServiceNameCompleter))]
        public string[]? Service { get; set; }

        /// <summary>Running: the current tasks; Shutdown: the past ones; All (the default, like docker service ps): both.</summary>
        [Parameter]
        public ServiceTaskState DesiredState { get; set; } = ServiceTaskState.All;

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            foreach (var service in Service ?? new string?[] { null })
            {
                WriteVerbose($"Listing the tasks of {(service == null ? "every service" : $"service '{service}'")} on the swarm of {engine.Name}.");
                TryRun(service ?? engine.Name, () => WriteObject(Await(ct => engine.Services.ListTasksAsync(service, DesiredState, ct)), enumerateCollection: true));
            }
        }
    }
}
