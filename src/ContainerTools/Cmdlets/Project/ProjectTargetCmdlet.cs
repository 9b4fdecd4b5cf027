using System;
using System.Management.Automation;
using ContainerTools.Engine.Compose;

namespace ContainerTools.Cmdlets.Project
{
    /// <summary>Stop-/Remove-ContainerProject: the project by name (or a project object on the pipeline), or by its compose files.</summary>
    public abstract class ProjectTargetCmdlet : ProjectCmdlet
    {
        protected const string ByName = "ByName";
        protected const string FromFile = "FromFile";

        /// <summary>The project's name (com.docker.compose.project); a project from Get-ContainerProject binds by its Name.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = FromFile)]
        [ValidateNotNullOrEmpty]
        [Alias("Name")]
        [ArgumentCompleter(typeof(Completion.ProjectNameCompleter))]
        public string? ProjectName { get; set; }

        /// <summary>The compose files; the project name is taken from them (unless -ProjectName is given).</summary>
        [Parameter(ParameterSetName = FromFile, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [Alias("File")]
        public string[]? Path { get; set; }

        /// <summary>Variables for interpolation of the files, instead of the .env next to the first file.</summary>
        [Parameter(ParameterSetName = FromFile)]
        [ValidateNotNullOrEmpty]
        public string[]? EnvironmentFile { get; set; }

        /// <summary>The project read from -Path by ResolveProjectName (null by name).</summary>
        protected ComposeProject? LoadedProject { get; private set; }

        /// <summary>The project name this record is about; null after writing the error.</summary>
        protected string? ResolveProjectName()
        {
            if (ParameterSetName == ByName)
            {
                return ProjectName;
            }

            LoadedProject = LoadProject(Path, ProjectName, EnvironmentFile, null);
            return LoadedProject?.Name;
        }
    }
}
