using System.Management.Automation;
using ContainerTools.Engine.Compose;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Project
{
    /// <summary>Stop-ContainerProject [docker compose stop]: stops the project's running containers, newest first; stopping a stopped project is no error.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "ContainerProject", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class StopContainerProjectCommand : ProjectTargetCmdlet
    {
        /// <summary>Return the project's containers afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var name = ResolveProjectName();
            if (name == null)
            {
                return;
            }

            var engine = ResolveEngine();
            var converger = new ProjectConverger(engine);
            TryRun(name, () =>
            {
                WriteVerbose($"Listing containers labelled {ComposeProjectSummary.ProjectLabel}={name} on {engine.Name}.");
                var containers = Await(ct => converger.GetContainersAsync(name, ct));

                // ShouldProcess here, on the pipeline thread; the engine core stops the approved ones, newest first.
                var approved = new System.Collections.Generic.HashSet<string>();
                foreach (var container in containers)
                {
                    if (ProjectConverger.IsStoppable(container)
                        && ShouldProcess(container.Name, "Stop container"))
                    {
                        approved.Add(container.Id);
                    }
                }

                if (approved.Count > 0)
                {
                    Stream((post, ct) => converger.StopAsync(name, c => approved.Contains(c.Id), new SynchronousProgress<string>(message => post(() => WriteVerbose(message))), ct));
                }

                if (PassThru)
                {
                    WriteObject(Await(ct => converger.GetContainersAsync(name, ct)), enumerateCollection: true);
                }
            });
        }
    }
}
