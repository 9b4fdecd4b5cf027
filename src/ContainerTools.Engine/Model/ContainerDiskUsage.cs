using System;
using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>One line of docker system df: how much one kind of object takes and how much a prune could free.</summary>
    public sealed class ContainerDiskUsage
    {
        internal ContainerDiskUsage(string type, int total, int active, long size, long reclaimable, ContainerEngineConnection engine)
        {
            Type = type;
            Total = total;
            Active = active;
            Size = size;
            Reclaimable = reclaimable;
            Engine = engine;
        }

        /// <summary>Images, Containers, Local Volumes or Build Cache.</summary>
        public string Type { get; }

        public int Total { get; }

        /// <summary>In use: images with containers, running containers, volumes with containers, build cache in use.</summary>
        public int Active { get; }

        /// <summary>Bytes on disk.</summary>
        public long Size { get; }

        /// <summary>Bytes a prune could free.</summary>
        public long Reclaimable { get; }

        /// <summary>Reclaimable as a whole percentage of Size, as docker system df shows it.</summary>
        public int ReclaimablePercent => Size > 0 ? (int)(Reclaimable * 100 / Size) : 0;

        public ContainerEngineConnection Engine { get; }
    }

    /// <summary>One object of docker system df -v: an image, a container, a volume or a build cache record, with its size.</summary>
    public sealed class ContainerDiskUsageItem
    {
        internal ContainerDiskUsageItem(string type, string name, string id, long size, long sharedSize, long links, bool active,
            DateTimeOffset? created, ContainerEngineConnection engine)
        {
            Type = type;
            Name = name;
            Id = id;
            Size = size;
            SharedSize = sharedSize;
            Links = links;
            Active = active;
            Created = created;
            Engine = engine;
        }

        /// <summary>Images, Containers, Local Volumes or Build Cache: the summary line this item counts in.</summary>
        public string Type { get; }

        /// <summary>Image reference, container name, volume name, or build cache description.</summary>
        public string Name { get; }

        public string Id { get; }

        /// <summary>Bytes: an image's full size, a container's writable layer, a volume's data, a cache record.</summary>
        public long Size { get; }

        /// <summary>Bytes an image shares with other images (images only; 0 otherwise, -1 when not counted).</summary>
        public long SharedSize { get; }

        /// <summary>Bytes that only this image uses (Size - SharedSize).</summary>
        public long UniqueSize => SharedSize < 0 ? Size : Size - SharedSize;

        /// <summary>How many containers use it (images, volumes) or how often it was used (build cache); -1 when unknown.</summary>
        public long Links { get; }

        /// <summary>Counts as ACTIVE in the summary (in use, running).</summary>
        public bool Active { get; }

        public DateTimeOffset? Created { get; }

        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Type + " " + Name;
    }

    /// <summary>docker system df: the four summary lines, and every item they count (docker system df -v).</summary>
    public sealed class ContainerDiskUsageReport
    {
        internal ContainerDiskUsageReport(IReadOnlyList<ContainerDiskUsage> summary, IReadOnlyList<ContainerDiskUsageItem> items)
        {
            Summary = summary;
            Items = items;
        }

        public IReadOnlyList<ContainerDiskUsage> Summary { get; }

        public IReadOnlyList<ContainerDiskUsageItem> Items { get; }
    }
}
