using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Networks;
using ContainerTools.Engine.Volumes;

namespace ContainerTools.Engine.Swarm
{
    /// <summary>What publishing a stack would do to one of its services.</summary>
    public enum StackServiceAction
    {
        Create,
        Update,
        Unchanged,
    }

    /// <summary>One service of a stack publish plan: what happens to it and, for an update, which settings differ.</summary>
    public sealed class StackServicePlan
    {
        internal StackServicePlan(ServiceSpecification specification, StackServiceAction action, IReadOnlyList<string> differences)
        {
            Specification = specification;
            Action = action;
            Differences = differences;
        }

        public ServiceSpecification Specification { get; }

        public StackServiceAction Action { get; }

        public IReadOnlyList<string> Differences { get; }

        public string Name => Specification.Name;
    }

    /// <summary>What docker stack deploy would do: networks to create, services to create or update, and (with prune) services to remove.</summary>
    public sealed class StackPlan
    {
        internal StackPlan(StackDefinition stack, IReadOnlyList<StackNetwork> networksToCreate, IReadOnlyList<StackServicePlan> services, IReadOnlyList<string> servicesToRemove)
        {
            Stack = stack;
            NetworksToCreate = networksToCreate;
            Services = services;
            ServicesToRemove = servicesToRemove;
        }

        public StackDefinition Stack { get; }

        public IReadOnlyList<StackNetwork> NetworksToCreate { get; }

        public IReadOnlyList<StackServicePlan> Services { get; }

        /// <summary>The stack's services the file no longer has (removed only with prune).</summary>
        public IReadOnlyList<string> ServicesToRemove { get; }
    }

    /// <summary>Swarm stacks (docker stack deploy / ls / rm): compose projects as services, networks and volumes on a swarm.</summary>
    public sealed class StackOperations
    {
        private readonly ContainerEngineConnection _engine;

        internal StackOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>How long Remove waits for a network or volume the stack's stopping tasks still use.</summary>
        internal static TimeSpan RemoveTimeout { get; set; } = TimeSpan.FromSeconds(90);

        /// <summary>
        /// Compares the stack with the swarm: which networks are missing, which services are new, differ (ServiceSpecification.Differences,
        /// with network names turned into the ids the engine stores) or are unchanged, and which of the stack's services the file lacks.
        /// An external network that does not exist is a StackNetworkNotFound error.
        /// </summary>
        public async Task<StackPlan> PlanAsync(StackDefinition stack, CancellationToken cancellationToken = default)
        {
            var existing = await _engine.Services.ListAsync(null, new[] { StackDefinition.NamespaceLabel + "=" + stack.Name }, cancellationToken).ConfigureAwait(false);
            var missing = new List<StackNetwork>();
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var network in stack.Networks)
            {
                var found = await _engine.Networks.TryGetAsync(network.Name, cancellationToken).ConfigureAwait(false);
                if (found != null && found.Name == network.Name)
                {
                    ids[network.Name] = found.Id;
                }
                else if (network.External)
                {
                    throw new ContainerEngineException("StackNetworkNotFound", EngineErrorKind.NotFound,
                        $"The stack uses external network '{network.Name}', which does not exist on the swarm of {_engine.Name}. Create it first (New-ContainerNetwork -Name {network.Name} -Driver overlay -Attachable), or drop external: from the file.", network.Name);
                }
                else
                {
                    missing.Add(network);
                }
            }

            var services = new List<StackServicePlan>();
            foreach (var spec in stack.Services)
            {
                var current = existing.FirstOrDefault(s => s.Name == spec.Name);
                if (current == null)
                {
                    services.Add(new StackServicePlan(spec, StackServiceAction.Create, Array.Empty<string>()));
                    continue;
                }

                var differences = current.Specification.Differences(WithNetworkIds(spec, ids));
                services.Add(new StackServicePlan(spec, differences.Count == 0 ? StackServiceAction.Unchanged : StackServiceAction.Update, differences));
            }

            var names = new HashSet<string>(stack.Services.Select(s => s.Name), StringComparer.Ordinal);
            return new StackPlan(stack, missing, services, existing.Where(s => !names.Contains(s.Name)).Select(s => s.Name).ToList());
        }

        /// <summary>Creates one of the stack's networks, or returns it when it exists (docker stack deploy creates the missing ones).</summary>
        public async Task<ContainerNetwork> CreateNetworkAsync(StackNetwork network, CancellationToken cancellationToken = default)
        {
            if (network.CreateSpec == null)
            {
                return await _engine.Networks.GetAsync(network.Name, cancellationToken).ConfigureAwait(false);
            }

            var (created, _) = await _engine.Networks.CreateAsync(network.CreateSpec, reuseExisting: true, cancellationToken).ConfigureAwait(false);
            return created;
        }

        /// <summary>
        /// Creates the service, or updates it by difference (an unchanged service is not touched: same version, same tasks).
        /// Its networks must exist. Returns the service and whether it changed.
        /// </summary>
        public async Task<(ContainerService Service, bool Changed)> PublishServiceAsync(StackDefinition stack, ServiceSpecification specification,
            CancellationToken cancellationToken = default)
        {
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var network in specification.Networks)
            {
                ids[network.Target] = (await _engine.Networks.GetAsync(network.Target, cancellationToken).ConfigureAwait(false)).Id;
            }

