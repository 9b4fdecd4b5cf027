using System;
using System.Management.Automation;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>Start-ContainerMachine [docker-machine start / podman machine start]: starts stopped machines (their data is kept); a running machine is no error; a machine whose creation was interrupted is created.</summary>
    [Cmdlet(VerbsLifecycle.Start, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerMachine))]
    public sealed class StartContainerMachineCommand : MachineTargetCmdlet
    {
        /// <summary>Writes the machine afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Start machine";

        protected override void Act(MachineDefinition definition)
        {
            if (Run("Starting machine " + definition.Name, definition.Name, (progress, ct) => Manager.StartAsync(definition, progress, ct)) && PassThru)
            {
                WriteObject(Describe(definition));
            }
        }
    }
}
