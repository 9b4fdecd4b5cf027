using System;
using System.Collections.Concurrent;
using System.Linq;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>Removes (force) the containers a test registered, whatever the test's outcome.</summary>
    public sealed class ContainerCleanup : IDisposable
    {
        private readonly ConcurrentBag<string> _names = new ConcurrentBag<string>();

        /// <summary>A fresh unique name, removed at the end of the test.</summary>
        public string NewName(string prefix = "ctt")
        {
            var name = TestEngine.UniqueName(prefix);
            _names.Add(name);
            return name;
        }

        public string Track(string nameOrId)
        {
            _names.Add(nameOrId);
            return nameOrId;
        }

        private readonly ConcurrentBag<string> _volumes = new ConcurrentBag<string>();

        /// <summary>A named volume to remove after the containers.</summary>
        public string TrackVolume(string name)
        {
            _volumes.Add(name);
            return name;
        }

        public void Dispose()
        {
            var names = _names.Distinct().ToArray();
            if (names.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rm", "-f", "-v" }.Concat(names).ToArray());
            }

            var volumes = _volumes.Distinct().ToArray();
            if (volumes.Length > 0)
            {
                TestEngine.DockerResult(new[] { "volume", "rm", "-f" }.Concat(volumes).ToArray());
            }
        }
    }
}
