using System;
using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>
    /// An image as one row of docker images: one object per repository:tag (an untagged image is one object
    /// with Repository and Tag '&lt;none&gt;'). Tags lists every tag of the same image.
    /// </summary>
    public sealed class ContainerImage
    {
        public const string None = "<none>";

        internal ContainerImage(ContainerEngineConnection engine, string id, string repository, string tag, string? digest,
            IReadOnlyList<string> tags, IReadOnlyList<string> digests, DateTimeOffset created, long size, long containers,
            IReadOnlyDictionary<string, string> labels, string? parentId)
        {
            Engine = engine;
            Id = id;
            Repository = repository;
            Tag = tag;
            Digest = digest;
            Tags = tags;
            Digests = digests;
            Created = created;
            Size = size;
            Containers = containers;
            Labels = labels;
            ParentId = parentId;
        }

        /// <summary>sha256:… as the engine names the image.</summary>
        public string Id { get; }

        /// <summary>The first 12 hex digits, as docker images shows them.</summary>
        public string ShortId => Id.StartsWith("sha256:", StringComparison.Ordinal) ? Id.Substring(7, Math.Min(12, Id.Length - 7)) : Id.Substring(0, Math.Min(12, Id.Length));

        /// <summary>As docker shows it (busybox, team/app, 127.0.0.1:5000/app), or &lt;none&gt;.</summary>
        public string Repository { get; }

        public string Tag { get; }

        /// <summary>repository:tag, or null for an untagged image (use Id then).</summary>
        public string? Reference => Repository == None || Tag == None ? null : Repository + ":" + Tag;

        /// <summary>The registry digest of this repository (sha256:…), when the image came from or went to a registry.</summary>
        public string? Digest { get; }

        /// <summary>Every repository:tag of this image.</summary>
        public IReadOnlyList<string> Tags { get; }

        /// <summary>Every repository@digest of this image.</summary>
        public IReadOnlyList<string> Digests { get; }

        public DateTimeOffset Created { get; }

        /// <summary>Bytes on disk, shared layers included.</summary>
        public long Size { get; }

        /// <summary>How many containers use it (-1 when the engine did not count).</summary>
        public long Containers { get; }

        public IReadOnlyDictionary<string, string> Labels { get; }

        public string? ParentId { get; }

        public ContainerEngineConnection Engine { get; }

        public bool Dangling => Tags.Count == 0;

        /// <summary>The same image seen under another repository, tag or digest.</summary>
        internal ContainerImage As(string repository, string tag, string? digest) =>
            new ContainerImage(Engine, Id, repository, tag, digest, Tags, Digests, Created, Size, Containers, Labels, ParentId);

        public override string ToString() => Reference ?? Id;
    }

    /// <summary>One layer of an image's history (docker history).</summary>
    public sealed class ContainerImageLayer
    {
        internal ContainerImageLayer(string image, string id, DateTimeOffset created, string createdBy, long size, string comment, IReadOnlyList<string> tags)
        {
            Image = image;
            Id = id;
            Created = created;
            CreatedBy = createdBy;
            Size = size;
            Comment = comment;
            Tags = tags;
        }

        /// <summary>The image whose history this is, as it was asked for.</summary>
        public string Image { get; }

        /// <summary>The layer's image id, or &lt;missing&gt; for layers built elsewhere.</summary>
        public string Id { get; }

        public DateTimeOffset Created { get; }

        /// <summary>The Dockerfile instruction (or command) that made the layer.</summary>
        public string CreatedBy { get; }

        public long Size { get; }

        public string Comment { get; }

        public IReadOnlyList<string> Tags { get; }
    }

    /// <summary>What a prune removed (docker image prune).</summary>
    public sealed class ImagePruneResult
    {
        internal ImagePruneResult(IReadOnlyList<string> deleted, IReadOnlyList<string> untagged, long spaceReclaimed, ContainerEngineConnection engine)
        {
            Deleted = deleted;
            Untagged = untagged;
            SpaceReclaimed = spaceReclaimed;
            Engine = engine;
        }

        public IReadOnlyList<string> Deleted { get; }

        public IReadOnlyList<string> Untagged { get; }

        public long SpaceReclaimed { get; }

        public ContainerEngineConnection Engine { get; }
    }
}
