using System.Collections;
using System.Management.Automation;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Volumes;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Volume
{
    /// <summary>
    /// New-ContainerVolume [docker volume create]. As with docker, a volume of that name that exists already is returned,
    /// but only when it has the driver, options and labels asked for (else VolumeExistsWithDifferentSettings).
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ContainerVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerVolume))]
    public sealed class NewContainerVolumeCommand : ContainerToolsCmdlet
    {
        /// <summary>The volume's name; the engine makes one up (an anonymous volume) when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>local (the default) or a volume plugin's driver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Driver { get; set; }

        /// <summary>Driver options as a hashtable (docker volume create -o), e.g. @{ type = 'tmpfs'; device = 'tmpfs'; o = 'size=64m' }.</summary>
        [Parameter]
        public Hashtable? Option { get; set; }

        /// <summary>Labels as a hashtable.</summary>
        [Parameter]
        public Hashtable? Label { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            var spec = new VolumeCreateSpec { Name = Name, Driver = Driver };
            HashtableValues.CopyTo(Option, spec.Options);
            HashtableValues.CopyTo(Label, spec.Labels);
            var target = Name ?? "a new anonymous volume";
            if (!ShouldProcess(target, "Create volume"))
            {
                return;
            }

            WriteVerbose($"Creating volume '{target}' on {engine.Name}.");
            TryRun(target, () =>
            {
                var (volume, created) = Await(ct => engine.Volumes.CreateAsync(spec, ct));
                if (!created)
                {
                    WriteVerbose($"Volume '{volume.Name}' exists already with the settings asked for; returning it.");
                }

                WriteObject(volume);
            });
        }
    }
}
