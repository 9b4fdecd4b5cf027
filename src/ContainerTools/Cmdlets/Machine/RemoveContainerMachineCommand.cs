using System;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>
    /// Remove-ContainerMachine [docker-machine rm / podman machine rm]: removes the machine and everything made for it
    /// (engine process or VM, data, network namespace, certificates, docker context). A running machine needs -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveContainerMachineCommand : MachineCmdlet
    {
        /// <summary>Machine names (wildcards allowed), or machines from Get-ContainerMachine by their Name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.MachineNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Stops a running machine and removes it; without -Force a running machine is a MachineRunning error.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var definition in Resolve(Name))
            {
                if (!ShouldProcess(definition.Name, "Remove machine and all its data"))
                {
                    continue;
                }

                Run("Removing machine " + definition.Name, definition.Name, (progress, ct) => Manager.RemoveAsync(definition, Force, progress, ct));
            }
        }
    }
}
