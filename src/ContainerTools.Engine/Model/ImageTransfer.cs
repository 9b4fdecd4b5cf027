using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>Progress of one layer of a pull or a push, as the engine reports it.</summary>
    public sealed class LayerProgress
    {
        public LayerProgress(string reference, string? layer, string status, long? current, long? total)
        {
            Reference = reference;
            Layer = layer;
            Status = status;
            Current = current;
            Total = total;
        }

        /// <summary>The image being transferred.</summary>
        public string Reference { get; }

        /// <summary>The layer id (short digest), or null for messages about the whole image.</summary>
        public string? Layer { get; }

        /// <summary>Waiting, Downloading, Extracting, Pull complete, Pushing, Pushed, Already exists, …</summary>
        public string Status { get; }

        public long? Current { get; }

        public long? Total { get; }

        /// <summary>0–100 when the engine knows the total, else -1.</summary>
        public int Percent => Total > 0 && Current != null ? (int)System.Math.Min(100, Current.Value * 100 / Total.Value) : -1;

        /// <summary>The layer is done (complete, already there, or pushed).</summary>
        public bool IsComplete =>
            Status.StartsWith("Pull complete", System.StringComparison.Ordinal) || Status.StartsWith("Already exists", System.StringComparison.Ordinal) ||
            Status.StartsWith("Pushed", System.StringComparison.Ordinal) || Status.StartsWith("Layer already exists", System.StringComparison.Ordinal) ||
            Status.StartsWith("Mounted from", System.StringComparison.Ordinal);
    }

    /// <summary>What Publish-ContainerImage returns: the pushed reference and the digest the registry gave it.</summary>
    public sealed class ImagePushResult
    {
        internal ImagePushResult(string reference, string registry, string tag, string? digest, long size, ContainerEngineConnection engine)
        {
            Reference = reference;
            Registry = registry;
            Tag = tag;
            Digest = digest;
            Size = size;
            Engine = engine;
        }

        public string Reference { get; }

        public string Registry { get; }

        public string Tag { get; }

        /// <summary>sha256:… of the manifest in the registry (pull by repository@digest).</summary>
        public string? Digest { get; }

        public long Size { get; }

        public ContainerEngineConnection Engine { get; }
    }

    /// <summary>What Connect-ContainerRegistry returns. It never carries the secret.</summary>
    public sealed class RegistryLogin
    {
        internal RegistryLogin(string registry, string username, string storedIn)
        {
            Registry = registry;
            Username = username;
            StoredIn = storedIn;
        }

        /// <summary>The registry host (docker.io for Docker Hub).</summary>
        public string Registry { get; }

        public string Username { get; }

        /// <summary>Where the credentials went: the config.json path, or 'docker-credential-NAME'.</summary>
        public string StoredIn { get; }
    }
}
