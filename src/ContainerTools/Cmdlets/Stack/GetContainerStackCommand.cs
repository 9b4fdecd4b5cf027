using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Stack
{
    /// <summary>Get-ContainerStack [docker stack ls]: the swarm's stacks (services labelled com.docker.stack.namespace) in name order.</summary>
    [Cmdlet(VerbsCommon.Get, "ContainerStack")]
    [OutputType(typeof(ContainerStack))]
    public sealed class GetContainerStackCommand : ContainerToolsCmdlet
    {
        /// <summary>Stack names or patterns (wildcards). A missing exact name is a StackNotFound error.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("StackName")]
        [ArgumentCompleter(typeof(Completion.StackNameCompleter))]
        public string[]? Name { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Listing stacks on the swarm of {engine.Name}.");
            IReadOnlyList<ContainerStack> stacks = Array.Empty<ContainerStack>();
            if (!TryRun(engine.Name, () => stacks = Await(ct => engine.Stacks.ListAsync(null, ct))))
            {
                return;
            }

            if (Name == null || Name.Length == 0)
            {
                WriteObject(stacks, enumerateCollection: true);
                return;
            }

            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in Name)
            {
                var pattern = Wildcard.ToRegex(name);
                var found = stacks.Where(s => pattern.IsMatch(s.Name)).ToList();
                if (found.Count == 0 && !Wildcard.HasWildcards(name))
                {
                    WriteError(new ErrorRecord(
                        new ResourceNotFoundException("Stack", name, $"No stack named '{name}' exists on the swarm of {engine.Name}. Get-ContainerStack without -Name lists them all."),
                        "StackNotFound", ErrorCategory.ObjectNotFound, name));
                    continue;
                }

                WriteObject(found.Where(s => written.Add(s.Name)), enumerateCollection: true);
            }
        }
    }
}
