using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;

namespace ContainerTools.Engine.Compose
{
    /// <summary>A compose project as it runs on an engine: its containers grouped by the com.docker.compose.project label [docker compose ls].</summary>
    public sealed class ComposeProjectSummary
    {
        public const string ProjectLabel = "com.docker.compose.project";
        public const string ConfigFilesLabel = "com.docker.compose.project.config_files";
        public const string WorkingDirectoryLabel = "com.docker.compose.project.working_dir";

        private ComposeProjectSummary(ContainerEngineConnection engine, string name, IReadOnlyList<Container> containers)
        {
            Engine = engine;
            Name = name;
            Containers = containers;
            var states = containers.GroupBy(c => c.State.ToString().ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal);
            Status = string.Join(", ", states.Select(g => g.Key + "(" + g.Count().ToString(CultureInfo.InvariantCulture) + ")"));
            ConfigFiles = containers
                .SelectMany(c => c.Labels.TryGetValue(ConfigFilesLabel, out var files) ? files.Split(',') : Array.Empty<string>())
                .Select(f => f.Trim()).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            WorkingDirectory = containers.Select(c => c.Labels.TryGetValue(WorkingDirectoryLabel, out var w) ? w : null).FirstOrDefault(w => !string.IsNullOrEmpty(w));
        }

        public string Name { get; }

        /// <summary>Container states and how many are in each, as docker compose ls shows them: "exited(1), running(2)".</summary>
        public string Status { get; }

        /// <summary>The compose files the project was started from (com.docker.compose.project.config_files).</summary>
        public IReadOnlyList<string> ConfigFiles { get; }

        public string? WorkingDirectory { get; }

        public IReadOnlyList<Container> Containers { get; }

        public ContainerEngineConnection Engine { get; }

        public override string ToString() => Name;

        /// <summary>The projects running on an engine [docker compose ls -a]: its containers with the project label, grouped.</summary>
        public static async Task<IReadOnlyList<ComposeProjectSummary>> ListAsync(ContainerEngineConnection engine, CancellationToken cancellationToken = default)
        {
            var query = new ContainerQuery();
            query.Labels.Add(ProjectLabel);
            return FromContainers(engine, await engine.Containers.ListAsync(query, cancellationToken).ConfigureAwait(false));
        }

        /// <summary>Groups containers into projects by their com.docker.compose.project label (containers without it are left out), by name.</summary>
        public static IReadOnlyList<ComposeProjectSummary> FromContainers(ContainerEngineConnection engine, IEnumerable<Container> containers) =>
            containers
                .Where(c => c.Labels.TryGetValue(ProjectLabel, out var p) && !string.IsNullOrEmpty(p))
                .GroupBy(c => c.Labels[ProjectLabel], StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ComposeProjectSummary(engine, g.Key, g.OrderBy(c => c.Name, StringComparer.Ordinal).ToList()))
                .ToList();
    }
}
