using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Networks;

namespace ContainerTools.Engine.Volumes
{
    /// <summary>Which volumes Get-ContainerVolume lists.</summary>
    public sealed class VolumeQuery
    {
        /// <summary>Name patterns (wildcards).</summary>
        public IList<string> Names { get; } = new List<string>();

        /// <summary>'key' or 'key=value'; all must match.</summary>
        public IList<string> Labels { get; } = new List<string>();

        /// <summary>Only volumes no container uses (true), only used ones (false), or both (null).</summary>
        public bool? Dangling { get; set; }

        public string? Driver { get; set; }
    }

    /// <summary>What New-ContainerVolume can say (docker volume create).</summary>
    public sealed class VolumeCreateSpec
    {
        /// <summary>The engine makes up a name (64 hex digits) when omitted.</summary>
        public string? Name { get; set; }

        /// <summary>local when omitted.</summary>
        public string? Driver { get; set; }

        public IDictionary<string, string> Options { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Volumes on one engine: list, create, remove, prune.</summary>
    public sealed class VolumeOperations
    {
        private const string Kind = "Volume";
        private static readonly Regex VolumeName = new Regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", RegexOptions.CultureInvariant);
        private readonly ContainerEngineConnection _engine;

        internal VolumeOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>Lists volumes (docker volume ls) in name order.</summary>
        public async Task<IReadOnlyList<ContainerVolume>> ListAsync(VolumeQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new VolumeQuery();
            var filters = new EngineFilters();
            foreach (var label in query.Labels)
            {
                filters.Add("label", label);
            }

            if (query.Dangling != null)
            {
                filters.Add("dangling", query.Dangling.Value ? "true" : "false");
            }

            if (!string.IsNullOrWhiteSpace(query.Driver))
            {
                filters.Add("driver", query.Driver!.Trim());
            }

            var patterns = query.Names.Select(n => Wildcard.ToRegex(n)).ToList();
            var volumes = await EngineCall.RunAsync(_engine, Kind, null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/volumes" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                return EngineJson.Array(doc.RootElement, "Volumes").Select(ToVolume).ToList();
            }, cancellationToken).ConfigureAwait(false);
            return volumes.Where(v => patterns.Count == 0 || patterns.Any(p => p.IsMatch(v.Name)))
                .OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        }

        /// <summary>A volume by its exact name (docker volume inspect); ResourceNotFoundException when none.</summary>
        public async Task<ContainerVolume> GetAsync(string name, CancellationToken cancellationToken = default) =>
            await TryGetAsync(name, cancellationToken).ConfigureAwait(false) ?? throw NotFound(name);

        public Task<ContainerVolume?> TryGetAsync(string name, CancellationToken cancellationToken = default)
        {
            var n = CheckName(name);
            return EngineCall.RunAsync(_engine, Kind, n, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/volumes/" + Uri.EscapeDataString(n), null, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return null;
                }

                EngineCall.Check(status, text, Kind, n);
                using var doc = JsonDocument.Parse(text);
                return ToVolume(doc.RootElement);
            }, cancellationToken);
        }

