using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Engine.Machines
{
    /// <summary>Where a managed engine runs.</summary>
    public enum MachineProviderKind
    {
        /// <summary>A dockerd process on this Linux host, run by the module (optionally in its own network namespace).</summary>
        Local,

        /// <summary>A WSL 2 distribution on Windows with dockerd inside.</summary>
        Wsl,

        /// <summary>A Generation 2 Hyper-V VM on Windows booted from a cloud image.</summary>
        HyperV,
    }

    public enum MachineState
    {
        /// <summary>Defined, but creation did not finish; Start-/New-ContainerMachine resumes it, Remove-ContainerMachine removes it.</summary>
        Incomplete,
        Stopped,
        Starting,
        Running,
        Stopping,
        /// <summary>The provider cannot tell (its host tool failed or is missing).</summary>
        Unknown,
    }

    /// <summary>
    /// One provider of managed engines. The machine store, TLS material and docker context are handled
    /// once, by the caller; a provider only creates, starts, stops, removes and reports the machine it is
    /// given, and says where its engine listens. Every step must be safe to repeat (a half-created
    /// machine is resumed by calling CreateAsync again, or removed by RemoveAsync).
    /// </summary>
    public interface IMachineProvider
    {
        MachineProviderKind Kind { get; }

        /// <summary>Null when this provider can run on this host; else why not and what to do (e.g. "Hyper-V is not enabled: ...").</summary>
        string? UnavailableReason();

        /// <summary>Builds the machine (idempotently) and leaves it running, its engine listening with TLS as <paramref name="context"/> asks.</summary>
        Task CreateAsync(MachineContext context, CancellationToken cancellationToken);

        Task StartAsync(MachineContext context, CancellationToken cancellationToken);

        /// <summary>Stopping a stopped machine is no error.</summary>
        Task StopAsync(MachineContext context, CancellationToken cancellationToken);

        /// <summary>Removes everything the provider made for the machine (running or not); removing what is gone is no error.</summary>
        Task RemoveAsync(MachineContext context, CancellationToken cancellationToken);

        Task<MachineState> GetStateAsync(MachineContext context, CancellationToken cancellationToken);
    }

    /// <summary>What a provider is given for one machine: its definition and where its files live.</summary>
    public sealed class MachineContext
    {
        public MachineContext(MachineDefinition definition, string machineFolder, string tlsFolder, IProgress<string>? progress = null)
        {
            Definition = definition ?? throw new ArgumentNullException(nameof(definition));
            MachineFolder = machineFolder;
            TlsFolder = tlsFolder;
            Progress = progress;
        }

        public MachineDefinition Definition { get; }

        /// <summary>The machine's own folder in the per-user store (providers may keep files here).</summary>
        public string MachineFolder { get; }

        /// <summary>ca.pem, server-cert.pem, server-key.pem (for the engine) and cert.pem, key.pem (for clients).</summary>
        public string TlsFolder { get; }

        public IProgress<string>? Progress { get; }
    }

    /// <summary>A machine as persisted in the per-user store (JSON). Providers keep their own settings in ProviderSettings.</summary>
    public sealed class MachineDefinition
    {
        public string Name { get; set; } = string.Empty;

        public MachineProviderKind Provider { get; set; }

        public int Cpus { get; set; }

        public long MemoryBytes { get; set; }

        public long DiskBytes { get; set; }

        /// <summary>The engine's TLS endpoint as clients reach it, e.g. tcp://10.231.0.2:2376; set by the provider.</summary>
        public string? EngineAddress { get; set; }

        /// <summary>Host names and addresses the server certificate must name (the provider adds what it knows before certificates are made).</summary>
        public List<string> CertificateNames { get; set; } = new List<string>();

        public DateTimeOffset Created { get; set; }

        /// <summary>False until CreateAsync has finished; a definition saved with false is resumable.</summary>
        public bool CreationComplete { get; set; }

        public Dictionary<string, string> ProviderSettings { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// Runs host programs (wsl.exe, powershell.exe for Hyper-V, ip, nsenter, dockerd). Providers go through it so
    /// that tests can check the exact plan they produce without the programs being there.
    /// </summary>
    public interface IHostCommandRunner
    {
        Task<HostCommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken);
    }

    public sealed class HostCommand
    {
        public HostCommand(string fileName, IReadOnlyList<string> arguments, string? standardInput = null)
        {
            FileName = fileName;
            Arguments = arguments;
            StandardInput = standardInput;
        }

        public string FileName { get; }

        public IReadOnlyList<string> Arguments { get; }

        public string? StandardInput { get; }

        public override string ToString() => FileName + " " + string.Join(" ", Arguments);
    }

    public sealed class HostCommandResult
    {
        public HostCommandResult(int exitCode, string standardOutput, string standardError)
        {
            ExitCode = exitCode;
            StandardOutput = standardOutput;
            StandardError = standardError;
        }

        public int ExitCode { get; }

        public string StandardOutput { get; }

        public string StandardError { get; }
    }
}
