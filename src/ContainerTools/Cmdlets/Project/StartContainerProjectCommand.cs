using System;
using System.Collections.Generic;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Build;
using ContainerTools.Engine.Compose;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Project
{
    /// <summary>
    /// Start-ContainerProject [docker compose up -d]: converges the compose files onto the engine. Networks and volumes
    /// are created when missing; containers whose configuration is unchanged are left alone, changed ones recreated,
    /// stopped ones started, in dependency order.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "ContainerProject", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerTools.Engine.Model.Container))]
    public sealed class StartContainerProjectCommand : ProjectCmdlet
    {
        /// <summary>The compose files, merged in order; compose.yaml (or its siblings) in the current folder when omitted.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [Alias("File", "ConfigFiles")]
        public string[]? Path { get; set; }

        /// <summary>The project name, instead of COMPOSE_PROJECT_NAME, the file's name: or the folder name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ProjectName { get; set; }

        /// <summary>Only these services (and the services they depend on).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Service { get; set; }

        /// <summary>Build the images of every service with build: before starting (docker compose up --build); without it only missing images are built.</summary>
        [Parameter]
        public SwitchParameter Build { get; set; }

        /// <summary>Recreate the containers even when their configuration is unchanged.</summary>
        [Parameter]
        public SwitchParameter ForceRecreate { get; set; }

        /// <summary>Remove the project's containers whose service is no longer in the files.</summary>
        [Parameter]
        public SwitchParameter RemoveOrphans { get; set; }

        /// <summary>Variables for interpolation, in compose's dotenv format, read instead of the .env next to the first file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? EnvironmentFile { get; set; }

        /// <summary>Profiles to activate (added to COMPOSE_PROFILES); '*' activates all.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Profile { get; set; }

        /// <summary>How long a service waits for a dependency to be healthy or completed (depends_on conditions); 2 minutes by default.</summary>
        [Parameter]
        public TimeSpan DependencyTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Return the project's containers (of the services started) afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var project = LoadProject(Path, ProjectName, EnvironmentFile, Profile);
            if (project == null)
            {
                return;
            }

            var engine = ResolveEngine();
            var converger = new ProjectConverger(engine);
            var options = new ProjectConvergeOptions { Build = Build, ForceRecreate = ForceRecreate, RemoveOrphans = RemoveOrphans, DependencyTimeout = DependencyTimeout };
            foreach (var service in Service ?? Array.Empty<string>())
            {
                options.Services.Add(service);
            }

            TryRun(project.Name, () =>
            {
                // Images first, as compose does: a failed build leaves the project as it was, and the plan sees the new image ids.
                WriteVerbose($"Looking for services to build (build:) in project {project.Name}.");
                foreach (var build in Await(ct => converger.PlanBuildsAsync(project, options, ct)))
                {
                    if (!ShouldProcess($"image {build}", $"Build for service {string.Join(", ", build.Services)} ({build.Reason})"))
                    {
                        continue;
                    }

                    WriteVerbose($"Building image {build} from {build.Build.Context} for service {string.Join(", ", build.Services)} ({build.Reason}).");
                    var buildProgress = new BuildProgressWriter(this, $"Building image {build} (service {string.Join(", ", build.Services)})", 2);
                    try
                    {
                        var id = Stream((post, ct) => converger.BuildImageAsync(project, build,
                            new SynchronousProgress<ImageBuildProgress>(p => post(() => buildProgress.Report(p))),
                            new SynchronousProgress<ImageBuildMessage>(m => post(() => WriteBuildMessage(m))), ct));
                        WriteVerbose($"Built image {build} ({id}).");
                    }
                    finally
                    {
                        buildProgress.Complete();
                    }
                }

                WriteVerbose($"Comparing project {project.Name} with what runs on {engine.Name} (containers labelled {ComposeProjectSummary.ProjectLabel}={project.Name}).");
                var plan = Await(ct => converger.PlanAsync(project, options, ct));

                // ShouldProcess is asked here, on the pipeline thread, for every change of the plan; -WhatIf lists them all.
                var approved = new HashSet<ProjectStep>();
                foreach (var step in plan.Steps)
                {
                    if (!step.IsChange)
                    {
                        WriteVerbose($"Leave {step.ResourceKind.ToLowerInvariant()} {step.Name} ({step.Reason}).");
                    }
                    else if (ShouldProcess($"{step.ResourceKind.ToLowerInvariant()} {step.Name}", $"{step.Kind} ({step.Reason})"))
                    {
                        approved.Add(step);
                    }
                }

                var progress = new ProgressRecord(1, $"Starting project {project.Name}", "Preparing");
                var index = 0;
                try
                {
                    var containers = Stream((post, ct) => converger.ApplyAsync(plan, approved.Contains,
                        new SynchronousProgress<string>(message => post(() => WriteVerbose(message))),
                        new SynchronousProgress<ComposeService>(service => post(() =>
                        {
                            index++;
                            progress.StatusDescription = $"Service {service.Name}";
                            progress.PercentComplete = Math.Min(100, 100 * (index - 1) / Math.Max(1, plan.Services.Count));
                            WriteProgress(progress);
                        })),
                        ct));
                    if (PassThru)
                    {
                        WriteObject(containers, enumerateCollection: true);
                    }
                }
                finally
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            });
        }

        // As New-ContainerImage: every line of build output on the Information stream (tags Build and the kind), warnings also as warnings.
        private void WriteBuildMessage(ImageBuildMessage message)
        {
            if (message.Kind == ImageBuildMessageKind.Warning)
            {
                WriteWarning(message.Text);
            }

            WriteInformation(message, new[] { "Build", message.Kind.ToString() });
        }
    }
}
