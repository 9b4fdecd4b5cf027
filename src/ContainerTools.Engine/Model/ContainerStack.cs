using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>A swarm stack (docker stack ls): the services labelled com.docker.stack.namespace=Name.</summary>
    public sealed class ContainerStack
    {
        internal ContainerStack(ContainerEngineConnection engine, string name, IReadOnlyList<string> serviceNames)
        {
            Engine = engine;
            Name = name;
            ServiceNames = serviceNames;
        }

        public string Name { get; }

        /// <summary>How many services the stack has.</summary>
        public int Services => ServiceNames.Count;

        /// <summary>The services' names (STACK_SERVICE), in order.</summary>
        public IReadOnlyList<string> ServiceNames { get; }

        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Name;
    }
}
