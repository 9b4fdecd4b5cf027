using System;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>Stop-ContainerMachine [docker-machine stop / podman machine stop]: stops the engine (SIGTERM, then SIGKILL after 30 s for Local); a stopped machine is no error.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerMachine))]
    public sealed class StopContainerMachineCommand : MachineCmdlet
    {
        /// <summary>Machine names (wildcards allowed), or machines from Get-ContainerMachine by their Name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.MachineNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Writes the machine afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var definition in Resolve(Name))
            {
                if (!ShouldProcess(definition.Name, "Stop machine"))
                {
                    continue;
                }

                if (Run("Stopping machine " + definition.Name, definition.Name, (progress, ct) => Manager.StopAsync(definition, progress, ct)) && PassThru)
                {
                    WriteObject(Describe(definition));
                }
            }
        }
    }
}
