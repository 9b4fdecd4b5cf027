using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Containers
{
    /// <summary>Engine-wide questions: version and info.</summary>
    public sealed partial class SystemOperations
    {
        private readonly ContainerEngineConnection _engine;

        internal SystemOperations(ContainerEngineConnection engine)
        {
            _engine = engine;
        }

        /// <summary>docker version + docker info in one object.</summary>
        public Task<ContainerEngineInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
            EngineCall.RunAsync(_engine, "Engine", _engine.Address, async c =>
            {
                var versionTask = c.Docker.System.GetVersionAsync(cancellationToken);
                var infoTask = c.Docker.System.GetSystemInfoAsync(cancellationToken);
                var version = await versionTask.ConfigureAwait(false);
                var info = await infoTask.ConfigureAwait(false);
                return new ContainerEngineInfo(_engine, info.Name ?? string.Empty, version.Version ?? string.Empty, c.ApiVersion.ToString(2),
                    version.MinAPIVersion ?? string.Empty, info.OperatingSystem ?? string.Empty, info.OSType ?? string.Empty,
                    info.Architecture ?? string.Empty, info.KernelVersion ?? string.Empty, (int)info.NCPU, info.MemTotal,
                    info.Driver ?? string.Empty, info.CgroupDriver ?? string.Empty, info.DockerRootDir ?? string.Empty,
                    (int)info.Containers, (int)info.ContainersRunning, (int)info.ContainersPaused, (int)info.ContainersStopped,
                    (int)info.Images, info.Swarm?.LocalNodeState.ToString() ?? "inactive");
            }, cancellationToken);
    }
}
