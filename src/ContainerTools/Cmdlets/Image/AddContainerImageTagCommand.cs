using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Add-ContainerImageTag [docker tag]: gives an image more names.</summary>
    [Cmdlet(VerbsCommon.Add, "ContainerImageTag", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerImage))]
    public sealed class AddContainerImageTagCommand : ContainerToolsCmdlet
    {
        /// <summary>The image to tag: a reference (busybox:latest) or an image id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Id", "SourceImage")]
        [ArgumentCompleter(typeof(Completion.ImageNameCompleter))]
        public string Image { get; set; } = string.Empty;

        /// <summary>The new references, e.g. 'registry.example.com:5000/team/app:v2' (the tag defaults to latest).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[] Tag { get; set; } = System.Array.Empty<string>();

        /// <summary>Write the image row of each new tag.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            foreach (var tag in Tag)
            {
                var source = Image;
                if (!ShouldProcess(source, $"Tag image as '{tag}'"))
                {
                    continue;
                }

                WriteVerbose($"Tagging {source} as {tag} on {engine.Name}.");
                Enqueue(tag, async ct =>
                {
                    var row = await engine.Images.TagAsync(source, tag, ct).ConfigureAwait(false);
                    return () =>
                    {
                        if (PassThru)
                        {
                            WriteObject(row);
                        }
                    };
                });
            }
        }
    }
}
