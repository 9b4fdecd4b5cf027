using System;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Images;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Get-ContainerImage [docker images]: one object per repository:tag.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerImage", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerImage))]
    public sealed class GetContainerImageCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ById = "ById";

        /// <summary>Repository[:tag] names or patterns (wildcards); 'busybox' matches every busybox tag. An exact name that matches nothing is an ObjectNotFound error.</summary>
        [Parameter(ParameterSetName = ByName, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("Reference")]
        [ArgumentCompleter(typeof(Completion.ImageNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Image ids or id prefixes (sha256: optional).</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("ImageId")]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Only untagged (dangling) images.</summary>
        [Parameter]
        public SwitchParameter Dangling { get; set; }

        /// <summary>Include intermediate images (docker images -a).</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        /// <summary>Only images with these labels: 'key' or 'key=value'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            if (ParameterSetName == ById)
            {
                foreach (var id in Id)
                {
                    TryRun(id, () => WriteObject(Await(ct => engine.Images.GetAsync(id, ct)).Where(Matches), enumerateCollection: true));
                }

                return;
            }

            var names = Name ?? Array.Empty<string>();
            if (names.Length == 0)
            {
                TryRun(engine.Name, () => WriteObject(Await(ct => engine.Images.ListAsync(Query(), ct)), enumerateCollection: true));
                return;
            }

            foreach (var name in names)
            {
                TryRun(name, () =>
                {
                    var query = Query();
                    query.Names.Add(name);
                    var found = Await(ct => engine.Images.ListAsync(query, ct));
                    if (found.Count == 0 && !Wildcard.HasWildcards(name))
                    {
                        WriteError(new ErrorRecord(
                            new ResourceNotFoundException("Image", name, $"No image '{name}' on {engine.Name}. Get-ContainerImage lists them; Install-ContainerImage pulls one."),
                            "ImageNotFound", ErrorCategory.ObjectNotFound, name));
                        return;
                    }

                    WriteObject(found, enumerateCollection: true);
                });
            }
        }

        // The filters the engine applies to a listing, applied here to the rows of one image.
        private bool Matches(ContainerImage image)
        {
            if (Dangling && !image.Dangling)
            {
                return false;
            }

            return LabelFilter.Matches(image.Labels, Label);
        }

        private ImageQuery Query()
        {
            var query = new ImageQuery { All = All, Dangling = Dangling ? true : (bool?)null };
            foreach (var label in Label ?? Array.Empty<string>())
            {
                query.Labels.Add(label);
            }

            return query;
        }
    }
}
