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

namespace ContainerTools.Engine.Swarm
{
    /// <summary>Where an engine stands in swarm mode (docker info's Swarm section).</summary>
    public sealed class SwarmMembership
    {
        internal SwarmMembership(string state, bool manager, string nodeId, string nodeAddress, string? clusterId, IReadOnlyList<(string NodeId, string Address)> managers,
            string error)
        {
            State = state;
            Manager = manager;
            NodeId = nodeId;
            NodeAddress = nodeAddress;
            ClusterId = clusterId;
            RemoteManagers = managers;
            Error = error;
        }

        /// <summary>inactive, pending, active, error or locked.</summary>
        public string State { get; }

        public bool Active => State == "active";

        /// <summary>A manager of its swarm (it can list nodes and give join tokens).</summary>
        public bool Manager { get; }

        public string NodeId { get; }

        public string NodeAddress { get; }

        /// <summary>The swarm's id; managers only.</summary>
        public string? ClusterId { get; }

        /// <summary>The swarm's managers and their addresses (host:2377).</summary>
        public IReadOnlyList<(string NodeId, string Address)> RemoteManagers { get; }

        public string Error { get; }
    }

    /// <summary>Swarm mode on one engine: init, join, leave, the swarm's tokens, its nodes.</summary>
    public sealed class SwarmOperations
    {
        /// <summary>The port managers listen on for the swarm, when an address has none.</summary>
        public const int DefaultPort = 2377;

        private const string Kind = "Swarm";
        private readonly ContainerEngineConnection _engine;

        internal SwarmOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>Where the engine stands in swarm mode (GET /info).</summary>
        public Task<SwarmMembership> GetMembershipAsync(CancellationToken cancellationToken = default) =>
            EngineCall.RunAsync(_engine, Kind, null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/info", null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                var swarm = EngineJson.Element(doc.RootElement, "Swarm");
                var managers = EngineJson.Array(swarm, "RemoteManagers")
                    .Select(m => (EngineJson.String(m, "NodeID") ?? string.Empty, EngineJson.String(m, "Addr") ?? string.Empty)).ToList();
                var cluster = EngineJson.Element(swarm, "Cluster");
                return new SwarmMembership(EngineJson.String(swarm, "LocalNodeState") ?? "inactive", EngineJson.Bool(swarm, "ControlAvailable"),
                    EngineJson.String(swarm, "NodeID") ?? string.Empty, EngineJson.String(swarm, "NodeAddr") ?? string.Empty,
                    EngineJson.String(cluster, "ID"), managers, EngineJson.String(swarm, "Error") ?? string.Empty);
            }, cancellationToken);

