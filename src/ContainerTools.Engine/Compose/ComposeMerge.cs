using System;
using System.Collections.Generic;

namespace ContainerTools.Engine.Compose
{
    /// <summary>
    /// Merges compose files in order, with the compose specification's rules: mappings merged key by key,
    /// scalars overridden; environment, labels, build args, extra_hosts, depends_on and service networks merged
    /// by key (list forms are turned into mappings first); volumes merged by container path; ports, expose,
    /// dns, cap_add/cap_drop, env_file, profiles, tmpfs appended without duplicates; command, entrypoint and
    /// healthcheck.test replaced. Also normalises each file's short forms so the reader sees one shape.
    /// </summary>
    internal static class ComposeMerge
    {
        private static readonly HashSet<string> ReplacedSequences = new HashSet<string>(StringComparer.Ordinal) { "command", "entrypoint", "test" };

        public static ComposeNode Merge(ComposeNode target, ComposeNode overlay) => MergeNode(target, overlay, string.Empty);

        private static ComposeNode MergeNode(ComposeNode baseNode, ComposeNode overlay, string path)
        {
            if (baseNode.Kind == ComposeNodeKind.Mapping && overlay.Kind == ComposeNodeKind.Mapping)
            {
                var result = ComposeNode.NewMapping(baseNode);
                result.Entries.AddRange(baseNode.Entries);
                foreach (var entry in overlay.Entries)
                {
                    var existing = result.Get(entry.Key.Value!);
                    var childPath = path + "/" + KeyPattern(path, entry.Key.Value!);
                    result.Set(entry.Key, existing == null || existing.IsNull ? entry.Value : MergeNode(existing, entry.Value, childPath));
                }

                return result;
            }

            if (baseNode.Kind == ComposeNodeKind.Sequence && overlay.Kind == ComposeNodeKind.Sequence)
            {
                var last = path.Substring(path.LastIndexOf('/') + 1);
                if (ReplacedSequences.Contains(last))
                {
                    return overlay;
                }

                if (path == "/services/*/volumes")
                {
                    return MergeByTarget(baseNode, overlay);
                }

                // Other lists: appended; identical entries only once (ports, expose, dns, cap_add, ...).
                var result = ComposeNode.NewSequence(baseNode);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in baseNode.Items)
                {
                    if (seen.Add(item.Canonical()))
                    {
                        result.Items.Add(item);
                    }
                }

                foreach (var item in overlay.Items)
                {
                    if (seen.Add(item.Canonical()))
                    {
                        result.Items.Add(item);
                    }
                }

                return result;
            }

            return overlay;
        }

        /// <summary>Path segments for service-level rules: the service (and network/volume) name becomes '*'.</summary>
        private static string KeyPattern(string parentPath, string key) =>
            parentPath == "/services" || parentPath == "/networks" || parentPath == "/volumes" ? "*" : key;

        private static ComposeNode MergeByTarget(ComposeNode baseNode, ComposeNode overlay)
        {
            var result = ComposeNode.NewSequence(baseNode);
            result.Items.AddRange(baseNode.Items);
            foreach (var item in overlay.Items)
            {
                var target = VolumeTarget(item);
                var index = target == null ? -1 : result.Items.FindIndex(i => VolumeTarget(i) == target);
                if (index >= 0)
                {
                    result.Items[index] = item;
                }
                else
                {
                    result.Items.Add(item);
                }
            }

            return result;
        }

        private static string? VolumeTarget(ComposeNode item)
        {
            if (item.Kind == ComposeNodeKind.Mapping)
            {
                return item.Get("target")?.Value;
            }

            if (item.Kind == ComposeNodeKind.Scalar && item.Value != null)
            {
                var parts = item.Value.Split(':');
                return parts.Length == 1 ? parts[0] : parts[1];
            }

            return null;
        }

