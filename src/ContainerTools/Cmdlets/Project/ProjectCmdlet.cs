using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Compose;

namespace ContainerTools.Cmdlets.Project
{
    /// <summary>What the project cmdlets share: loading compose files as Get-ContainerProject -Path does.</summary>
    public abstract class ProjectCmdlet : ContainerToolsCmdlet
    {
        private static readonly string[] DefaultFiles = { "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml" };

        /// <summary>Loads the compose files (none given: compose.yaml and its siblings in the current folder, as docker compose does); null after writing the error.</summary>
        internal ComposeProject? LoadProject(string[]? paths, string? projectName, string[]? environmentFiles, string[]? profiles)
        {
            var current = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            var options = new ComposeLoadOptions { ProjectName = projectName, CurrentDirectory = current };
            if (paths == null || paths.Length == 0)
            {
                var found = DefaultFiles.Select(f => System.IO.Path.Combine(current, f)).FirstOrDefault(File.Exists);
                if (found == null)
                {
                    WriteError(new ErrorRecord(
                        new FileNotFoundException($"No compose file (compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml) in '{current}'. Give one with -Path, or Set-Location to the project folder."),
                        "ComposeFileMissing", ErrorCategory.ObjectNotFound, current));
                    return null;
                }

                options.Paths.Add(found);
            }

            foreach (var path in paths ?? Array.Empty<string>())
            {
                options.Paths.Add(GetUnresolvedProviderPathFromPSPath(path));
            }

            foreach (var file in environmentFiles ?? Array.Empty<string>())
            {
                options.EnvironmentFiles.Add(GetUnresolvedProviderPathFromPSPath(file));
            }

            foreach (var profile in profiles ?? Array.Empty<string>())
            {
                options.Profiles.Add(profile);
            }

            WriteVerbose($"Loading compose files: {string.Join(", ", options.Paths)}.");
            try
            {
                var project = ComposeLoader.Load(options);
                foreach (var warning in project.Warnings)
                {
                    WriteWarning(warning);
                }

                return project;
            }
            catch (ContainerEngineException e)
            {
                WriteFailure(e, e.Target ?? string.Join(",", options.Paths));
                return null;
            }
        }
    }
}
