using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Engine
{
    /// <summary>
    /// Get-ContainerEvent [docker events]: the engine's events as objects. Without -Follow it returns the events from
    /// -Since (default: the last hour) up to now; with -Follow it goes on writing new events until -Until or until the
    /// pipeline is stopped.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ContainerEvent")]
    [OutputType(typeof(ContainerEngineEvent))]
    public sealed class GetContainerEventCommand : ContainerToolsCmdlet, IDisposable
    {
        private RecordPump<ContainerEngineEvent>? _pump;

        /// <summary>Events since this time: a DateTime, or a duration before now such as '10m'.</summary>
        [Parameter]
        [TimeArgumentTransformation]
        public DateTimeOffset? Since { get; set; }

        /// <summary>Events before this time: a DateTime, or a duration before now such as '10m'.</summary>
        [Parameter]
        [TimeArgumentTransformation]
        public DateTimeOffset? Until { get; set; }

        /// <summary>Keep writing new events until -Until or until the pipeline is stopped.</summary>
        [Parameter]
        public SwitchParameter Follow { get; set; }

        /// <summary>Hashtables (@{ type = 'container'; event = 'start','die' }) and/or 'key=value' strings, as docker events --filter takes them.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public object[]? Filter { get; set; }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            var engine = ResolveEngine();
            var query = new ContainerEventQuery { Since = Since, Until = Until, Follow = Follow };
            try
            {
                foreach (var filter in Filter ?? Array.Empty<object>())
                {
                    AddFilter(query, filter is PSObject pso ? pso.BaseObject : filter);
                }
            }
            catch (ContainerEngineException e)
            {
                ThrowTerminatingError(ErrorMapping.ToErrorRecord(e, Filter));
            }

            WriteVerbose($"Reading the events of {engine.Name}{Describe(query)}.");
            _pump = new RecordPump<ContainerEngineEvent>(CancellationToken);
            _pump.Start(engine.Name, (post, ct) => engine.System.ReadEventsAsync(query, e => post(new[] { e }), ct));
            _pump.Drain(wait: true, WriteObject, WriteFailure);
        }

        public void Dispose() => _pump?.Dispose();

        private static void AddFilter(ContainerEventQuery query, object? filter)
        {
            switch (filter)
            {
                case null:
                    return;
                case string text:
                    query.AddFilter(text);
                    return;
                case IDictionary table:
                    foreach (DictionaryEntry entry in table)
                    {
                        var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                        var value = entry.Value is PSObject p ? p.BaseObject : entry.Value;
                        var values = value is string || !(value is IEnumerable many) ? new[] { value } : many.Cast<object?>().ToArray();
                        foreach (var v in values)
                        {
                            var item = v is PSObject pv ? pv.BaseObject : v;
                            query.AddFilter(key, Convert.ToString(item, CultureInfo.InvariantCulture) ?? string.Empty);
                        }
                    }

                    return;
                default:
                    throw new InvalidSpecException("InvalidEventFilter",
                        $"-Filter takes hashtables such as @{{ type = 'container'; event = 'start' }} or strings such as 'type=container', not a {filter.GetType().Name}.",
                        filter);
            }
        }

        private static string Describe(ContainerEventQuery query)
        {
            var since = query.Since?.ToString("o", CultureInfo.InvariantCulture) ?? (query.Follow ? "now" : "an hour ago");
            var until = query.Until?.ToString("o", CultureInfo.InvariantCulture) ?? (query.Follow ? "stopped" : "now");
            var filters = query.Filters.Count == 0 ? string.Empty : ", filters " + string.Join(", ", query.Filters.SelectMany(f => f.Value.Select(v => f.Key + "=" + v)));
            return $" (since {since}, until {until}{(query.Follow ? ", following" : string.Empty)}{filters})";
        }
    }
}
