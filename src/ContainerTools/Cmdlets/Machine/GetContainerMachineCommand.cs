using System;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>Get-ContainerMachine [docker-machine ls / podman machine ls]: the machines of the store with their state, endpoint and engine version.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerMachine")]
    [OutputType(typeof(ContainerMachine))]
    public sealed class GetContainerMachineCommand : MachineCmdlet
    {
        /// <summary>Machine names; wildcards allowed. All machines when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.MachineNameCompleter))]
        public string[] Name { get; set; } = new[] { "*" };

        protected override void ProcessRecord()
        {
            foreach (var definition in Resolve(Name))
            {
                WriteObject(Describe(definition));
            }
        }
    }
}
