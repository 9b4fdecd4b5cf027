using System.Collections.Generic;
using System.Threading.Tasks;
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

        /// <summary>Also remove images [docker compose down --rmi]: Local, the images named by the project (PROJECT-SERVICE, built for it); All, every image its services use. An image another container still uses is reported (ImageInUse) and kept.</summary>
        [Parameter]
        public ProjectImageRemoval? RemoveImages { get; set; }

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
                var images = RemoveImages is ProjectImageRemoval mode
                    ? Await(ct => converger.ListProjectImagesAsync(name, mode, LoadedProject, ct))
                    : new List<string>();
                foreach (var image in images)
                {
                    approved.Add("image/" + image);
                }

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

                var failures = Stream(async (post, ct) =>
                {
                    var log = new SynchronousProgress<string>(message => post(() => WriteVerbose(message)));
                    await converger.DownAsync(name, Volumes, (kind, item) => confirmed.Contains(kind + "/" + item), log, ct).ConfigureAwait(false);
                    return await converger.RemoveImagesAsync(images, image => confirmed.Contains("image/" + image), log, ct).ConfigureAwait(false);
                });
                foreach (var failure in failures)
                {
                    WriteFailure(failure.Error, failure.Reference);
                }
            });
        }
    }
}
