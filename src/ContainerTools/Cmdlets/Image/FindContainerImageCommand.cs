using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Image
{
    /// <summary>Find-ContainerImage [docker search]: searches Docker Hub, or the registry named in the term.</summary>
    [Cmdlet(VerbsCommon.Find, "ContainerImage")]
    [OutputType(typeof(ImageSearchResult))]
    public sealed class FindContainerImageCommand : ContainerToolsCmdlet
    {
        /// <summary>What to search for; 'registry.example.com/term' searches that registry.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public string Term { get; set; } = string.Empty;

        /// <summary>At most this many results (the registry's default, usually 25, when omitted).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int? Limit { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            WriteVerbose($"Asking {engine.Name} to search for '{Term}'.");
            TryRun(Term, () => WriteObject(Await(ct => engine.Images.SearchAsync(Term, Limit, ct)), enumerateCollection: true));
        }
    }
}
