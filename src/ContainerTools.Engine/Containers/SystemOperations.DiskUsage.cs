using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Containers
{
    public sealed partial class SystemOperations
    {
        /// <summary>The engine's disk usage (docker system df), summed as docker does; one GET /system/df.</summary>
        public async Task<ContainerDiskUsageReport> GetDiskUsageAsync(CancellationToken cancellationToken = default)
        {
            var text = await EngineCall.RunAsync(_engine, "Engine", _engine.Address, async c =>
            {
                var (status, body) = await EngineJson.SendAsync(c, HttpMethod.Get, "/system/df", null, cancellationToken).ConfigureAwait(false);
                if ((int)status >= 300)
                {
                    throw EngineCall.Translate(status, EngineCall.ApiMessage(body), "Engine", _engine.Address, null);
                }

                return body;
            }, cancellationToken).ConfigureAwait(false);

            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var items = new List<ContainerDiskUsageItem>();
            var summary = new List<ContainerDiskUsage>();

            // Images: SIZE is the layers' total; what the images of containers use alone is not reclaimable.
            var images = EngineJson.Array(root, "Images").ToList();
            long imagesUsed = 0;
            foreach (var image in images)
            {
                var containers = EngineJson.Long(image, "Containers");
                var size = EngineJson.Long(image, "Size", 0);
                var shared = EngineJson.Long(image, "SharedSize");
                if (containers > 0 && shared != -1)
                {
                    imagesUsed += size - shared;
                }

                var tags = EngineJson.Array(image, "RepoTags").Select(t => t.GetString()).Where(t => !string.IsNullOrEmpty(t) && t != "<none>:<none>").ToList();
                var id = EngineJson.String(image, "Id") ?? string.Empty;
                var created = EngineJson.Long(image, "Created");
                foreach (var name in tags.Count == 0 ? new List<string?> { "<none>:<none>" } : tags)
                {
                    items.Add(new ContainerDiskUsageItem(Images, name!, id, size, shared, containers, containers > 0,
                        created >= 0 ? DateTimeOffset.FromUnixTimeSeconds(created) : (DateTimeOffset?)null, _engine));
                }
            }

            var layersSize = EngineJson.Long(root, "LayersSize", 0);
            summary.Add(new ContainerDiskUsage(Images, images.Count, images.Count(i => EngineJson.Long(i, "Containers") > 0), layersSize,
                Math.Max(0, layersSize - imagesUsed), _engine));

            // Containers: the writable layers; those of stopped containers are reclaimable.
            var containerItems = new List<ContainerDiskUsageItem>();
            foreach (var container in EngineJson.Array(root, "Containers"))
            {
                var state = EngineJson.String(container, "State") ?? string.Empty;
                var active = state == "running" || state == "paused" || state == "restarting";
                var name = EngineJson.Array(container, "Names").Select(n => n.GetString()?.TrimStart('/')).FirstOrDefault() ?? string.Empty;
                var created = EngineJson.Long(container, "Created");
                containerItems.Add(new ContainerDiskUsageItem(Containers, name, EngineJson.String(container, "Id") ?? string.Empty,
                    Math.Max(0, EngineJson.Long(container, "SizeRw", 0)), 0, EngineJson.Array(container, "Mounts").Count(), active,
                    created >= 0 ? DateTimeOffset.FromUnixTimeSeconds(created) : (DateTimeOffset?)null, _engine));
            }

            items.AddRange(containerItems);
            summary.Add(new ContainerDiskUsage(Containers, containerItems.Count, containerItems.Count(c => c.Active), containerItems.Sum(c => c.Size),
                containerItems.Where(c => !c.Active).Sum(c => c.Size), _engine));

            // Volumes: a volume no container references is reclaimable.
            var volumeItems = EngineJson.Array(root, "Volumes").Select(v => _engine.Volumes.FromDiskUsage(v))
                .Select(v => new ContainerDiskUsageItem(LocalVolumes, v.Name, v.Name, v.Size, 0, v.ReferenceCount, v.ReferenceCount > 0, v.Created, _engine))
                .ToList();
            items.AddRange(volumeItems);
            summary.Add(new ContainerDiskUsage(LocalVolumes, volumeItems.Count, volumeItems.Count(v => v.Active), volumeItems.Where(v => v.Size > 0).Sum(v => v.Size),
                volumeItems.Where(v => !v.Active && v.Size > 0).Sum(v => v.Size), _engine));

            // Build cache: shared records count once; records in use are not reclaimable.
            var cacheItems = new List<ContainerDiskUsageItem>();
            foreach (var record in EngineJson.Array(root, "BuildCache"))
            {
                var shared = EngineJson.Bool(record, "Shared");
                var inUse = EngineJson.Bool(record, "InUse");
                var size = EngineJson.Long(record, "Size", 0);
                cacheItems.Add(new ContainerDiskUsageItem(BuildCache, EngineJson.String(record, "Description") ?? EngineJson.String(record, "Type") ?? string.Empty,
                    EngineJson.String(record, "ID") ?? string.Empty, size, shared ? size : 0, EngineJson.Long(record, "UsageCount"), inUse,
                    EngineJson.Time(record, "CreatedAt"), _engine));
            }

            items.AddRange(cacheItems);
            summary.Add(new ContainerDiskUsage(BuildCache, cacheItems.Count, cacheItems.Count(c => c.Active),
                cacheItems.Where(c => c.SharedSize == 0).Sum(c => c.Size), cacheItems.Where(c => !c.Active && c.SharedSize == 0).Sum(c => c.Size), _engine));

            return new ContainerDiskUsageReport(summary, items);
        }

        private const string Images = "Images";
        private const string Containers = "Containers";
        private const string LocalVolumes = "Local Volumes";
        private const string BuildCache = "Build Cache";
    }
}
