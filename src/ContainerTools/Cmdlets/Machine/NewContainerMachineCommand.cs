using System;
using System.Collections;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Machines.Local;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>
    /// New-ContainerMachine [docker-machine create / podman machine init + start]: creates a managed engine with TLS
    /// (its own CA, server and client certificates), a docker context of its name, and leaves it running. A machine
    /// whose creation was interrupted is resumed by running the command again.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ContainerMachine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerMachine))]
    public sealed class NewContainerMachineCommand : MachineCmdlet
    {
        /// <summary>The machine's name (also the name of its docker context).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>Where the engine runs: Local (a dockerd on this Linux host; the default on Linux), Wsl or HyperV (Windows).</summary>
        [Parameter]
        public MachineProviderKind? Provider { get; set; }

        /// <summary>Processors for the machine (Wsl, HyperV). The Local provider shares the host's.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int Cpus { get; set; }

        /// <summary>Memory for the machine: '2g', '512m' or bytes (Wsl, HyperV). The Local provider shares the host's.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Memory { get; set; }

        /// <summary>Disk size for the machine: '20g' or bytes (Wsl, HyperV). The Local provider uses the host's disk.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DiskSize { get; set; }

        /// <summary>Local provider: run the engine in a network namespace of its own, with an address on the module's bridge (ctm0, 10.231.0.0/24), so several machines form a multi-node lab.</summary>
        [Parameter]
        [Alias("NetworkNamespace")]
        public SwitchParameter Isolated { get; set; }

        /// <summary>Provider settings, recorded with the machine: Wsl: DistributionName, RootFileSystem (file or address), RootFileSystemChecksum ('sha256:hex'); HyperV: VMName, Switch, Image, ImageChecksum. See about_ContainerMachines.</summary>
        [Parameter]
        public Hashtable? ProviderSetting { get; set; }

        /// <summary>Writes the machine.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var provider = Provider ?? MachineProviders.DefaultKind;
            MachineDefinition requested;
            try
            {
                MachineStore.ValidateName(Name);
                requested = new MachineDefinition { Name = Name, Provider = provider };
                HashtableValues.CopyTo(ProviderSetting, requested.ProviderSettings);
                if (Isolated && provider != MachineProviderKind.Local)
                {
                    throw new InvalidSpecException("IsolatedNeedsLocalProvider", $"-Isolated applies to the Local provider only; the {provider} provider gives every machine its own network already.", Name);
                }

                if (provider == MachineProviderKind.Local)
                {
                    requested.ProviderSettings[LocalMachineProvider.IsolatedSetting] = Isolated ? "true" : "false";
                    if (Cpus != 0 || Memory != null || DiskSize != null)
                    {
                        WriteWarning("The Local provider runs dockerd on this host: it shares the host's processors, memory and disk, so -Cpus, -Memory and -DiskSize do not apply and are not recorded. Limit containers with New-Container -Cpus/-Memory instead.");
                    }
                }
                else
                {
                    requested.Cpus = Cpus;
                    requested.MemoryBytes = Memory == null ? 0 : ValueParsers.ParseBytes(Memory, "-Memory");
                    requested.DiskBytes = DiskSize == null ? 0 : ValueParsers.ParseBytes(DiskSize, "-DiskSize");
                }
            }
            catch (ContainerEngineException e)
            {
                WriteError(ErrorMapping.ToErrorRecord(e, Name));
                return;
            }

            var existing = Manager.Store.Find(Name);
            var action = existing != null && !existing.CreationComplete ? "Resume creating machine" : $"Create machine ({provider}{(Isolated ? ", isolated" : string.Empty)})";
            if (!ShouldProcess(Name, action))
            {
                return;
            }

            MachineDefinition? created = null;
            WriteVerbose($"{action} '{Name}' in {Manager.Store.Root}.");
            if (Run("Creating machine " + Name, Name, async (progress, ct) => created = await Manager.CreateAsync(requested, progress, ct).ConfigureAwait(false))
                && PassThru)
            {
                WriteObject(Describe(created!));
            }
        }
    }
}
