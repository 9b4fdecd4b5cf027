using System;
using System.Management.Automation;
using ContainerTools.Cmdlets.Registry;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Publish-ContainerImage [docker push]: one progress bar per layer; writes the registry's digest.</summary>
    [Cmdlet(VerbsData.Publish, "ContainerImage", SupportsShouldProcess = true)]
    [OutputType(typeof(ImagePushResult))]
    public sealed class PublishContainerImageCommand : ContainerToolsCmdlet
    {
        /// <summary>Tags to push, e.g. registry.example.com:5000/team/app:v2 (tag them first with Add-ContainerImageTag).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Reference")]
        [ArgumentCompleter(typeof(Completion.ImageNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Credentials for this push; without it, those stored by Connect-ContainerRegistry or docker login.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            var credential = RegistryCredentialParameter.From(Credential);
            foreach (var name in Name)
            {
                if (!ShouldProcess(name, "Push image"))
                {
                    continue;
                }

                WriteVerbose($"Asking {engine.Name} to push {name}.");
                TryRun(name, () => WriteObject(
                    WithLayerProgress("Pushing " + name, (progress, ct) => engine.Images.PushAsync(name, credential, progress, ct))));
            }
        }
    }
}
