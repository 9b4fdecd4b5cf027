using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Compose;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Internal;

namespace ContainerTools.Cmdlets.Project
{
    /// <summary>
    /// Get-ContainerProject: with -Path, the resolved model of compose files [docker compose config]; without,
    /// the compose projects on the engine, from their containers' labels [docker compose ls -a].
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ContainerProject", DefaultParameterSetName = Running)]
    [OutputType(typeof(ComposeProjectSummary), ParameterSetName = new[] { Running })]
    [OutputType(typeof(ComposeProject), ParameterSetName = new[] { FromFile })]
    public sealed class GetContainerProjectCommand : ProjectCmdlet
    {
        private const string Running = "Running";
        private const string FromFile = "FromFile";

        /// <summary>Project names or patterns (wildcards) of projects on the engine. An exact name that is not there is an ObjectNotFound error.</summary>
        [Parameter(ParameterSetName = Running, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>The compose files, merged in order (compose.yaml, then overrides).</summary>
        [Parameter(ParameterSetName = FromFile, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [Alias("File", "ConfigFiles")]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>The project name, instead of COMPOSE_PROJECT_NAME, the file's name: or the folder name.</summary>
        [Parameter(ParameterSetName = FromFile)]
        [ValidateNotNullOrEmpty]
        public string? ProjectName { get; set; }

        /// <summary>Variables for interpolation, in compose's dotenv format, read instead of the .env next to the first file.</summary>
        [Parameter(ParameterSetName = FromFile)]
        [ValidateNotNullOrEmpty]
        public string[]? EnvironmentFile { get; set; }

        /// <summary>Profiles to activate (added to COMPOSE_PROFILES); '*' activates all.</summary>
        [Parameter(ParameterSetName = FromFile)]
        [ValidateNotNullOrEmpty]
        public string[]? Profile { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == FromFile)
            {
                ResolveFile();
                return;
            }

            var engine = ResolveEngine();
            TryRun(engine.Name, () =>
            {
                WriteVerbose($"Listing containers labelled {ComposeProjectSummary.ProjectLabel} on {engine.Name}.");
                var projects = Await(ct => ComposeProjectSummary.ListAsync(engine, ct));
                if (Name == null || Name.Length == 0)
                {
                    WriteObject(projects, enumerateCollection: true);
                    return;
                }

                foreach (var name in Name)
                {
                    var pattern = Wildcard.ToRegex(name);
                    var matches = projects.Where(p => pattern.IsMatch(p.Name)).ToList();
                    if (matches.Count == 0 && !Wildcard.HasWildcards(name))
                    {
                        WriteError(new ErrorRecord(
                            new ResourceNotFoundException("Project", name, $"No compose project named '{name}' has containers on {engine.Name}. Get-ContainerProject without -Name lists them all."),
                            "ProjectNotFound", ErrorCategory.ObjectNotFound, name));
                        continue;
                    }

                    WriteObject(matches, enumerateCollection: true);
                }
            });
        }

        private void ResolveFile()
        {
            var project = LoadProject(Path, ProjectName, EnvironmentFile, Profile);
            if (project != null)
            {
                WriteObject(project);
            }
        }
    }
}
