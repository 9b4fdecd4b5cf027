using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Get-ContainerProcess [docker top]: the processes running in a container, one object each, with every column ps
    /// gave as a property (UID, PID, PPID, C, STIME, TTY, TIME, CMD by default; -Arguments 'aux' gives USER, %CPU, …).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ContainerProcess", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerProcess))]
    public sealed class GetContainerProcessCommand : ContainerTargetCmdlet
    {
        /// <summary>ps options, as docker top takes them after the container ('aux', '-eo pid,comm'); ps -ef when omitted.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        [Alias("PsArguments")]
        public string? Arguments { get; set; }

        protected override string ActionDescription => "List the processes of container";

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken)
        {
            var processes = await engine.Containers.GetProcessesAsync(reference, Arguments, cancellationToken).ConfigureAwait(false);
            return processes.Select(p =>
            {
                // Every ps column is a property too (UID, PPID, %CPU, RSS, …), unless a typed property of that name exists.
                var wrapped = PSObject.AsPSObject(p);
                foreach (var column in p.Columns)
                {
                    if (wrapped.Properties[column.Key] == null)
                    {
                        wrapped.Properties.Add(new PSNoteProperty(column.Key, column.Value));
                    }
                }

                return wrapped;
            }).ToList();
        }
    }
}
