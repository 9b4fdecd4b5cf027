using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Images;
using ContainerTools.Engine.Networks;
using ContainerTools.Engine.Registry;
using ContainerTools.Engine.Swarm;
using ContainerTools.Engine.Volumes;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// A handle on one engine. Every object ContainerTools returns carries the one it came from (its
    /// Engine property), so piping it to the next command reaches the same engine. Connecting is lazy and
    /// shared: all handles to the same endpoint use one negotiated client for the life of the process.
    /// </summary>
    public sealed class ContainerEngineConnection
    {
        private static readonly ConcurrentDictionary<string, Lazy<Task<EngineClient>>> Clients =
            new ConcurrentDictionary<string, Lazy<Task<EngineClient>>>(StringComparer.Ordinal);

        public ContainerEngineConnection(EngineEndpoint endpoint)
        {
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            Containers = new ContainerOperations(this);
            Images = new ImageOperations(this);
            Registries = new RegistryOperations(this);
            System = new SystemOperations(this);
            Networks = new NetworkOperations(this);
            Volumes = new VolumeOperations(this);
            Swarm = new SwarmOperations(this);
            Services = new ServiceOperations(this);
            Stacks = new StackOperations(this);
        }

        public EngineEndpoint Endpoint { get; }

        /// <summary>The docker context name when it came from one, else the address.</summary>
        public string Name => Endpoint.ContextName ?? Endpoint.Address;

        public string Address => Endpoint.Address;

        public bool TlsEnabled => Endpoint.Tls != null;

        /// <summary>The API version agreed with the engine; null until the first call connects.</summary>
        public string? ApiVersion => TryGetConnected()?.ApiVersion.ToString(2);

        public string? ServerVersion => TryGetConnected()?.ServerVersion;

        public ContainerOperations Containers { get; }

        public ImageOperations Images { get; }

        public RegistryOperations Registries { get; }

        public SystemOperations System { get; }

        public NetworkOperations Networks { get; }

        public VolumeOperations Volumes { get; }

        /// <summary>Swarm mode: init, join, leave, nodes.</summary>
        public SwarmOperations Swarm { get; }

        /// <summary>Swarm services and their tasks (the engine must be a swarm manager).</summary>
        public ServiceOperations Services { get; }

        /// <summary>Swarm stacks: compose projects deployed as services (the engine must be a swarm manager).</summary>
        public StackOperations Stacks { get; }

        /// <summary>Resolves a -Engine value (address or context name) with the process environment.</summary>
        public static ContainerEngineConnection FromArgument(string engine, EngineEnvironment? environment = null) =>
            new ContainerEngineConnection(new EndpointResolver(environment ?? EngineEnvironment.Current).ResolveArgument(engine));

        /// <summary>The engine the docker CLI would use now (DOCKER_CONTEXT, DOCKER_HOST, current context, platform default).</summary>
        public static ContainerEngineConnection FromEnvironment(EngineEnvironment? environment = null) =>
            new ContainerEngineConnection(new EndpointResolver(environment ?? EngineEnvironment.Current).ResolveDefault());

        /// <summary>Connects (once per endpoint per process) and returns this handle, or throws EngineUnreachableException.</summary>
        public async Task<ContainerEngineConnection> ConnectAsync(CancellationToken cancellationToken = default)
        {
            await GetClientAsync(cancellationToken).ConfigureAwait(false);
            return this;
        }

        /// <summary>Forgets the shared client so the next call connects again (after an engine restart or upgrade).</summary>
        public void Reset()
        {
            if (Clients.TryRemove(Endpoint.Key, out var lazy) && lazy.IsValueCreated && lazy.Value.Status == TaskStatus.RanToCompletion)
            {
                lazy.Value.Result.Dispose();
            }
        }

        public override string ToString() => Name;

        internal async Task<EngineClient> GetClientAsync(CancellationToken cancellationToken)
        {
            var key = Endpoint.Key;
            var lazy = Clients.GetOrAdd(key, _ => new Lazy<Task<EngineClient>>(() => EngineClient.ConnectAsync(Endpoint, CancellationToken.None)));
            try
            {
                // The shared connect is not tied to one caller's token; a caller that gives up stops waiting.
                return await WithCancellation(lazy.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
            {
                // A failed connect is not cached: the next call tries again.
                Clients.TryRemove(key, out _);
                throw;
            }
        }

        private EngineClient? TryGetConnected() =>
            Clients.TryGetValue(Endpoint.Key, out var lazy) && lazy.IsValueCreated && lazy.Value.Status == TaskStatus.RanToCompletion
                ? lazy.Value.Result
                : null;

        private static async Task<T> WithCancellation<T>(Task<T> task, CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled || task.IsCompleted)
            {
                return await task.ConfigureAwait(false);
            }

            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            return await task.ConfigureAwait(false);
        }
    }
}
