using System;
using System.Management.Automation;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>
    /// Remove-ContainerMachine [docker-machine rm / podman machine rm]: removes the machine and everything made for it
    /// (engine process or VM, data, network namespace, certificates, docker context). A running machine needs -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveContainerMachineCommand : MachineTargetCmdlet
    {
        /// <summary>Stops a running machine and removes it; without -Force a running machine is a MachineRunning error.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override string Action => "Remove machine and all its data";

        protected override void Act(MachineDefinition definition)
        {
            Run("Removing machine " + definition.Name, definition.Name, (progress, ct) => Manager.RemoveAsync(definition, Force, progress, ct));
        }
    }
}