        /// <summary>
        /// Creates a volume (docker volume create). As with docker, a volume of that name that exists already is returned
        /// (Created false), but only when it has the driver, options and labels asked for; otherwise a
        /// VolumeExistsWithDifferentSettings error names the differences.
        /// </summary>
        public async Task<(ContainerVolume Volume, bool Created)> CreateAsync(VolumeCreateSpec spec, CancellationToken cancellationToken = default)
        {
            string? name = null;
            if (!string.IsNullOrWhiteSpace(spec.Name))
            {
                name = CheckName(spec.Name!);
                if (!VolumeName.IsMatch(name))
                {
                    throw new InvalidSpecException("InvalidVolumeName",
                        $"'{name}' is not a valid volume name: use letters, digits and _ . - and start with a letter or digit.", name);
                }

                var existing = await TryGetAsync(name, cancellationToken).ConfigureAwait(false);
                if (existing != null)
                {
                    return (Matching(existing, spec), false);
                }
            }

            var body = new Dictionary<string, object?>
            {
                ["Driver"] = string.IsNullOrWhiteSpace(spec.Driver) ? "local" : spec.Driver!.Trim(),
                ["DriverOpts"] = spec.Options,
                ["Labels"] = spec.Labels,
            };
            if (name != null)
            {
                body["Name"] = name;
            }

            var created = await EngineCall.RunAsync(_engine, Kind, name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/volumes/create", body, cancellationToken).ConfigureAwait(false);
                if (!EngineCall.IsSuccess(status) && name != null && EngineCall.ApiMessage(text).IndexOf("already in use with driver", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return null; // created by someone else, with another driver, since we looked
                }

                if (status == HttpStatusCode.NotFound)
                {
                    throw new ContainerEngineException("VolumeDriverNotFound", EngineErrorKind.InvalidArgument,
                        $"The engine has no volume driver '{body["Driver"]}' ({EngineCall.ApiMessage(text).TrimEnd('.')}). Use 'local', or install the driver's plugin on the engine.",
                        body["Driver"]);
                }

                EngineCall.Check(status, text, Kind, name);
                using var doc = JsonDocument.Parse(text);
                return ToVolume(doc.RootElement);
            }, cancellationToken).ConfigureAwait(false);
            if (created == null)
            {
                return (Matching(await GetAsync(name!, cancellationToken).ConfigureAwait(false), spec), false);
            }

            // The engine answers with the existing volume when one appeared since we looked; it must still match.
            return (Matching(created, spec), true);
        }

        /// <summary>
        /// Removes a volume (docker volume rm). A volume containers use is a VolumeInUse error naming them. A missing one is
        /// a VolumeNotFound error, or nothing with force (returns false).
        /// </summary>
        public Task<bool> RemoveAsync(string name, bool force = false, CancellationToken cancellationToken = default)
        {
            var n = CheckName(name);
            return EngineCall.RunAsync(_engine, Kind, n, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Delete, "/volumes/" + Uri.EscapeDataString(n) + (force ? "?force=1" : string.Empty), null, cancellationToken)
                    .ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return force ? false : throw NotFound(n);
                }

                if (status == HttpStatusCode.Conflict)
                {
                    var users = await UsersAsync(c, n, cancellationToken).ConfigureAwait(false);
                    var who = users.Count == 0 ? "containers" : "containers " + string.Join(", ", users);
                    var list = users.Count == 0 ? "<container>" : string.Join(",", users);
                    throw new ContainerEngineException("VolumeInUse", EngineErrorKind.Conflict,
                        $"Volume '{n}' is in use by {who}. Remove them first (Remove-Container {list} -Force), then remove the volume.", n);
                }

