using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Machines.HyperV;
using ContainerTools.Engine.Machines.Local;
using ContainerTools.Engine.Machines.Wsl;

namespace ContainerTools.Engine.Machines
{
    /// <summary>
    /// Optional for a provider: decides, before the caller makes the TLS material, where the engine will listen
    /// (EngineAddress) and which names and addresses its server certificate must carry (CertificateNames).
    /// Providers that learn their address only while creating simply do not implement it.
    /// </summary>
    public interface IMachineAddressPlanner
    {
        Task PlanAsync(MachineContext context, CancellationToken cancellationToken);
    }

    /// <summary>The providers by kind. Wsl and HyperV say through UnavailableReason when this host cannot run them.</summary>
    public static class MachineProviders
    {
        private static readonly Dictionary<MachineProviderKind, Func<IHostCommandRunner, IMachineProvider>> Factories =
            new Dictionary<MachineProviderKind, Func<IHostCommandRunner, IMachineProvider>>
            {
                [MachineProviderKind.Local] = runner => new LocalMachineProvider(runner),
                [MachineProviderKind.Wsl] = runner => new WslProvider(runner),
                [MachineProviderKind.HyperV] = runner => new HyperVProvider(runner),
            };

        /// <summary>Replaces the factory of a kind (the Wsl and HyperV providers register here; tests give fakes).</summary>
        public static void Register(MachineProviderKind kind, Func<IHostCommandRunner, IMachineProvider> factory)
        {
            lock (Factories)
            {
                Factories[kind] = factory ?? throw new ArgumentNullException(nameof(factory));
            }
        }

        public static IMachineProvider Get(MachineProviderKind kind, IHostCommandRunner? runner = null)
        {
            Func<IHostCommandRunner, IMachineProvider> factory;
            lock (Factories)
            {
                factory = Factories[kind];
            }

            return factory(runner ?? HostCommandRunner.Instance);
        }

        /// <summary>The provider New-ContainerMachine uses when none is named: Local on Linux, Wsl on Windows.</summary>
        public static MachineProviderKind DefaultKind =>
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)
                ? MachineProviderKind.Wsl
                : MachineProviderKind.Local;
    }

    /// <summary>A provider that cannot run here: says why, reports its machines' state as Unknown, and refuses to act.</summary>
    public sealed class UnavailableMachineProvider : IMachineProvider
    {
        private readonly string _reason;

        public UnavailableMachineProvider(MachineProviderKind kind, string reason)
        {
            Kind = kind;
            _reason = reason;
        }

        public MachineProviderKind Kind { get; }

        public string? UnavailableReason() => _reason;

        public Task CreateAsync(MachineContext context, CancellationToken cancellationToken) => throw Unavailable(context);

        public Task StartAsync(MachineContext context, CancellationToken cancellationToken) => throw Unavailable(context);

        public Task StopAsync(MachineContext context, CancellationToken cancellationToken) => throw Unavailable(context);

        public Task RemoveAsync(MachineContext context, CancellationToken cancellationToken) => throw Unavailable(context);

        public Task<MachineState> GetStateAsync(MachineContext context, CancellationToken cancellationToken) => Task.FromResult(MachineState.Unknown);

        private ContainerEngineException Unavailable(MachineContext context) =>
            new ContainerEngineException("MachineProviderUnavailable", EngineErrorKind.NotSupported,
                $"The {Kind} provider of machine '{context.Definition.Name}' is not available on this host: {_reason}", context.Definition.Name);
    }
}
