using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>New-Container [docker create]; with -Start [docker run -d].</summary>
    [Cmdlet(VerbsCommon.New, "Container", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class NewContainerCommand : ContainerSpecCmdlet
    {
        /// <summary>Start the container after creating it. If it cannot start, it is removed again.</summary>
        [Parameter]
        public SwitchParameter Start { get; set; }

        /// <summary>Remove the container when it exits.</summary>
        [Parameter]
        [Alias("Rm")]
        public SwitchParameter AutoRemove { get; set; }

        protected override void ProcessRecord()
        {
            var description = Name == null ? $"image {Image}" : $"'{Name}' from image {Image}";
            if (!ShouldProcess(description, Start ? "Create and start container" : "Create container"))
            {
                return;
            }

            var engine = ResolveEngine();
            var spec = BuildSpec();
            spec.AutoRemove = AutoRemove;
            WriteVerbose($"{(Start ? "Creating and starting" : "Creating")} a container from {Image} on {engine.Name}.");
            var target = (object?)Name ?? Image;
            Enqueue(target, async ct =>
            {
                var container = Start
                    ? await engine.Containers.CreateAndStartAsync(spec, ct).ConfigureAwait(false)
                    : await engine.Containers.CreateAsync(spec, ct).ConfigureAwait(false);
                return () => WriteObject(container);
            });
        }
    }
}
