using System.Management.Automation;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Invoke-ContainerImage [docker run --rm]: runs a container to completion and returns one result with
    /// its output lines and exit code (with -Verbose the lines are also written to the Verbose stream).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ContainerImage", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerRunResult))]
    public sealed class InvokeContainerImageCommand : ContainerSpecCmdlet
    {
        /// <summary>Leave the container on the engine after it exits (for Get-ContainerLog or inspection).</summary>
        [Parameter]
        public SwitchParameter KeepContainer { get; set; }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess($"image {Image}", "Run container to completion"))
            {
                return;
            }

            var engine = ResolveEngine();
            var spec = BuildSpec();
            var verbose = MyInvocation.BoundParameters.ContainsKey("Verbose");
            WriteVerbose($"Running a container from {Image} on {engine.Name}.");
            TryRun(Image, () =>
            {
                var result = Await(ct => engine.Containers.RunAsync(spec, KeepContainer, null, ct));
                if (verbose)
                {
                    foreach (var line in result.Output)
                    {
                        WriteVerbose("stdout: " + line);
                    }

                    foreach (var line in result.ErrorOutput)
                    {
                        WriteVerbose("stderr: " + line);
                    }
                }

                WriteObject(result);
            });
        }
    }
}
