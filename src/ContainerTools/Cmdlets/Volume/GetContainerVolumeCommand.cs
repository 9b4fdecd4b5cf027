using System;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Volumes;

namespace ContainerTools.Cmdlets.Volume
{
    /// <summary>Get-ContainerVolume [docker volume ls / inspect]: volumes in name order.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerVolume")]
    [OutputType(typeof(ContainerVolume))]
    public sealed class GetContainerVolumeCommand : ContainerToolsCmdlet
    {
        /// <summary>Names or name patterns (wildcards). A missing exact name is an ObjectNotFound error.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.VolumeNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Only volumes with these labels: 'key' or 'key=value' (all must match).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        /// <summary>Only volumes no container uses (docker volume ls -f dangling=true).</summary>
        [Parameter]
        public SwitchParameter Dangling { get; set; }

        /// <summary>Only volumes of this driver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Driver { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Listing volumes on {engine.Name}.");
            if (Name == null || Name.Length == 0)
            {
                TryRun(engine.Name, () => WriteObject(Await(ct => engine.Volumes.ListAsync(Query(null), ct)), enumerateCollection: true));
                return;
            }

            foreach (var name in Name)
            {
                TryRun(name, () =>
                {
                    var found = Await(ct => engine.Volumes.ListAsync(Query(name), ct));
                    if (found.Count == 0 && !Wildcard.HasWildcards(name) && Await(ct => engine.Volumes.TryGetAsync(Wildcard.Unescape(name), ct)) == null)
                    {
                        WriteError(new ErrorRecord(
                            new ResourceNotFoundException("Volume", name, $"No volume named '{name}' exists on {engine.Name}. Get-ContainerVolume without -Name lists them all."),
                            "VolumeNotFound", ErrorCategory.ObjectNotFound, name));
                        return;
                    }

                    WriteObject(found, enumerateCollection: true);
                });
            }
        }

        private VolumeQuery Query(string? name)
        {
            var query = new VolumeQuery { Dangling = Dangling ? true : (bool?)null, Driver = Driver };
            if (name != null)
            {
                query.Names.Add(name);
            }

            foreach (var label in Label ?? Array.Empty<string>())
            {
                query.Labels.Add(label);
            }

            return query;
        }
    }
}
