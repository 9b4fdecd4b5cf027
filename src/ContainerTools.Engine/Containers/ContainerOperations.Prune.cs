using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using Container = ContainerTools.Engine.Model.Container;

namespace ContainerTools.Engine.Containers
{
    public sealed partial class ContainerOperations
    {
        /// <summary>The containers a prune with these filters would remove: every one not running (created, exited, dead).</summary>
        public async Task<IReadOnlyList<Container>> PruneCandidatesAsync(IEnumerable<string>? labels = null, DateTimeOffset? until = null,
            CancellationToken cancellationToken = default)
        {
            var query = new ContainerQuery();
            query.States.Add(ContainerState.Created);
            query.States.Add(ContainerState.Exited);
            query.States.Add(ContainerState.Dead);
            foreach (var label in labels ?? Array.Empty<string>())
            {
                query.Labels.Add(label);
            }

            var stopped = await ListAsync(query, cancellationToken).ConfigureAwait(false);
            return stopped.Where(c => until == null || c.Created < until).ToList();
        }

        /// <summary>Removes every stopped container with these labels, created before until (docker container prune).</summary>
        public Task<PruneResult> PruneAsync(IEnumerable<string>? labels = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
        {
            var filters = new EngineFilters();
            foreach (var label in labels ?? Array.Empty<string>())
            {
                filters.Add("label", label);
            }

            if (until != null)
            {
                filters.Add("until", EngineJson.UnixSeconds(until.Value));
            }

            return EngineCall.RunAsync(_engine, Kind, null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/containers/prune" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                if ((int)status >= 300)
                {
                    throw EngineCall.Translate(status, EngineCall.ApiMessage(text), Kind, null, null);
                }

                using var doc = JsonDocument.Parse(text);
                var deleted = EngineJson.Array(doc.RootElement, "ContainersDeleted").Select(e => e.GetString() ?? string.Empty).Where(s => s.Length > 0).ToList();
                return new PruneResult(Kind, deleted, EngineJson.Long(doc.RootElement, "SpaceReclaimed", 0), _engine);
            }, cancellationToken);
        }
    }
}
