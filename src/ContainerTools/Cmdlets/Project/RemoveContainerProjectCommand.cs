using System.Collections.Generic;
using System.Management.Automation;
using ContainerTools.Engine.Compose;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Project
{
    /// <summary>
    /// Remove-ContainerProject [docker compose down]: removes the project's containers and the networks it created
    /// (external ones stay); its volumes only with -Volumes. Removing a project that is not there is no error.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerProject", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
    [OutputType(typeof(void))]
    public sealed class RemoveContainerProjectCommand : ProjectTargetCmdlet
    {
        /// <summary>Also remove the project's named volumes (those labelled with the project) and the containers' anonymous volumes.</summary>
        [Parameter]
        public SwitchParameter Volumes { get; set; }

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
                WriteVerbose($"Listing containers, networks{(Volumes ? " and volumes" : string.Empty)} labelled {ComposeProjectSummary.ProjectLabel}={name} on {engine.Name}.");

                // ShouldProcess on the pipeline thread: the plan first, then the approved removals.
                var approved = new HashSet<string>();
                Await(ct => converger.DownAsync(name, Volumes, (kind, item) =>
                {
                    approved.Add(kind + "/" + item);
                    return false;
                }, null, ct));
                var confirmed = new HashSet<string>();
                foreach (var item in approved)
                {
                    var slash = item.IndexOf('/');
                    if (ShouldProcess($"{item.Substring(0, slash)} {item.Substring(slash + 1)}", "Remove"))
                    {
                        confirmed.Add(item);
                    }
                }

                if (confirmed.Count == 0)
                {
                    return;
                }

                Stream((post, ct) => converger.DownAsync(name, Volumes, (kind, item) => confirmed.Contains(kind + "/" + item),
                    new SynchronousProgress<string>(message => post(() => WriteVerbose(message))), ct));
            });
        }
    }
}