        /// <summary>The swarm this engine manages (docker swarm join-token); SwarmNotActive or NotSwarmManager errors otherwise.</summary>
        public async Task<ContainerSwarm> GetAsync(CancellationToken cancellationToken = default)
        {
            var membership = await GetMembershipAsync(cancellationToken).ConfigureAwait(false);
            RequireManager(membership);
            return await EngineCall.RunAsync(_engine, Kind, _engine.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/swarm", null, cancellationToken).ConfigureAwait(false);
                CheckManager(status, text);
                EngineCall.Check(status, text, Kind, _engine.Name);
                var (infoStatus, infoText) = await EngineJson.SendAsync(c, HttpMethod.Get, "/info", null, cancellationToken).ConfigureAwait(false);
                EngineCall.Check(infoStatus, infoText, Kind, _engine.Name);
                using var doc = JsonDocument.Parse(text);
                using var info = JsonDocument.Parse(infoText);
                var root = doc.RootElement;
                var swarm = EngineJson.Element(info.RootElement, "Swarm");
                var tokens = EngineJson.Element(root, "JoinTokens");
                return new ContainerSwarm(_engine, EngineJson.String(root, "ID") ?? string.Empty, EngineJson.Time(root, "CreatedAt"), EngineJson.Time(root, "UpdatedAt"),
                    new ContainerSwarmJoinTokens(EngineJson.String(tokens, "Worker") ?? string.Empty, EngineJson.String(tokens, "Manager") ?? string.Empty),
                    EngineJson.String(swarm, "NodeID") ?? string.Empty, EngineJson.String(swarm, "NodeAddr") ?? string.Empty,
                    EngineJson.Array(swarm, "RemoteManagers").Select(m => EngineJson.String(m, "Addr") ?? string.Empty).Where(a => a.Length > 0).OrderBy(a => a, StringComparer.Ordinal).ToList(),
                    (int)EngineJson.Long(swarm, "Nodes", 0), (int)EngineJson.Long(swarm, "Managers", 0));
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Makes the engine the first manager of a new swarm (docker swarm init). Already a manager of a swarm: nothing is
        /// done (returns false), unless forceNewCluster. A worker of another swarm is a SwarmAlreadyJoined error.
        /// </summary>
        public async Task<bool> InitializeAsync(string? advertiseAddress = null, string? listenAddress = null, bool forceNewCluster = false,
            CancellationToken cancellationToken = default)
        {
            var membership = await GetMembershipAsync(cancellationToken).ConfigureAwait(false);
            if (membership.Active && !forceNewCluster)
            {
                if (membership.Manager)
                {
                    return false;
                }

                throw AlreadyJoined(membership, "Exit-ContainerSwarm first to start a swarm of its own.");
            }

            var body = new Dictionary<string, object?>
            {
                ["ListenAddr"] = string.IsNullOrWhiteSpace(listenAddress) ? "0.0.0.0:" + DefaultPort : listenAddress!.Trim(),
                ["ForceNewCluster"] = forceNewCluster,
            };
            if (!string.IsNullOrWhiteSpace(advertiseAddress))
            {
                body["AdvertiseAddr"] = advertiseAddress!.Trim();
            }

            await EngineCall.RunAsync(_engine, Kind, _engine.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/swarm/init", body, cancellationToken).ConfigureAwait(false);
                if (!EngineCall.IsSuccess(status))
                {
                    var message = EngineCall.ApiMessage(text).TrimEnd('.');
                    var advice = message.IndexOf("advertise address", StringComparison.OrdinalIgnoreCase) >= 0
                        ? " Give -AdvertiseAddress: the address of this engine's host that the other nodes reach."
                        : string.Empty;
                    throw new ContainerEngineException("SwarmInitializeFailed", status == HttpStatusCode.BadRequest ? EngineErrorKind.InvalidArgument : EngineErrorKind.OperationFailed,
                        $"The engine {_engine.Name} could not start a swarm: {message}.{advice}", _engine.Name);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>
        /// Joins the engine to a swarm through a manager at one of remoteAddresses (docker swarm join). Already in that swarm
        /// (a manager at one of the addresses is its manager): nothing is done (returns false); in another swarm: a
        /// SwarmAlreadyJoined error.
        /// </summary>
        public async Task<bool> JoinAsync(IReadOnlyList<string> remoteAddresses, string token, string? advertiseAddress = null, string? listenAddress = null,
            CancellationToken cancellationToken = default)
        {
            var remotes = remoteAddresses.Select(a => WithPort(a.Trim())).Where(a => a.Length > 0).ToList();
            if (remotes.Count == 0)
            {
                throw new InvalidSpecException("SwarmManagerAddressMissing", "Give the address of a manager of the swarm (-RemoteAddress host:2377), or the manager's engine with -Manager.");
            }

            if (string.IsNullOrWhiteSpace(token))
            {
                throw new InvalidSpecException("SwarmJoinTokenMissing", "Give the swarm's join token (-Token; Get-ContainerSwarm on a manager shows JoinTokens), or the manager's engine with -Manager.");
            }

            var membership = await GetMembershipAsync(cancellationToken).ConfigureAwait(false);
            if (membership.Active)
            {
                if (membership.RemoteManagers.Any(m => remotes.Contains(m.Address, StringComparer.OrdinalIgnoreCase)))
                {
                    return false;
                }

                throw AlreadyJoined(membership, "Exit-ContainerSwarm first to join another one.");
            }

            var body = new Dictionary<string, object?>
            {
                ["ListenAddr"] = string.IsNullOrWhiteSpace(listenAddress) ? "0.0.0.0:" + DefaultPort : listenAddress!.Trim(),
                ["RemoteAddrs"] = remotes,
                ["JoinToken"] = token.Trim(),
            };
            if (!string.IsNullOrWhiteSpace(advertiseAddress))
            {
                body["AdvertiseAddr"] = advertiseAddress!.Trim();
            }

            await EngineCall.RunAsync(_engine, Kind, _engine.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/swarm/join", body, cancellationToken).ConfigureAwait(false);
                if (!EngineCall.IsSuccess(status))
                {
                    var message = EngineCall.ApiMessage(text).TrimEnd('.');
                    var tokenProblem = message.IndexOf("token", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("fingerprint", StringComparison.OrdinalIgnoreCase) >= 0;
                    var advice = tokenProblem
                        ? "Check -Token: Get-ContainerSwarm on a manager shows the current JoinTokens (Worker or Manager)."
                        : $"Check that a manager listens at {string.Join(", ", remotes)} and that this engine's host reaches it (-AdvertiseAddress: this engine's address the others reach).";
                    throw new ContainerEngineException(tokenProblem ? "SwarmJoinTokenInvalid" : "SwarmJoinFailed", tokenProblem ? EngineErrorKind.InvalidArgument : EngineErrorKind.OperationFailed,
                        $"The engine {_engine.Name} could not join the swarm at {string.Join(", ", remotes)}: {message}. {advice}", _engine.Name);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>
        /// Leaves the swarm (docker swarm leave); false when the engine is in none. A manager is refused (SwarmLeaveRefused)
        /// unless force: leaving may cost the swarm its quorum, and the last manager's leaving ends the swarm.
        /// </summary>
        public async Task<bool> LeaveAsync(bool force = false, CancellationToken cancellationToken = default)
        {
            var membership = await GetMembershipAsync(cancellationToken).ConfigureAwait(false);
            if (membership.State == "inactive")
            {
                return false;
            }

            return await EngineCall.RunAsync(_engine, Kind, _engine.Name, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Post, "/swarm/leave" + (force ? "?force=true" : string.Empty), null, cancellationToken).ConfigureAwait(false);
                var message = EngineCall.ApiMessage(text);
                if (!EngineCall.IsSuccess(status) && message.IndexOf("not part of a swarm", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return false;
                }

                if (!EngineCall.IsSuccess(status) && message.IndexOf("manager", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw new ContainerEngineException("SwarmLeaveRefused", EngineErrorKind.Conflict,
                        $"The engine {_engine.Name} is a manager of its swarm; leaving may cost the swarm its quorum, and the last manager's leaving ends the swarm and its services. " +
                        "Add -Force to leave anyway (or demote it to a worker first).", _engine.Name);
                }

                EngineCall.Check(status, text, Kind, _engine.Name);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The swarm's nodes (docker node ls), managers first, then by hostname; this engine must be a manager.</summary>
        public async Task<IReadOnlyList<ContainerSwarmNode>> ListNodesAsync(CancellationToken cancellationToken = default)
        {
            var membership = await GetMembershipAsync(cancellationToken).ConfigureAwait(false);
            RequireManager(membership);
            return await EngineCall.RunAsync(_engine, "SwarmNode", null, async c =>
            {
                var (status, text) = await EngineJson.SendAsync(c, HttpMethod.Get, "/nodes", null, cancellationToken).ConfigureAwait(false);
                CheckManager(status, text);
                EngineCall.Check(status, text, Kind, null);
                using var doc = JsonDocument.Parse(text);
                return (IReadOnlyList<ContainerSwarmNode>)doc.RootElement.EnumerateArray().Select(n => ToNode(n, membership.NodeId))
                    .OrderBy(n => n.Role == SwarmNodeRole.Manager ? 0 : 1).ThenBy(n => n.Hostname, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal).ToList();
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>host:2377 for a bare host; an address with a port as it is.</summary>
        public static string WithPort(string address)
        {
            if (address.Length == 0)
            {
                return address;
            }

            var bracketEnd = address.LastIndexOf(']');
            var colon = address.LastIndexOf(':');
            var hasPort = colon > bracketEnd && (bracketEnd >= 0 || address.IndexOf(':') == colon);
            return hasPort ? address : address + ":" + DefaultPort;
        }

        private ContainerSwarmNode ToNode(JsonElement node, string selfId)
        {
            var spec = EngineJson.Element(node, "Spec");
            var description = EngineJson.Element(node, "Description");
            var status = EngineJson.Element(node, "Status");
            var manager = EngineJson.Element(node, "ManagerStatus");
            var managerStatus = string.Empty;
            if (manager.ValueKind == JsonValueKind.Object)
            {
                managerStatus = EngineJson.Bool(manager, "Leader") ? "Leader" : Title(EngineJson.String(manager, "Reachability") ?? string.Empty);
            }

            var id = EngineJson.String(node, "ID") ?? string.Empty;
            return new ContainerSwarmNode(_engine, id, EngineJson.String(description, "Hostname") ?? string.Empty,
                string.Equals(EngineJson.String(spec, "Role"), "manager", StringComparison.OrdinalIgnoreCase) ? SwarmNodeRole.Manager : SwarmNodeRole.Worker,
                Title(EngineJson.String(status, "State") ?? string.Empty), Title(EngineJson.String(spec, "Availability") ?? string.Empty), managerStatus,
                EngineJson.String(EngineJson.Element(description, "Engine"), "EngineVersion") ?? string.Empty, EngineJson.String(status, "Addr") ?? string.Empty,
                id == selfId, EngineJson.Map(spec, "Labels"), EngineJson.Time(node, "CreatedAt"));
        }

        /// <summary>A SwarmNotActive or NotSwarmManager error unless the engine manages a swarm (for the service operations).</summary>
        internal async Task RequireManagerAsync(CancellationToken cancellationToken) =>
            RequireManager(await GetMembershipAsync(cancellationToken).ConfigureAwait(false));

        private void RequireManager(SwarmMembership membership)
        {
            if (!membership.Active)
            {
                throw new ContainerEngineException("SwarmNotActive", EngineErrorKind.OperationFailed,
                    $"The engine {_engine.Name} is not a swarm manager: it is in no swarm{(membership.State == "inactive" ? string.Empty : $" (swarm state: {membership.State})")}. " +
                    "Initialize-ContainerSwarm starts one there; or give -Engine a manager of your swarm.", _engine.Name);
            }

            if (!membership.Manager)
            {
                throw NotManager(membership);
            }
        }

        internal void CheckManager(HttpStatusCode status, string text)
        {
            // A node demoted or removed since we asked.
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                throw new ContainerEngineException("NotSwarmManager", EngineErrorKind.OperationFailed,
                    $"The engine {_engine.Name} is not a swarm manager ({EngineCall.ApiMessage(text).TrimEnd('.')}). Give -Engine a manager of the swarm.", _engine.Name);
            }
        }

        private ContainerEngineException NotManager(SwarmMembership membership) =>
            new ContainerEngineException("NotSwarmManager", EngineErrorKind.OperationFailed,
                $"The engine {_engine.Name} is not a swarm manager: it is a worker. Give -Engine a manager of the swarm" +
                (membership.RemoteManagers.Count == 0 ? "." : $" (managers at {string.Join(", ", membership.RemoteManagers.Select(m => m.Address))}).") ,
                _engine.Name);

        private ContainerEngineException AlreadyJoined(SwarmMembership membership, string advice) =>
            new ContainerEngineException("SwarmAlreadyJoined", EngineErrorKind.Conflict,
                $"The engine {_engine.Name} is already part of another swarm as a {(membership.Manager ? "manager" : "worker")}" +
                (membership.RemoteManagers.Count == 0 ? string.Empty : $" (managers at {string.Join(", ", membership.RemoteManagers.Select(m => m.Address))})") + ". " + advice,
                _engine.Name);

        private static string Title(string value) => value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value.Substring(1);
    }
}