        /// <summary>Turns a file's short forms into the long ones the merge and the reader expect (in place).</summary>
        public static void Normalize(ComposeNode root)
        {
            if (root.Kind != ComposeNodeKind.Mapping)
            {
                throw root.Error($"a compose file must be a mapping (services:, networks:, volumes:, ...), not {root.KindName}.");
            }

            var services = root.Get("services");
            if (services == null || services.IsNull)
            {
                return;
            }

            if (services.Kind != ComposeNodeKind.Mapping)
            {
                throw services.Error($"services must be a mapping of service names to their settings, not {services.KindName}.");
            }

            foreach (var entry in services.Entries)
            {
                var service = entry.Value;
                if (service.IsNull)
                {
                    continue;
                }

                if (service.Kind != ComposeNodeKind.Mapping)
                {
                    throw service.Error($"service '{entry.Key.Value}' must be a mapping of settings, not {service.KindName}.");
                }

                var name = entry.Key.Value!;
                ToMapping(service, "environment", name, '=');
                ToMapping(service, "labels", name, '=');
                ToMapping(service, "extra_hosts", name, ':', keepList: true);
                ToListKeyedMapping(service, "depends_on", name, item => MappingOf(item, "condition", "service_started"));
                ToListKeyedMapping(service, "networks", name, item => ComposeNode.Scalar(null, true, item));

                var build = service.Get("build");
                if (build != null && build.Kind == ComposeNodeKind.Scalar && build.Value != null)
                {
                    var mapping = ComposeNode.NewMapping(build);
                    mapping.Entries.Add(new KeyValuePair<ComposeNode, ComposeNode>(ComposeNode.Scalar("context", true, build), build));
                    ReplaceValue(service, "build", mapping);
                }
                else if (build != null && build.Kind == ComposeNodeKind.Mapping)
                {
                    ToMapping(build, "args", name, '=');
                    ToMapping(build, "labels", name, '=');
                }

                var deploy = service.Get("deploy");
                if (deploy != null && deploy.Kind == ComposeNodeKind.Mapping)
                {
                    ToMapping(deploy, "labels", name, '=');
                }

                foreach (var key in new[] { "env_file", "dns", "tmpfs", "expose" })
                {
                    var value = service.Get(key);
                    if (value != null && value.Kind == ComposeNodeKind.Scalar && value.Value != null)
                    {
                        var list = ComposeNode.NewSequence(value);
                        list.Items.Add(value);
                        ReplaceValue(service, key, list);
                    }
                }
            }
        }

        private static ComposeNode MappingOf(ComposeNode at, string key, string value)
        {
            var mapping = ComposeNode.NewMapping(at);
            mapping.Entries.Add(new KeyValuePair<ComposeNode, ComposeNode>(ComposeNode.Scalar(key, true, at), ComposeNode.Scalar(value, true, at)));
            return mapping;
        }

        private static void ReplaceValue(ComposeNode mapping, string key, ComposeNode value)
        {
            for (var i = 0; i < mapping.Entries.Count; i++)
            {
                if (mapping.Entries[i].Key.Value == key)
                {
                    mapping.Entries[i] = new KeyValuePair<ComposeNode, ComposeNode>(mapping.Entries[i].Key, value);
                }
            }
        }

        /// <summary>["A=1", "B"] → {A: "1", B: null}; a mapping stays as it is.</summary>
        private static void ToMapping(ComposeNode parent, string key, string service, char separator, bool keepList = false)
        {
            var value = parent.Get(key);
            if (value == null || value.IsNull || value.Kind == ComposeNodeKind.Mapping)
            {
                return;
            }

            if (value.Kind != ComposeNodeKind.Sequence)
            {
                throw value.Error($"{key} of service '{service}' must be a mapping or a list of \"KEY{separator}VALUE\" strings, not {value.KindName}.");
            }

            if (keepList)
            {
                return;
            }

            var mapping = ComposeNode.NewMapping(value);
            foreach (var item in value.Items)
            {
                if (item.Kind != ComposeNodeKind.Scalar || item.Value == null)
                {
                    throw item.Error($"each entry of {key} in service '{service}' must be a \"KEY{separator}VALUE\" string, not {item.KindName}.");
                }

                var at = item.Value.IndexOf(separator);
                var k = at < 0 ? item.Value : item.Value.Substring(0, at);
                var v = at < 0 ? null : item.Value.Substring(at + 1);
                mapping.Set(ComposeNode.Scalar(k, true, item), ComposeNode.Scalar(v, false, item));
            }

            ReplaceValue(parent, key, mapping);
        }

        /// <summary>["a", "b"] → {a: ..., b: ...}.</summary>
        private static void ToListKeyedMapping(ComposeNode parent, string key, string service, Func<ComposeNode, ComposeNode> valueFor)
        {
            var value = parent.Get(key);
            if (value == null || value.IsNull || value.Kind == ComposeNodeKind.Mapping)
            {
                return;
            }

            if (value.Kind != ComposeNodeKind.Sequence)
            {
                throw value.Error($"{key} of service '{service}' must be a list of names or a mapping, not {value.KindName}.");
            }

            var mapping = ComposeNode.NewMapping(value);
            foreach (var item in value.Items)
            {
                if (item.Kind != ComposeNodeKind.Scalar || item.Value == null)
                {
                    throw item.Error($"each entry of {key} in service '{service}' must be a name, not {item.KindName}.");
                }

                mapping.Set(item, valueFor(item));
            }

            ReplaceValue(parent, key, mapping);
        }
    }
}
