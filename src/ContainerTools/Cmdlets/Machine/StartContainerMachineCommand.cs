using System;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>Start-ContainerMachine [docker-machine start / podman machine start]: starts stopped machines (their data is kept); a running machine is no error; a machine whose creation was interrupted is created.</summary>
    [Cmdlet(VerbsLifecycle.Start, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerMachine))]
    public sealed class StartContainerMachineCommand : MachineCmdlet
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
                if (!ShouldProcess(definition.Name, "Start machine"))
                {
                    continue;
                }

                if (Run("Starting machine " + definition.Name, definition.Name, (progress, ct) => Manager.StartAsync(definition, progress, ct)) && PassThru)
                {
                    WriteObject(Describe(definition));
                }
            }
        }
    }
}
