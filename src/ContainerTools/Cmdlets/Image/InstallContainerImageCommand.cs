using System;
using System.Management.Automation;
using ContainerTools.Cmdlets.Registry;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Install-ContainerImage [docker pull]: one progress bar per layer; writes the pulled image.</summary>
    [Cmdlet(VerbsLifecycle.Install, "ContainerImage", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerImage))]
    public sealed class InstallContainerImageCommand : ContainerToolsCmdlet
    {
        /// <summary>References to pull: busybox, busybox:1.36, registry.example.com:5000/team/app@sha256:….</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Reference", "Image")]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Pull every tag of the repository.</summary>
        [Parameter]
        public SwitchParameter AllTags { get; set; }

        /// <summary>The platform to pull, e.g. linux/arm64 (the engine's own by default).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Platform { get; set; }

        /// <summary>Credentials for this pull; without it, those stored by Connect-ContainerRegistry or docker login.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            var credential = RegistryCredentialParameter.From(Credential);
            foreach (var name in Name)
            {
                if (!ShouldProcess(name, "Pull image"))
                {
                    continue;
                }

                WriteVerbose($"Asking {engine.Name} to pull {name}.");
                TryRun(name, () => WriteObject(
                    WithLayerProgress("Pulling " + name, (progress, ct) => engine.Images.PullAsync(name, AllTags, Platform, credential, progress, ct)),
                    enumerateCollection: true));
            }
        }
    }
}
