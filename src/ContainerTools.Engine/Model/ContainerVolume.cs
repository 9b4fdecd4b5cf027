using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>A volume on an engine, as docker volume inspect shows it.</summary>
    public sealed class ContainerVolume
    {
        /// <summary>The label engines from API 1.42 (Docker 23) put on volumes created without a name.</summary>
        public const string AnonymousLabel = "com.docker.volume.anonymous";

        private static readonly Regex GeneratedName = new Regex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);

        internal ContainerVolume(ContainerEngineConnection engine, string name, string driver, string mountpoint, string scope, DateTimeOffset? created,
            IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> options, long size, long referenceCount)
        {
            Engine = engine;
            Name = name;
            Driver = driver;
            Mountpoint = mountpoint;
            Scope = scope;
            Created = created;
            Labels = labels;
            Options = options;
            Size = size;
            ReferenceCount = referenceCount;
        }

        public string Name { get; }

        public string Driver { get; }

        /// <summary>Where the volume's data lives on the engine's host.</summary>
        public string Mountpoint { get; }

        public string Scope { get; }

        public DateTimeOffset? Created { get; }

        public IReadOnlyDictionary<string, string> Labels { get; }

        /// <summary>Driver options (docker volume create -o).</summary>
        public IReadOnlyDictionary<string, string> Options { get; }

        /// <summary>Bytes used, when the engine measured it (Get-ContainerDiskUsage); otherwise -1.</summary>
        public long Size { get; }

        /// <summary>How many containers use the volume, when the engine counted it; otherwise -1.</summary>
        public long ReferenceCount { get; }

        /// <summary>
        /// Created without a name (the engine named it with 64 hex digits, or marked it anonymous): what
        /// Remove-ContainerVolume -Unused removes without -IncludeNamed.
        /// </summary>
        public bool Anonymous => Labels.ContainsKey(AnonymousLabel) || GeneratedName.IsMatch(Name);

        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Name;
    }
}
