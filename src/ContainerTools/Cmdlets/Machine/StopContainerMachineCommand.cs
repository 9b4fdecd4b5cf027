using System;
using System.Management.Automation;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>Stop-ContainerMachine [docker-machine stop / podman machine stop]: stops the engine (SIGTERM, then SIGKILL after 30 s for Local); a stopped machine is no error.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerMachine))]
    public sealed class StopContainerMachineCommand : MachineTargetCmdlet
    {
        /// <summary>Writes the machine afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Stop machine";

        protected override void Act(MachineDefinition definition)
        {
            if (Run("Stopping machine " + definition.Name, definition.Name, (progress, ct) => Manager.StopAsync(definition, progress, ct)) && PassThru)
            {
                WriteObject(Describe(definition));
            }
        }
    }
}