            var desired = WithNetworkIds(specification, ids);
            if (await _engine.Services.TryGetAsync(desired.Name, cancellationToken).ConfigureAwait(false) == null)
            {
                return (await _engine.Services.CreateAsync(desired, cancellationToken).ConfigureAwait(false), true);
            }

            return await _engine.Services.UpdateAsync(desired, false, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Stacks on the swarm (docker stack ls) in name order; names may be wildcards.</summary>
        public async Task<IReadOnlyList<ContainerStack>> ListAsync(IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
        {
            var patterns = (names ?? Array.Empty<string>()).Select(Wildcard.ToRegex).ToList();
            var services = await _engine.Services.ListAsync(null, new[] { StackDefinition.NamespaceLabel }, cancellationToken).ConfigureAwait(false);
            return services.GroupBy(s => s.Labels[StackDefinition.NamespaceLabel], StringComparer.Ordinal)
                .Where(g => patterns.Count == 0 || patterns.Any(p => p.IsMatch(g.Key)))
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ContainerStack(_engine, g.Key, g.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal).ToList()))
                .ToList();
        }

        /// <summary>One stack by exact name; null when it has no services.</summary>
        public async Task<ContainerStack?> TryGetAsync(string name, CancellationToken cancellationToken = default) =>
            (await ListAsync(null, cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.Name == name);

        /// <summary>The stack's services (docker stack services).</summary>
        public Task<IReadOnlyList<ContainerService>> ListServicesAsync(string name, CancellationToken cancellationToken = default) =>
            _engine.Services.ListAsync(null, new[] { StackDefinition.NamespaceLabel + "=" + name }, cancellationToken);

        /// <summary>The stack's networks (labelled with its name).</summary>
        public async Task<IReadOnlyList<ContainerNetwork>> ListNetworksAsync(string name, CancellationToken cancellationToken = default)
        {
            var query = new NetworkQuery();
            query.Labels.Add(StackDefinition.NamespaceLabel + "=" + name);
            return await _engine.Networks.ListAsync(query, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The stack's volumes on this engine (volumes are per node: each node has its own).</summary>
        public async Task<IReadOnlyList<ContainerVolume>> ListVolumesAsync(string name, CancellationToken cancellationToken = default)
        {
            var query = new VolumeQuery();
            query.Labels.Add(StackDefinition.NamespaceLabel + "=" + name);
            return await _engine.Volumes.ListAsync(query, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Removes a network of a stack once its tasks are gone: while the engine says it is in use (tasks still stopping) it
        /// tries again, for RemoveTimeout at most. False when it did not exist.
        /// </summary>
        public async Task<bool> RemoveNetworkAsync(string name, CancellationToken cancellationToken = default)
        {
            var removed = await WhileInUseAsync("network", name, ct => _engine.Networks.RemoveAsync(name, ct), cancellationToken).ConfigureAwait(false);
            // A manager may list a swarm network for a moment after removing it (and keep it while a down node's tasks
            // still count): ask again until it is gone, so that nothing of the stack is left when this returns.
            var deadline = DateTimeOffset.UtcNow + RemoveTimeout;
            while (await _engine.Networks.TryGetAsync(name, cancellationToken).ConfigureAwait(false) != null)
            {
                if (DateTimeOffset.UtcNow >= deadline)
                {
                    throw new ContainerEngineException("StackResourceInUse", EngineErrorKind.Conflict,
                        $"The stack's network '{name}' is still there {RemoveTimeout.TotalSeconds:0} s after its removal. Run Remove-ContainerStack again once its tasks are gone.", name);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                try
                {
                    removed |= await WhileInUseAsync("network", name, ct => _engine.Networks.RemoveAsync(name, ct), cancellationToken).ConfigureAwait(false);
                }
                catch (ContainerEngineException e) when (e.Message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    // The swarm has removed it; this node still lists its local copy until the tasks' sandboxes are gone.
                }
            }

            return removed;
        }

        /// <summary>Removes a volume of a stack from this engine once the stack's containers here are gone (tries again while in use).</summary>
        public Task<bool> RemoveVolumeAsync(string name, CancellationToken cancellationToken = default) =>
            WhileInUseAsync("volume", name, ct => _engine.Volumes.RemoveAsync(name, force: true, ct), cancellationToken);

        private async Task<bool> WhileInUseAsync(string kind, string name, Func<CancellationToken, Task<bool>> remove, CancellationToken cancellationToken)
        {
            var deadline = DateTimeOffset.UtcNow + RemoveTimeout;
            while (true)
            {
                try
                {
                    return await remove(cancellationToken).ConfigureAwait(false);
                }
                catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict && DateTimeOffset.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                }
                catch (ContainerEngineException e) when (e.Kind == EngineErrorKind.Conflict)
                {
                    throw new ContainerEngineException("StackResourceInUse", EngineErrorKind.Conflict,
                        $"The stack's {kind} '{name}' is still in use after {RemoveTimeout.TotalSeconds:0} s: {e.Message} Run Remove-ContainerStack again once its containers are gone.", name, e);
                }
            }
        }

        private static ServiceSpecification WithNetworkIds(ServiceSpecification specification, IReadOnlyDictionary<string, string> ids)
        {
            var copy = specification.Clone();
            copy.Networks = specification.Networks.Select(n => new ServiceNetwork(ids.TryGetValue(n.Target, out var id) ? id : n.Target, n.Aliases)).ToList();
            return copy;
        }
    }
}
