using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>What a prune of containers, networks or volumes removed (docker container/network/volume prune).</summary>
    public sealed class PruneResult
    {
        internal PruneResult(string resourceType, IReadOnlyList<string> deleted, long spaceReclaimed, ContainerEngineConnection engine)
        {
            ResourceType = resourceType;
            Deleted = deleted;
            SpaceReclaimed = spaceReclaimed;
            Engine = engine;
        }

        /// <summary>Container, Network or Volume.</summary>
        public string ResourceType { get; }

        /// <summary>The ids (containers) or names (networks, volumes) removed.</summary>
        public IReadOnlyList<string> Deleted { get; }

        /// <summary>Bytes freed, as the engine counted them (0 for networks).</summary>
        public long SpaceReclaimed { get; }

        public ContainerEngineConnection Engine { get; }
    }
}
