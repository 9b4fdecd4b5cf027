using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// What Invoke-ContainerCommand and Enter-Container share: the one running container a command runs in
    /// (-Name, -Id or a container object from the pipeline) and how the command runs (docker exec -u, -w, -e, --privileged).
    /// -Name is bound by property name but not by value, so that strings piped in can be the command's input.
    /// </summary>
    public abstract class ContainerCommandCmdlet : ContainerToolsCmdlet
    {
        protected const string ByName = "ByName";
        protected const string ById = "ById";
        protected const string ByObject = "ByObject";

        /// <summary>The container's name, id or unique id prefix.</summary>
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ContainerNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>The container's id or a unique id prefix.</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("ContainerId")]
        public string Id { get; set; } = string.Empty;

        /// <summary>A container from Get-Container or New-Container.</summary>
        [Parameter(ParameterSetName = ByObject, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ContainerTools.Engine.Model.Container? InputObject { get; set; }

        /// <summary>Run as this user: name, uid, user:group or uid:gid (docker exec -u).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        /// <summary>The directory the command starts in (docker exec -w).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        /// <summary>Environment variables for the command, as a hashtable; a $null value passes the variable through from this process.</summary>
        [Parameter]
        [Alias("Env")]
        public Hashtable? Environment { get; set; }

        /// <summary>Give the command extended privileges (docker exec --privileged).</summary>
        [Parameter]
        public SwitchParameter Privileged { get; set; }

        /// <summary>The engine and the container reference of this record, and how to name it in messages.</summary>
        protected (ContainerEngineConnection Engine, string Reference, string Display) Target()
        {
            if (ParameterSetName == ByObject && InputObject != null)
            {
                // An object knows its engine; an explicit -Engine wins.
                return (Engine ?? InputObject.Engine, InputObject.Id, InputObject.Name);
            }

            var reference = ParameterSetName == ById ? Id : Name;
            return (ResolveEngine(), reference, reference);
        }

        protected ContainerCommandSpec BuildSpec(string[] command, bool tty)
        {
            var spec = new ContainerCommandSpec(command)
            {
                User = User,
                WorkingDirectory = WorkingDirectory,
                Privileged = Privileged,
                Tty = tty,
            };
            foreach (DictionaryEntry entry in Environment ?? new Hashtable())
            {
                spec.Environment[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] =
                    entry.Value == null ? null : Convert.ToString(PSObject.AsPSObject(entry.Value).BaseObject, CultureInfo.InvariantCulture);
            }

            return spec;
        }

        /// <summary>A command line for messages, as docker shows one.</summary>
        protected static string CommandText(string[] command) => string.Join(" ", command);
    }
}
