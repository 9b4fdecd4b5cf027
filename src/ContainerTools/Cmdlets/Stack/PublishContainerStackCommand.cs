using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Cmdlets.Project;
using ContainerTools.Engine;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Swarm;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Stack
{
    /// <summary>
    /// Publish-ContainerStack [docker stack deploy -c FILE NAME]: converges compose files onto a swarm as a stack. Missing
    /// networks are created; services are created when missing and updated only when their specification differs (an
    /// unchanged service keeps its version and tasks); -Prune removes the stack's services the files no longer have.
    /// </summary>
    [Cmdlet(VerbsData.Publish, "ContainerStack", SupportsShouldProcess = true)]
    [OutputType(typeof(ContainerStack))]
    public sealed class PublishContainerStackCommand : ProjectCmdlet
    {
        /// <summary>The compose files, merged in order; compose.yaml (or its siblings) in the current folder when omitted.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [Alias("File", "ComposeFile")]
        public string[]? Path { get; set; }

        /// <summary>The stack's name; the compose project name (COMPOSE_PROJECT_NAME, the file's name: or the folder) when omitted.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        [Alias("StackName")]
        [ArgumentCompleter(typeof(Completion.StackNameCompleter))]
        public string? Name { get; set; }

        /// <summary>Variables for interpolation, in compose's dotenv format, read instead of the .env next to the first file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? EnvironmentFile { get; set; }

        /// <summary>Remove the stack's services that the files no longer have (docker stack deploy --prune).</summary>
        [Parameter]
        public SwitchParameter Prune { get; set; }

        /// <summary>Wait until every service of the stack has converged, with progress; a failure is a ServiceConvergeFailed error.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: how many seconds to wait at most for each service (300 unless given).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; } = 300;

        /// <summary>Write the stack.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            var project = LoadProject(Path, Name, EnvironmentFile, null);
            if (project == null)
            {
                return;
            }

            StackDefinition stack;
            try
            {
                stack = StackDefinition.FromCompose(project, Name);
            }
            catch (ContainerEngineException e)
            {
                WriteFailure(e, e.Target ?? project.Name);
                return;
            }

            foreach (var warning in stack.Warnings)
            {
                WriteWarning(warning);
            }

            WriteVerbose($"Comparing stack '{stack.Name}' with the swarm of {engine.Name}.");
            StackPlan? plan = null;
            if (!TryRun(stack.Name, () => plan = Await(ct => engine.Stacks.PlanAsync(stack, ct))) || plan == null)
            {
                return;
            }

            foreach (var network in plan.NetworksToCreate)
            {
                if (!ShouldProcess(network.Name, $"Create {network.CreateSpec?.Driver ?? "overlay"} network"))
                {
                    continue;
                }

                WriteVerbose($"Creating network '{network.Name}' on the swarm of {engine.Name}.");
                if (!TryRun(network.Name, () => Await(ct => engine.Stacks.CreateNetworkAsync(network, ct))))
                {
                    return;
                }
            }

            var published = new List<ContainerService>();
            foreach (var service in plan.Services)
            {
                if (service.Action == StackServiceAction.Unchanged)
                {
                    WriteVerbose($"Service '{service.Name}' is unchanged; left as it is.");
                    continue;
                }

                var action = service.Action == StackServiceAction.Create ? "Create service" : $"Update service ({string.Join(", ", service.Differences)})";
                if (!ShouldProcess(service.Name, action))
                {
                    continue;
                }

                WriteVerbose($"{action} '{service.Name}' on the swarm of {engine.Name}.");
                TryRun(service.Name, () => published.Add(Await(ct => engine.Stacks.PublishServiceAsync(stack, service.Specification, ct)).Service));
            }

            foreach (var orphan in plan.ServicesToRemove)
            {
                if (!Prune)
                {
                    WriteVerbose($"Service '{orphan}' of stack '{stack.Name}' is no longer in the files; -Prune removes it.");
                    continue;
                }

                if (ShouldProcess(orphan, "Remove service (not in the files)"))
                {
                    WriteVerbose($"Removing service '{orphan}' from the swarm of {engine.Name}.");
                    TryRun(orphan, () => Await(ct => engine.Services.RemoveAsync(orphan, ct)));
                }
            }

            if (Wait)
            {
                WaitForServices(engine, stack.Name, plan.Services.Select(s => s.Name).ToList());
            }

            if (PassThru)
            {
                TryRun(stack.Name, () =>
                {
                    var result = Await(ct => engine.Stacks.TryGetAsync(stack.Name, ct));
                    if (result != null)
                    {
                        WriteObject(result);
                    }
                });
            }
        }

        private void WaitForServices(ContainerTools.Engine.Connection.ContainerEngineConnection engine, string stack, IReadOnlyList<string> services)
        {
            var record = new ProgressRecord(Math.Abs(stack.GetHashCode() % 100000) + 1, $"Stack {stack}", "Converging");
            try
            {
                for (var i = 0; i < services.Count; i++)
                {
                    var name = services[i];
                    var done = i;
                    WriteVerbose($"Waiting for service '{name}' to converge on {engine.Name}.");
                    TryRun(name, () => Stream((post, ct) => engine.Services.WaitForConvergenceAsync(name, TimeSpan.FromSeconds(Timeout),
                        new SynchronousProgress<ServiceConvergence>(p => post(() =>
                        {
                            record.CurrentOperation = $"{p.Service}: {p.Running}/{p.Desired} tasks running{(p.UpdateState.Length == 0 ? string.Empty : " (update " + p.UpdateState + ")")}";
                            record.StatusDescription = $"Service {done + 1} of {services.Count}";
                            record.PercentComplete = done * 100 / services.Count;
                            WriteProgress(record);
                        })), ct)));
                }
            }
            finally
            {
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
            }
        }
    }
}
