using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Get-ContainerLog [docker logs -t]: a container's log as records {Container, Stream, Timestamp, Message}, written as
    /// they are read. With -Follow, every container named or piped in is followed at once and their records interleave
    /// as they arrive, until the containers stop or the pipeline is stopped.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ContainerLog", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerLogRecord))]
    public sealed class GetContainerLogCommand : ContainerTargetCmdlet, IDisposable
    {
        private RecordPump<ContainerLogRecord>? _pump;

        /// <summary>Keep writing new lines until the container stops (or the pipeline is stopped).</summary>
        [Parameter]
        public SwitchParameter Follow { get; set; }

        /// <summary>Only the last N lines of each container's log.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? Tail { get; set; }

        /// <summary>Only lines since this time: a DateTime, or a duration before now such as '10m'.</summary>
        [Parameter]
        [TimeArgumentTransformation]
        public DateTimeOffset? Since { get; set; }

        /// <summary>Only lines before this time: a DateTime, or a duration before now such as '10m'.</summary>
        [Parameter]
        [TimeArgumentTransformation]
        public DateTimeOffset? Until { get; set; }

        /// <summary>Stdout, Stderr or All (the default).</summary>
        [Parameter]
        public ContainerLogStream Stream { get; set; } = ContainerLogStream.All;

        protected override string ActionDescription => "Read the log of container";

        protected override void ProcessRecord()
        {
            _pump ??= new RecordPump<ContainerLogRecord>(CancellationToken);
            var query = new ContainerLogQuery { Follow = Follow, Tail = Tail, Since = Since, Until = Until, Streams = Stream };
            foreach (var (engine, reference, display) in Targets())
            {
                WriteVerbose($"Reading the log of container '{display}' on {engine.Name}{Describe(query)}.");
                _pump.Start(display, (post, ct) => engine.Containers.ReadLogAsync(reference, query, post, ct));

                // One container after the other, each whole; followed containers are read all at once, written as lines come.
                _pump.Drain(wait: !Follow, WriteObject, WriteFailure);
            }
        }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            _pump?.Drain(wait: true, WriteObject, WriteFailure);
        }

        protected override Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken) =>
            throw new NotSupportedException("Get-ContainerLog streams its records from ProcessRecord.");

        public void Dispose() => _pump?.Dispose();

        private static string Describe(ContainerLogQuery query)
        {
            var parts = new List<string>();
            if (query.Follow)
            {
                parts.Add("following");
            }

            if (query.Tail != null)
            {
                parts.Add("last " + query.Tail.Value.ToString(CultureInfo.InvariantCulture) + " lines");
            }

            if (query.Since != null)
            {
                parts.Add("since " + query.Since.Value.ToString("o", CultureInfo.InvariantCulture));
            }

            if (query.Until != null)
            {
                parts.Add("until " + query.Until.Value.ToString("o", CultureInfo.InvariantCulture));
            }

            if (query.Streams != ContainerLogStream.All)
            {
                parts.Add(query.Streams + " only");
            }

            return parts.Count == 0 ? string.Empty : " (" + string.Join(", ", parts) + ")";
        }
    }
}
