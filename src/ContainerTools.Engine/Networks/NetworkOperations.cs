using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Networks
{
    /// <summary>Which networks Get-ContainerNetwork lists.</summary>
    public sealed class NetworkQuery
    {
        /// <summary>Name patterns (wildcards); an exact value also matches an id or id prefix.</summary>
        public IList<string> Names { get; } = new List<string>();

        /// <summary>'key' or 'key=value'; all must match.</summary>
        public IList<string> Labels { get; } = new List<string>();

        public IList<string> Drivers { get; } = new List<string>();

        /// <summary>
        /// Whether a network read on its own (by id or id prefix) passes the driver and label filters, as ListAsync's
        /// networks do; Names are not checked, the lookup has matched the network already.
        /// </summary>
        public bool Matches(ContainerNetwork network) =>
            (Drivers.Count == 0 || Drivers.Contains(network.Driver, StringComparer.OrdinalIgnoreCase)) && LabelFilter.Matches(network.Labels, Labels);
    }

    /// <summary>Networks on one engine: list, create, remove, prune, connect and disconnect containers.</summary>
    public sealed class NetworkOperations
    {
        private const string Kind = "Network";
        private readonly ContainerEngineConnection _engine;

        internal NetworkOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>Lists networks (docker network ls), in name order, each read in full (docker network inspect) so Containers is filled.</summary>
        public async Task<IReadOnlyList<ContainerNetwork>> ListAsync(NetworkQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new NetworkQuery();
            var filters = new EngineFilters();
            foreach (var label in query.Labels)
            {
                filters.Add("label", label);
            }

            foreach (var driver in query.Drivers)
            {
                filters.Add("driver", driver);
            }

            var patterns = query.Names.Select(n => Wildcard.ToRegex(n)).ToList();
            var ids = (await ListIdsAsync(filters, cancellationToken).ConfigureAwait(false))
                .Where(n => patterns.Count == 0 || patterns.Any(p => p.IsMatch(n.Name)))
                .Select(n => n.Id)
                .ToList();
            return await InspectAllAsync(ids, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Finds a network by full id, exact name or id prefix; ResourceNotFoundException when none.</summary>
        public async Task<ContainerNetwork> GetAsync(string reference, CancellationToken cancellationToken = default) =>
            await TryGetAsync(reference, cancellationToken).ConfigureAwait(false) ?? throw NotFound(reference);

        /// <summary>As GetAsync, but null when no network matches.</summary>
        public Task<ContainerNetwork?> TryGetAsync(string reference, CancellationToken cancellationToken = default)
        {
            var r = (reference ?? string.Empty).Trim();
            if (r.Length == 0)
            {
                throw new InvalidSpecException("InvalidNetworkReference", "The network name or id is empty.", reference);
            }

            return EngineCall.RunAsync(_engine, Kind, r, async c =>
            {
                var (status, body) = await EngineJson.SendAsync(c, HttpMethod.Get, "/networks/" + Uri.EscapeDataString(r), null, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return null;
                }

                EngineCall.Check(status, body, Kind, r);
                using var doc = JsonDocument.Parse(body);
                return ToNetwork(doc.RootElement);
            }, cancellationToken);
        }

        /// <summary>
        /// Creates a network (docker network create). A network of that name that exists already is a NetworkExists
        /// error, unless reuseExisting: then it is returned as it is, provided it has every setting the spec asks for.
        /// Returns the network and whether it was created now.
        /// </summary>
        public async Task<(ContainerNetwork Network, bool Created)> CreateAsync(NetworkCreateSpec spec, bool reuseExisting = false,
            CancellationToken cancellationToken = default)
        {
            var pools = spec.Pools();
            var name = spec.Name.Trim();
            var existing = await TryGetAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing != null && existing.Name == name)
            {
                return (Reuse(existing, spec, reuseExisting), false);
            }

            var body = new Dictionary<string, object?>
            {
                ["Name"] = name,
                ["CheckDuplicate"] = true,
                ["Driver"] = string.IsNullOrWhiteSpace(spec.Driver) ? "bridge" : spec.Driver!.Trim(),
                ["Internal"] = spec.Internal,
                ["Attachable"] = spec.Attachable,
                ["EnableIPv6"] = spec.EnableIPv6,
                ["Options"] = spec.Options,
                ["Labels"] = spec.Labels,
                ["IPAM"] = new Dictionary<string, object?>
                {
                    ["Driver"] = "default",
                    ["Config"] = pools.Select(p => new Dictionary<string, string?> { ["Subnet"] = p.Subnet, ["Gateway"] = p.Gateway, ["IPRange"] = p.IPRange }
                        .Where(kv => kv.Value != null).ToDictionary(kv => kv.Key, kv => kv.Value)).ToList(),
                },
            };
            var id = await EngineCall.RunAsync(_engine, Kind, name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/networks/create", body, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.Conflict)
                {
                    return null; // created by someone else since we looked
                }

                var message = EngineCall.ApiMessage(text);
                if (!EngineCall.IsSuccess(status) && (message.IndexOf("overlaps", StringComparison.OrdinalIgnoreCase) >= 0 ||
                                           message.IndexOf("no available network", StringComparison.OrdinalIgnoreCase) >= 0))
                {
                    throw new ContainerEngineException("SubnetUnavailable", EngineErrorKind.Conflict,
                        $"The engine cannot create network '{name}': {message.TrimEnd('.')}. Choose a -Subnet no other network uses (Get-ContainerNetwork | ForEach-Object Subnet lists those in use).",
                        name);
                }

                EngineCall.Check(status, text, Kind, name);
                using var doc = JsonDocument.Parse(text);
                return EngineJson.String(doc.RootElement, "Id");
            }, cancellationToken).ConfigureAwait(false);
            if (id == null)
            {
                return (Reuse(await GetAsync(name, cancellationToken).ConfigureAwait(false), spec, reuseExisting), false);
            }

            return (await GetAsync(id, cancellationToken).ConfigureAwait(false), true);
        }

        /// <summary>
        /// Removes a network (docker network rm); false when it did not exist. A network that running containers use is a
        /// NetworkInUse error naming them; bridge, host and none are a PredefinedNetwork error.
        /// </summary>
        public async Task<bool> RemoveAsync(string reference, CancellationToken cancellationToken = default)
        {
            var network = await TryGetAsync(reference, cancellationToken).ConfigureAwait(false);
            if (network == null)
            {
                return false;
            }

            if (network.Predefined)
            {
                throw Predefined(network.Name);
            }

            return await EngineCall.RunAsync(_engine, Kind, network.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Delete, "/networks/" + network.Id, null, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return false;
                }

                var message = EngineCall.ApiMessage(text);
                if (!EngineCall.IsSuccess(status) && message.IndexOf("active endpoints", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    var now = await TryGetAsync(network.Id, cancellationToken).ConfigureAwait(false) ?? network;
                    throw InUse(now);
                }

                if (!EngineCall.IsSuccess(status) && message.IndexOf("pre-defined", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw Predefined(network.Name);
                }

                EngineCall.Check(status, text, Kind, network.Name);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The networks a prune with these filters would remove: user-defined ones no container is attached to.</summary>
        public async Task<IReadOnlyList<ContainerNetwork>> PruneCandidatesAsync(IEnumerable<string>? labels = null, DateTimeOffset? until = null,
            CancellationToken cancellationToken = default)
        {
            var filters = new EngineFilters().Add("type", "custom").Add("dangling", "true");
            foreach (var label in labels ?? Array.Empty<string>())
            {
                filters.Add("label", label);
            }

            var ids = (await ListIdsAsync(filters, cancellationToken).ConfigureAwait(false)).Select(n => n.Id).ToList();
            var networks = await InspectAllAsync(ids, cancellationToken).ConfigureAwait(false);
            return networks.Where(n => !n.Predefined && n.Containers.Count == 0 && (until == null || (n.Created != null && n.Created < until))).ToList();
        }

        /// <summary>Removes every user-defined network no container uses (docker network prune), with these labels and created before until.</summary>
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
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/networks/prune" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                var deleted = EngineJson.Array(doc.RootElement, "NetworksDeleted").Select(e => e.GetString() ?? string.Empty).Where(s => s.Length > 0).ToList();
                return new PruneResult(Kind, deleted, 0, _engine);
            }, cancellationToken);
        }

        /// <summary>
        /// Connects a container to a network (docker network connect). Already connected is no error (returns false) when the
        /// existing attachment has the asked address and aliases; otherwise a NetworkAlreadyConnected error says to disconnect first.
        /// </summary>
        public async Task<bool> ConnectAsync(string network, string container, IEnumerable<string>? aliases = null, string? ipv4Address = null,
            string? ipv6Address = null, CancellationToken cancellationToken = default)
        {
            var wantedAliases = (aliases ?? Array.Empty<string>()).Select(a => a.Trim()).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            ipv4Address = CheckAddress(ipv4Address, "IPAddress", System.Net.Sockets.AddressFamily.InterNetwork);
            ipv6Address = CheckAddress(ipv6Address, "IPv6Address", System.Net.Sockets.AddressFamily.InterNetworkV6);
            var net = await GetAsync(network, cancellationToken).ConfigureAwait(false);
            var target = await InspectContainerAsync(container, cancellationToken).ConfigureAwait(false)
                         ?? throw new ResourceNotFoundException("Container", container, $"No container with the name or id '{container}' exists on {_engine.Name}. Get-Container lists the containers there.");
            var attached = Attachment(target.Json, net);
            if (attached != null)
            {
                var differences = new List<string>();
                var ipam = EngineJson.Element(attached.Value, "IPAMConfig");
                var currentV4 = EngineJson.String(ipam, "IPv4Address") ?? EngineJson.String(attached.Value, "IPAddress");
                var currentV6 = EngineJson.String(ipam, "IPv6Address") ?? EngineJson.String(attached.Value, "GlobalIPv6Address");
                if (ipv4Address != null && !string.Equals(ipv4Address, currentV4, StringComparison.OrdinalIgnoreCase))
                {
                    differences.Add($"address {(string.IsNullOrEmpty(currentV4) ? "(none yet)" : currentV4)}, not {ipv4Address}");
                }

                if (ipv6Address != null && !SameAddress(ipv6Address, currentV6))
                {
                    differences.Add($"IPv6 address {(string.IsNullOrEmpty(currentV6) ? "(none)" : currentV6)}, not {ipv6Address}");
                }

                var currentAliases = EngineJson.Array(attached.Value, "Aliases").Select(a => a.GetString()).ToList();
                var missing = wantedAliases.Where(a => !currentAliases.Contains(a)).ToList();
                if (missing.Count > 0)
                {
                    differences.Add("no alias " + string.Join(", ", missing));
                }

                if (differences.Count == 0)
                {
                    return false;
                }

                throw new ContainerEngineException("NetworkAlreadyConnected", EngineErrorKind.Conflict,
                    $"Container '{target.Name}' is already connected to network '{net.Name}' with {string.Join("; ", differences)}. " +
                    $"An attachment cannot be changed in place: Disconnect-ContainerNetwork -Network {net.Name} -Container {target.Name}, then connect again with the new settings.",
                    target.Name);
            }

            var endpoint = new Dictionary<string, object?>();
            if (wantedAliases.Count > 0)
            {
                endpoint["Aliases"] = wantedAliases;
            }

            if (ipv4Address != null || ipv6Address != null)
            {
                endpoint["IPAMConfig"] = new Dictionary<string, string?> { ["IPv4Address"] = ipv4Address, ["IPv6Address"] = ipv6Address }
                    .Where(kv => kv.Value != null).ToDictionary(kv => kv.Key, kv => kv.Value);
            }

            var body = new Dictionary<string, object?> { ["Container"] = target.Id, ["EndpointConfig"] = endpoint };
            return await EngineCall.RunAsync(_engine, Kind, net.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, $"/networks/{net.Id}/connect", body, cancellationToken).ConfigureAwait(false);
                var message = EngineCall.ApiMessage(text);
                if (!EngineCall.IsSuccess(status) && message.IndexOf("already exists in network", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return false; // connected by someone else since we looked
                }

                if (!EngineCall.IsSuccess(status) && (status == HttpStatusCode.Forbidden || status == HttpStatusCode.BadRequest || status == HttpStatusCode.InternalServerError))
                {
                    throw new ContainerEngineException("NetworkConnectFailed", EngineErrorKind.InvalidArgument,
                        $"The engine refused to connect container '{target.Name}' to network '{net.Name}': {message.TrimEnd('.')}.", target.Name);
                }

                EngineCall.Check(status, text, Kind, net.Name);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Disconnects a container from a network (docker network disconnect); false when it was not connected. With force,
        /// the engine drops the attachment even when the container is gone (a stale endpoint).
        /// </summary>
        public async Task<bool> DisconnectAsync(string network, string container, bool force = false, CancellationToken cancellationToken = default)
        {
            var net = await GetAsync(network, cancellationToken).ConfigureAwait(false);
            var target = await InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
            if (target == null && !force)
            {
                throw new ResourceNotFoundException("Container", container, $"No container with the name or id '{container}' exists on {_engine.Name}. Get-Container lists the containers there; -Force drops a removed container's stale attachment.");
            }

            if (target != null && Attachment(target.Value.Json, net) == null && !net.Containers.Any(e => e.ContainerId == target.Value.Id))
            {
                return false;
            }

            var body = new Dictionary<string, object?> { ["Container"] = target?.Id ?? container.Trim(), ["Force"] = force };
            return await EngineCall.RunAsync(_engine, Kind, net.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, $"/networks/{net.Id}/disconnect", body, cancellationToken).ConfigureAwait(false);
                var message = EngineCall.ApiMessage(text);
                if (!EngineCall.IsSuccess(status) && (message.IndexOf("is not connected", StringComparison.OrdinalIgnoreCase) >= 0 ||
                                           (force && message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0)))
                {
                    return false;
                }

                EngineCall.Check(status, text, Kind, net.Name);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        private ContainerNetwork Reuse(ContainerNetwork existing, NetworkCreateSpec spec, bool reuseExisting)
        {
            if (!reuseExisting)
            {
                throw new ContainerEngineException("NetworkExists", EngineErrorKind.AlreadyExists,
                    $"A network named '{existing.Name}' already exists on {_engine.Name} (id {existing.ShortId}). Use it as it is, remove it first (Remove-ContainerNetwork {existing.Name}), " +
                    "or add -ReuseExisting to get the existing network back when it has the settings asked for.",
                    existing.Name);
            }

            var differences = new List<string>();
            var driver = string.IsNullOrWhiteSpace(spec.Driver) ? "bridge" : spec.Driver!.Trim();
            if (!string.Equals(existing.Driver, driver, StringComparison.Ordinal))
            {
                differences.Add($"driver {existing.Driver}, not {driver}");
            }

            foreach (var (subnet, gateway, range) in spec.Pools())
            {
                var pool = existing.Subnets.FirstOrDefault(s => s.Subnet == subnet);
                if (pool == null)
                {
                    differences.Add($"no subnet {subnet} (it has {(existing.Subnets.Count == 0 ? "none" : string.Join(", ", existing.Subnets.Select(s => s.Subnet)))})");
                    continue;
                }

                if (gateway != null && pool.Gateway != gateway)
                {
                    differences.Add($"gateway {pool.Gateway ?? "(none)"}, not {gateway}");
                }

                if (range != null && pool.IPRange != range)
                {
                    differences.Add($"IP range {pool.IPRange ?? "(none)"}, not {range}");
                }
            }

            if (spec.Internal && !existing.Internal)
            {
                differences.Add("not internal");
            }

            if (spec.Attachable && !existing.Attachable)
            {
                differences.Add("not attachable");
            }

            if (spec.EnableIPv6 && !existing.IPv6Enabled)
            {
                differences.Add("IPv6 off");
            }

            differences.AddRange(Missing(existing.Labels, spec.Labels, "label"));
            differences.AddRange(Missing(existing.Options, spec.Options, "option"));
            if (differences.Count > 0)
            {
                throw new ContainerEngineException("NetworkExistsWithDifferentSettings", EngineErrorKind.AlreadyExists,
                    $"Network '{existing.Name}' exists with other settings: {string.Join("; ", differences)}. Remove it first (Remove-ContainerNetwork {existing.Name}) to create it as asked, or ask for what it has.",
                    existing.Name);
            }

            return existing;
        }

        internal static IEnumerable<string> Missing(IReadOnlyDictionary<string, string> have, IDictionary<string, string> wanted, string what) =>
            wanted.Where(kv => !have.TryGetValue(kv.Key, out var v) || v != kv.Value)
                .Select(kv => have.TryGetValue(kv.Key, out var v) ? $"{what} {kv.Key}={v}, not {kv.Value}" : $"no {what} {kv.Key}");

        private async Task<List<(string Id, string Name)>> ListIdsAsync(EngineFilters filters, CancellationToken cancellationToken) =>
            await EngineCall.RunAsync(_engine, Kind, null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/networks" + EngineJson.FilterQuery(filters), null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.ValueKind == JsonValueKind.Array
                    ? doc.RootElement.EnumerateArray().Select(e => (EngineJson.String(e, "Id") ?? string.Empty, EngineJson.String(e, "Name") ?? string.Empty)).ToList()
                    : new List<(string, string)>();
            }, cancellationToken).ConfigureAwait(false);

        // The list answer leaves out the attached containers (API 1.28+): read each network in full, a few at a time.
        private async Task<IReadOnlyList<ContainerNetwork>> InspectAllAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            using var throttle = new SemaphoreSlim(8);
            var reads = ids.Select(async id =>
            {
                await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await TryGetAsync(id, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    throttle.Release();
                }
            }).ToList();
            var networks = await Task.WhenAll(reads).ConfigureAwait(false);
            // A network removed between the list and the read is simply not listed.
            return networks.Where(n => n != null).Select(n => n!).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        }

        private async Task<(string Id, string Name, JsonElement Json)?> InspectContainerAsync(string container, CancellationToken cancellationToken)
        {
            var r = (container ?? string.Empty).Trim().TrimStart('/');
            if (r.Length == 0)
            {
                throw new InvalidSpecException("InvalidContainerReference", "The container name or id is empty.", container);
            }

            return await EngineCall.RunAsync(_engine, "Container", r, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, $"/containers/{Uri.EscapeDataString(r)}/json", null, cancellationToken).ConfigureAwait(false);
                if (status == HttpStatusCode.NotFound)
                {
                    return ((string, string, JsonElement)?)null;
                }

                if (!EngineCall.IsSuccess(status))
                {
                    throw EngineCall.Translate(status, EngineCall.ApiMessage(text), "Container", r, null);
                }

                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement.Clone();
                return (EngineJson.String(root, "Id") ?? r, (EngineJson.String(root, "Name") ?? r).TrimStart('/'), root);
            }, cancellationToken).ConfigureAwait(false);
        }

        // The container's entry for this network (NetworkSettings.Networks), matched by id, or by name for a stopped container.
        private static JsonElement? Attachment(JsonElement container, ContainerNetwork network)
        {
            var networks = EngineJson.Element(EngineJson.Element(container, "NetworkSettings"), "Networks");
            if (networks.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var entry in networks.EnumerateObject())
            {
                var id = EngineJson.String(entry.Value, "NetworkID");
                if (id == network.Id || ((string.IsNullOrEmpty(id)) && entry.Name == network.Name))
                {
                    return entry.Value;
                }
            }

            return null;
        }

        private static string? CheckAddress(string? address, string parameter, System.Net.Sockets.AddressFamily family)
        {
            if (string.IsNullOrWhiteSpace(address))
            {
                return null;
            }

            var a = address!.Trim();
            if (!IPAddress.TryParse(a, out var parsed) || parsed.AddressFamily != family || (family == System.Net.Sockets.AddressFamily.InterNetwork && a.Split('.').Length != 4))
            {
                throw new InvalidSpecException("Invalid" + parameter,
                    family == System.Net.Sockets.AddressFamily.InterNetwork
                        ? $"-{parameter} '{address}' is not an IPv4 address. Give one inside the network's subnet, e.g. 10.213.5.10 (no /prefix)."
                        : $"-{parameter} '{address}' is not an IPv6 address. Give one inside the network's IPv6 subnet, e.g. fd00:213::10 (no /prefix).",
                    address);
            }

            return a;
        }

        private static bool SameAddress(string wanted, string? current) =>
            current != null && IPAddress.TryParse(current, out var c) && IPAddress.Parse(wanted).Equals(c);

        private ContainerNetwork ToNetwork(JsonElement item)
        {
            var ipam = EngineJson.Element(item, "IPAM");
            var subnets = EngineJson.Array(ipam, "Config")
                .Where(p => EngineJson.String(p, "Subnet") != null)
                .Select(p => new NetworkSubnet(EngineJson.String(p, "Subnet")!, EngineJson.String(p, "Gateway"), EngineJson.String(p, "IPRange")))
                .ToList();
            var endpoints = new List<NetworkEndpoint>();
            var containers = EngineJson.Element(item, "Containers");
            if (containers.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in containers.EnumerateObject())
                {
                    endpoints.Add(new NetworkEndpoint(entry.Name, EngineJson.String(entry.Value, "Name") ?? entry.Name,
                        EngineJson.String(entry.Value, "IPv4Address"), EngineJson.String(entry.Value, "IPv6Address"), EngineJson.String(entry.Value, "MacAddress")));
                }
            }

            return new ContainerNetwork(_engine, EngineJson.String(item, "Id") ?? string.Empty, EngineJson.String(item, "Name") ?? string.Empty,
                EngineJson.String(item, "Driver") ?? string.Empty, EngineJson.String(item, "Scope") ?? string.Empty, EngineJson.Time(item, "Created"),
                EngineJson.Bool(item, "Internal"), EngineJson.Bool(item, "Attachable"), EngineJson.Bool(item, "Ingress"), EngineJson.Bool(item, "EnableIPv6"),
                EngineJson.String(ipam, "Driver") ?? "default", subnets, EngineJson.Map(item, "Options"), EngineJson.Map(item, "Labels"),
                endpoints.OrderBy(e => e.ContainerName, StringComparer.Ordinal).ToList());
        }

        private ResourceNotFoundException NotFound(string reference) =>
            new ResourceNotFoundException(Kind, reference,
                $"No network with the name or id '{reference}' exists on {_engine.Name}. Get-ContainerNetwork lists the networks there; New-ContainerNetwork creates one.");

        private ContainerEngineException InUse(ContainerNetwork network)
        {
            var names = network.Containers.Select(e => e.ContainerName).ToList();
            var who = names.Count == 0 ? "containers" : "containers " + string.Join(", ", names);
            var list = names.Count == 0 ? "<container>" : string.Join(",", names);
            return new ContainerEngineException("NetworkInUse", EngineErrorKind.Conflict,
                $"Network '{network.Name}' is in use by {who}. Disconnect them first (Disconnect-ContainerNetwork -Network {network.Name} -Container {list}) or remove them (Remove-Container {list} -Force), then remove the network.",
                network.Name);
        }

        private static ContainerEngineException Predefined(string name) =>
            new ContainerEngineException("PredefinedNetwork", EngineErrorKind.InvalidArgument,
                $"'{name}' is one of the networks every engine has (bridge, host, none); it cannot be removed.", name);
    }
}
