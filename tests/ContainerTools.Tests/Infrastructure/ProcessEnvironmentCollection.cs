using Xunit;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>Tests that change process-wide state (DOCKER_CONFIG, PATH) run here, apart from every other test.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ProcessEnvironmentCollection
    {
        public const string Name = "Process environment";
    }
}
