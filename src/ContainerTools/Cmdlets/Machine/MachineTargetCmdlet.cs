using System;
using System.Management.Automation;
using ContainerTools.Engine.Machines;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>The machine cmdlets that act on existing machines by name (Start, Stop, Remove): one -Name, one ShouldProcess per machine.</summary>
    public abstract class MachineTargetCmdlet : MachineCmdlet
    {
        /// <summary>Machine names (wildcards allowed), or machines from Get-ContainerMachine by their Name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.MachineNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>What -WhatIf and -Confirm say is done to each machine.</summary>
        protected abstract string Action { get; }

        protected abstract void Act(MachineDefinition definition);

        protected override void ProcessRecord()
        {
            foreach (var definition in Resolve(Name))
            {
                if (ShouldProcess(definition.Name, Action))
                {
                    Act(definition);
                }
            }
        }
    }
}
