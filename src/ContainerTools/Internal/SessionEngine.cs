using System;
using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Internal
{
    /// <summary>The default engine set by Connect-ContainerEngine, one per runspace (runbooks and tests share processes).</summary>
    internal static class SessionEngine
    {
        private static readonly ConcurrentDictionary<Guid, ContainerEngineConnection> Defaults = new ConcurrentDictionary<Guid, ContainerEngineConnection>();

        private static Guid CurrentKey => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

        public static ContainerEngineConnection? Current =>
            Defaults.TryGetValue(CurrentKey, out var engine) ? engine : null;

        public static void Set(ContainerEngineConnection engine) => Defaults[CurrentKey] = engine;

        public static bool Clear() => Defaults.TryRemove(CurrentKey, out _);

        /// <summary>The engine a command uses when it was given none: the session default, else what the docker CLI would use.</summary>
        public static ContainerEngineConnection Resolve(ContainerEngineConnection? given) =>
            given ?? Current ?? ContainerEngineConnection.FromEnvironment();
    }
}