                EngineCall.Check(status, text, Kind, n);
                return true;
            }, cancellationToken);
        }

        /// <summary>The volumes a prune with these settings would remove: unused ones with the labels, anonymous ones only unless includeNamed.</summary>
        public async Task<IReadOnlyList<ContainerVolume>> PruneCandidatesAsync(IEnumerable<string>? labels = null, bool includeNamed = false,
            CancellationToken cancellationToken = default)
        {
            var query = new VolumeQuery { Dangling = true };
            foreach (var label in labels ?? Array.Empty<string>())
            {
                query.Labels.Add(label);
            }

            var unused = await ListAsync(query, cancellationToken).ConfigureAwait(false);
            return unused.Where(v => includeNamed || v.Anonymous).ToList();
        }

        /// <summary>
        /// Removes unused volumes with these labels (docker volume prune): anonymous ones only, or named ones too with includeNamed
        /// (docker volume prune --all). Engines before API 1.42 prune named volumes too; there the anonymous-only prune removes the
        /// anonymous candidates one by one instead, so the result is the same on every engine.
        /// </summary>
        public async Task<PruneResult> PruneAsync(IEnumerable<string>? labels = null, bool includeNamed = false, CancellationToken cancellationToken = default)
        {
            var labelList = (labels ?? Array.Empty<string>()).ToList();
            var client = await _engine.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var scopedByEngine = client.ApiVersion >= new Version(1, 42);
            if (!includeNamed && !scopedByEngine)
            {
                var deleted = new List<string>();
                foreach (var volume in await PruneCandidatesAsync(labelList, false, cancellationToken).ConfigureAwait(false))
                {
                    try
                    {
                        if (await RemoveAsync(volume.Name, force: false, cancellationToken).ConfigureAwait(false))
                        {
                            deleted.Add(volume.Name);
                        }
                    }
                    catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict || e.Kind == EngineErrorKind.NotFound)
                    {
                        // Put to use or removed since it was listed: a prune leaves it, as the engine's prune would.
                    }
                }

                return new PruneResult(Kind, deleted, 0, _engine);
            }

            var filters = new EngineFilters();
            foreach (var label in labelList)
            {
                filters.Add("label", label);
            }

            if (includeNamed && scopedByEngine)
            {
                filters.Add("all", "true");
            }

            return await EngineCall.RunAsync(_engine, Kind, null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/volumes/prune" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                var deleted = EngineJson.Array(doc.RootElement, "VolumesDeleted").Select(e => e.GetString() ?? string.Empty).Where(s => s.Length > 0).ToList();
                return new PruneResult(Kind, deleted, EngineJson.Long(doc.RootElement, "SpaceReclaimed", 0), _engine);
            }, cancellationToken).ConfigureAwait(false);
        }

        private ContainerVolume Matching(ContainerVolume existing, VolumeCreateSpec spec)
        {
            var differences = new List<string>();
            if (!string.IsNullOrWhiteSpace(spec.Driver) && existing.Driver != spec.Driver!.Trim())
            {
                differences.Add($"driver {existing.Driver}, not {spec.Driver.Trim()}");
            }

            differences.AddRange(NetworkOperations.Missing(existing.Options, spec.Options, "option"));
            differences.AddRange(NetworkOperations.Missing(existing.Labels, spec.Labels, "label"));
            if (differences.Count > 0)
            {
                throw new ContainerEngineException("VolumeExistsWithDifferentSettings", EngineErrorKind.AlreadyExists,
                    $"Volume '{existing.Name}' exists with other settings: {string.Join("; ", differences)}. A volume's settings cannot change: " +
                    $"remove it first (Remove-ContainerVolume {existing.Name}; its data goes with it) to create it as asked, or ask for what it has.",
                    existing.Name);
            }

            return existing;
        }

        // The names of the containers (any state) that mount the volume.
        private static async Task<List<string>> UsersAsync(EngineClient client, string volume, CancellationToken cancellationToken)
        {
            var (status, text) = await EngineJson.SendAsync(client, HttpMethod.Get,
                "/containers/json?all=1" + EngineJson.FilterQuery(EngineFilters.Of("volume", volume), '&'), null, cancellationToken).ConfigureAwait(false);
            if (!EngineCall.IsSuccess(status))
            {
                return new List<string>();
            }

            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind != JsonValueKind.Array
                ? new List<string>()
                : doc.RootElement.EnumerateArray()
                    .Select(c => EngineJson.Array(c, "Names").Select(n => n.GetString()?.TrimStart('/')).FirstOrDefault() ?? EngineJson.String(c, "Id") ?? string.Empty)
                    .OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        private ContainerVolume ToVolume(JsonElement item)
        {
            var usage = EngineJson.Element(item, "UsageData");
            return new ContainerVolume(_engine, EngineJson.String(item, "Name") ?? string.Empty, EngineJson.String(item, "Driver") ?? string.Empty,
                EngineJson.String(item, "Mountpoint") ?? string.Empty, EngineJson.String(item, "Scope") ?? string.Empty, EngineJson.Time(item, "CreatedAt"),
                EngineJson.Map(item, "Labels"), EngineJson.Map(item, "Options"), EngineJson.Long(usage, "Size"), EngineJson.Long(usage, "RefCount"));
        }

        internal ContainerVolume FromDiskUsage(JsonElement item) => ToVolume(item);

        private static string CheckName(string name)
        {
            var n = (name ?? string.Empty).Trim();
            if (n.Length == 0)
            {
                throw new InvalidSpecException("InvalidVolumeName", "The volume name is empty.", name);
            }

            return n;
        }

        private ResourceNotFoundException NotFound(string name) =>
            new ResourceNotFoundException(Kind, name,
                $"No volume named '{name}' exists on {_engine.Name}. Get-ContainerVolume lists the volumes there; New-ContainerVolume creates one.");
    }
}
