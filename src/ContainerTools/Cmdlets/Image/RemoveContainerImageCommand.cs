using System;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>
    /// Remove-ContainerImage [docker rmi / docker image prune]: untags a reference and deletes the image with
    /// its last tag; or, with -Dangling / -Unused, prunes.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
    [OutputType(typeof(ImagePruneResult))]
    public sealed class RemoveContainerImageCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ByObject = "ByObject";
        private const string PruneDangling = "PruneDangling";
        private const string PruneUnused = "PruneUnused";

        /// <summary>References (busybox:1.36) or image ids. A reference removes that tag; the image goes with its last tag.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Reference")]
        [ArgumentCompleter(typeof(Completion.ImageNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Image rows from Get-ContainerImage: each removes its tag (or the image, when untagged).</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerImage[] InputObject { get; set; } = Array.Empty<ContainerImage>();

        /// <summary>Remove even when stopped containers use it, and do not fail when it is already gone.</summary>
        [Parameter(ParameterSetName = ByName)]
        [Parameter(ParameterSetName = ByObject)]
        public SwitchParameter Force { get; set; }

        /// <summary>Keep untagged parent images.</summary>
        [Parameter(ParameterSetName = ByName)]
        [Parameter(ParameterSetName = ByObject)]
        public SwitchParameter NoPrune { get; set; }

        /// <summary>Prune: remove every untagged image no container uses (docker image prune).</summary>
        [Parameter(ParameterSetName = PruneDangling, Mandatory = true)]
        public SwitchParameter Dangling { get; set; }

        /// <summary>Prune: remove every image no container uses, tagged or not (docker image prune -a).</summary>
        [Parameter(ParameterSetName = PruneUnused, Mandatory = true)]
        public SwitchParameter Unused { get; set; }

        /// <summary>With -Dangling or -Unused: only images with these labels ('key' or 'key=value').</summary>
        [Parameter(ParameterSetName = PruneDangling)]
        [Parameter(ParameterSetName = PruneUnused)]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        /// <summary>Write what was deleted and untagged.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            if (ParameterSetName == PruneDangling || ParameterSetName == PruneUnused)
            {
                var danglingOnly = ParameterSetName == PruneDangling;
                if (!ShouldProcess(engine.Name, danglingOnly ? "Remove every dangling image" : "Remove every image no container uses"))
                {
                    return;
                }

                TryRun(engine.Name, () => WriteObject(Await(ct => engine.Images.PruneAsync(danglingOnly, Label, ct))));
                return;
            }

            if (ParameterSetName == ByObject)
            {
                foreach (var image in InputObject)
                {
                    Remove(Engine ?? image.Engine, image.Reference ?? image.Id);
                }

                return;
            }

            foreach (var name in Name)
            {
                Remove(engine, name);
            }
        }

        private void Remove(ContainerTools.Engine.Connection.ContainerEngineConnection engine, string reference)
        {
            if (!ShouldProcess(reference, "Remove image"))
            {
                return;
            }

            WriteVerbose($"Removing image {reference} on {engine.Name}.");
            // One at a time: removing several tags of one image at once makes the engine report some as missing.
            TryRun(reference, () =>
            {
                var result = Await(ct => engine.Images.RemoveAsync(reference, Force, NoPrune, ct));
                if (PassThru)
                {
                    WriteObject(result);
                }
            });
        }
    }
}
