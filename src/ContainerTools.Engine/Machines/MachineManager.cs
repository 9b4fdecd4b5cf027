using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Machines.Local;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Machines
{
    /// <summary>
    /// The provider-independent part of machines: the definition in the store (saved as incomplete before any
    /// provider work, so a failed creation is resumed or removed, never lost), the TLS material, and the docker context
    /// named after the machine. Providers do the rest.
    /// </summary>
    public sealed class MachineManager
    {
        private static readonly TimeSpan StoreLockTimeout = TimeSpan.FromSeconds(30);
        private readonly IHostCommandRunner _runner;

        public MachineManager(MachineStore store, DockerContextStore contexts, IHostCommandRunner? runner = null)
        {
            Store = store;
            Contexts = contexts;
            _runner = runner ?? HostCommandRunner.Instance;
        }

        /// <summary>The current user's store and docker configuration (CONTAINERTOOLS_MACHINE_STORE and DOCKER_CONFIG honoured).</summary>
        public static MachineManager ForCurrentUser() => new MachineManager(MachineStore.Default(), new DockerContextStore(EngineEnvironment.Current));

        public MachineStore Store { get; }

        public DockerContextStore Contexts { get; }

        public IMachineProvider Provider(MachineProviderKind kind) => MachineProviders.Get(kind, _runner);

        /// <summary>The definition, or a NotFound error naming the store.</summary>
        public MachineDefinition Require(string name)
        {
            MachineStore.ValidateName(name);
            return Store.Find(name) ?? throw new ContainerEngineException("MachineNotFound", EngineErrorKind.NotFound,
                $"No machine named '{name}' in {Store.Root}. Get-ContainerMachine lists the machines; New-ContainerMachine creates one.", name);
        }

        /// <summary>The engine of the named machine (Connect-ContainerEngine -Machine); NotFound when none, MachineIncomplete before its creation finished.</summary>
        public ContainerEngineConnection RequireConnection(string name) =>
            Connection(Require(name)) ?? throw new ContainerEngineException("MachineIncomplete", EngineErrorKind.Conflict,
                $"Machine '{name}' has no engine address yet: its creation did not finish. Run New-ContainerMachine {name} again to resume it, or Remove-ContainerMachine {name}.", name);

        /// <summary>
        /// Creates the machine and leaves it running. A machine left incomplete by an earlier attempt is resumed with its
        /// saved definition; a complete one of that name is a conflict.
        /// </summary>
        public async Task<MachineDefinition> CreateAsync(MachineDefinition requested, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            MachineStore.ValidateName(requested.Name);
            var definition = Store.Find(requested.Name);
            if (definition != null && definition.CreationComplete)
            {
                throw new ContainerEngineException("MachineExists", EngineErrorKind.AlreadyExists,
                    $"A machine named '{requested.Name}' exists already ({definition.Provider}, {Store.MachineFolder(requested.Name)}). Start it with Start-ContainerMachine, or choose another name.", requested.Name);
            }

            if (definition == null)
            {
                definition = requested;
                definition.Created = DateTimeOffset.UtcNow;
                definition.CreationComplete = false;
            }
            else
            {
                progress?.Report($"Resuming the creation of machine '{definition.Name}'");
            }

            var provider = Provider(definition.Provider);
            ThrowIfUnavailable(provider, definition.Name);

            // Saved before the provider does anything: from here on, the machine is known and Remove-ContainerMachine can clean it up.
            Store.Save(definition);
            var context = Store.ContextFor(definition, progress);
            await PlanAsync(provider, context, cancellationToken).ConfigureAwait(false);

            if (!MachinePki.IsComplete(context.TlsFolder))
            {
                progress?.Report("Making the machine's certificate authority, server and client certificates");
                MachinePki.Write(context.TlsFolder, definition.Name, ServerNames(definition));
            }

            await provider.CreateAsync(context, cancellationToken).ConfigureAwait(false);
            Store.Save(definition);
            WriteDockerContext(definition);
            definition.CreationComplete = true;
            Store.Save(definition);
            return definition;
        }

        public async Task StartAsync(MachineDefinition definition, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            if (!definition.CreationComplete)
            {
                await CreateAsync(definition, progress, cancellationToken).ConfigureAwait(false);
                return;
            }

            var provider = Provider(definition.Provider);
            ThrowIfUnavailable(provider, definition.Name);
            await provider.StartAsync(Store.ContextFor(definition, progress), cancellationToken).ConfigureAwait(false);
            Store.Save(definition);
            WriteDockerContext(definition);
        }

        public async Task StopAsync(MachineDefinition definition, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            var provider = Provider(definition.Provider);
            ThrowIfUnavailable(provider, definition.Name);
            await provider.StopAsync(Store.ContextFor(definition, progress), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Removes the machine: the provider's resources, the docker context, then the definition and its folder.</summary>
        public async Task RemoveAsync(MachineDefinition definition, bool force, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            var provider = Provider(definition.Provider);
            ThrowIfUnavailable(provider, definition.Name);
            var context = Store.ContextFor(definition, progress);
            if (!force && definition.CreationComplete)
            {
                var state = await provider.GetStateAsync(context, cancellationToken).ConfigureAwait(false);
                if (state == MachineState.Running || state == MachineState.Starting)
                {
                    throw new ContainerEngineException("MachineRunning", EngineErrorKind.Conflict,
                        $"Machine '{definition.Name}' is running. Stop it first (Stop-ContainerMachine), or use -Force to stop and remove it.", definition.Name);
                }
            }

            await provider.RemoveAsync(context, cancellationToken).ConfigureAwait(false);
            RemoveDockerContext(definition);
            Store.Delete(definition.Name);
        }

        /// <summary>What Get-ContainerMachine shows: the definition, the provider's state and, when running, the engine's version.</summary>
        public async Task<ContainerMachine> DescribeAsync(MachineDefinition definition, CancellationToken cancellationToken)
        {
            var provider = Provider(definition.Provider);
            var reason = provider.UnavailableReason();
            var state = MachineState.Incomplete;
            if (definition.CreationComplete)
            {
                state = reason != null ? MachineState.Unknown : await provider.GetStateAsync(Store.ContextFor(definition), cancellationToken).ConfigureAwait(false);
            }

            var engine = Connection(definition);
            string? version = null;
            if (state == MachineState.Running && engine != null)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    await engine.ConnectAsync(timeout.Token).ConfigureAwait(false);
                    version = engine.ServerVersion;
                }
                catch (Exception e) when (e is ContainerEngineException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // The state says running; the TLS endpoint did not answer in time. The version stays empty.
                    engine.Reset();
                }
            }

            var address = definition.Provider == MachineProviderKind.Local ? LocalMachineProvider.Address(definition) : null;
            return new ContainerMachine(definition, state, version, engine, Store.MachineFolder(definition.Name), Store.TlsFolder(definition.Name), address, reason);
        }

        /// <summary>The machine's engine over TLS, verifying the server with the machine's CA and showing its client certificate; null before it has an address.</summary>
        public ContainerEngineConnection? Connection(MachineDefinition definition)
        {
            if (definition.EngineAddress == null)
            {
                return null;
            }

            var tls = Store.TlsFolder(definition.Name);
            var settings = new TlsSettings(Path.Combine(tls, MachinePki.CaFile), Path.Combine(tls, MachinePki.ClientCertificateFile),
                Path.Combine(tls, MachinePki.ClientKeyFile), verifyServer: true, certificateDirectory: tls);
            return new ContainerEngineConnection(new EngineEndpoint(definition.EngineAddress, EndpointSource.Parameter, settings, definition.Name));
        }

        /// <summary>
        /// Lets a planning provider choose the machine's address and saves it, under the store's lock: two creations at the
        /// same moment (threads or processes) would otherwise both read the store before either saved, and take one address.
        /// </summary>
        internal async Task PlanAsync(IMachineProvider provider, MachineContext context, CancellationToken cancellationToken)
        {
            if (provider is IMachineAddressPlanner planner)
            {
                using (await Store.LockAsync(StoreLockTimeout, cancellationToken).ConfigureAwait(false))
                {
                    await planner.PlanAsync(context, cancellationToken).ConfigureAwait(false);
                    Store.Save(context.Definition);
                }
            }
        }

        private static IEnumerable<string> ServerNames(MachineDefinition definition)
        {
            var names = new List<string>(definition.CertificateNames) { "localhost", "127.0.0.1", definition.Name };
            if (definition.EngineAddress != null && Uri.TryCreate(definition.EngineAddress, UriKind.Absolute, out var uri))
            {
                names.Add(uri.Host);
            }

            return names;
        }

        private void WriteDockerContext(MachineDefinition definition)
        {
            if (definition.EngineAddress == null)
            {
                return;
            }

            var tls = Store.TlsFolder(definition.Name);
            Contexts.Write(definition.Name, definition.EngineAddress, Path.Combine(tls, MachinePki.CaFile), Path.Combine(tls, MachinePki.ClientCertificateFile),
                Path.Combine(tls, MachinePki.ClientKeyFile), $"ContainerTools machine ({definition.Provider})");
        }

        private void RemoveDockerContext(MachineDefinition definition)
        {
            // Only the context this machine wrote: one the user made by that name for another engine stays.
            var existing = Contexts.Find(definition.Name);
            if (existing != null && (definition.EngineAddress == null || existing.Host == definition.EngineAddress))
            {
                Contexts.Remove(definition.Name);
            }
        }

        private static void ThrowIfUnavailable(IMachineProvider provider, string name)
        {
            var reason = provider.UnavailableReason();
            if (reason != null)
            {
                throw new ContainerEngineException("MachineProviderUnavailable", EngineErrorKind.NotSupported,
                    $"The {provider.Kind} provider cannot run machine '{name}' on this host: {reason}", name);
            }
        }
    }
}
