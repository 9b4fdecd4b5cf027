using System;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Get-ContainerImageHistory [docker history]: the layers of an image, newest first.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerImageHistory", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerImageLayer))]
    public sealed class GetContainerImageHistoryCommand : ContainerToolsCmdlet
    {
        private const string ByName = "ByName";
        private const string ByObject = "ByObject";

        /// <summary>Image references or ids.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Reference")]
        [ArgumentCompleter(typeof(Completion.ImageNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Image rows from Get-ContainerImage.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerImage[] InputObject { get; set; } = Array.Empty<ContainerImage>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByObject)
            {
                foreach (var image in InputObject)
                {
                    var engine = Engine ?? image.Engine;
                    var reference = image.Reference ?? image.Id;
                    TryRun(reference, () => WriteObject(Await(ct => engine.Images.HistoryAsync(reference, ct)), enumerateCollection: true));
                }

                return;
            }

            var resolved = ResolveEngine();
            foreach (var name in Name)
            {
                TryRun(name, () => WriteObject(Await(ct => resolved.Images.HistoryAsync(name, ct)), enumerateCollection: true));
            }
        }
    }
}
