using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;
using ContainerTools.Engine.Machines;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Machine
{
    /// <summary>
    /// The base of the *-ContainerMachine cmdlets. They manage engines rather than act on one, so they have no -Engine;
    /// like every other cmdlet, work runs off the pipeline thread, StopProcessing cancels it, and every Write* (progress
    /// included) happens on the pipeline thread.
    /// </summary>
    public abstract class MachineCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private MachineManager? _manager;

        /// <summary>The current user's machines (CONTAINERTOOLS_MACHINE_STORE and DOCKER_CONFIG honoured, read when the command runs).</summary>
        protected MachineManager Manager => _manager ??= MachineManager.ForCurrentUser();

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>The named machines; names with wildcards match the store (no match is no error), plain names must exist.</summary>
        protected IEnumerable<MachineDefinition> Resolve(IEnumerable<string> names)
        {
            foreach (var name in names)
            {
                if (Wildcard.HasWildcards(name))
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    foreach (var definition in Manager.Store.List())
                    {
                        if (pattern.IsMatch(definition.Name))
                        {
                            yield return definition;
                        }
                    }

                    continue;
                }

                MachineDefinition? found = null;
                try
                {
                    found = Manager.Require(name);
                }
                catch (ContainerEngineException e)
                {
                    WriteError(ErrorMapping.ToErrorRecord(e, name));
                }

                if (found != null)
                {
                    yield return found;
                }
            }
        }

        /// <summary>Runs machine work with a progress bar fed by the provider's steps; a failure becomes an error for the machine.</summary>
        protected bool Run(string activity, string machine, Func<IProgress<string>, CancellationToken, Task> work)
        {
            var record = new ProgressRecord(Math.Abs(machine.GetHashCode() % 100000) + 1, activity, "Starting");
            try
            {
                // Machine work cleans up longer after a cancel (a daemon stopped, a namespace removed) than an engine call.
                PipelineStream.Run(async (post, token) =>
                {
                    await work(new SynchronousProgress<string>(step => post(() =>
                    {
                        record.StatusDescription = step;
                        WriteVerbose($"{machine}: {step}");
                        WriteProgress(record);
                    })), token).ConfigureAwait(false);
                    return true;
                }, _stopping.Token, TimeSpan.FromSeconds(30));
                return true;
            }
            catch (Exception e) when (e is ContainerEngineException || e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorMapping.ToErrorRecord(e, machine));
                return false;
            }
            finally
            {
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
            }
        }

        /// <summary>Describes a machine (state, engine version) for output.</summary>
        protected ContainerMachine Describe(MachineDefinition definition)
        {
            try
            {
                return Task.Run(() => Manager.DescribeAsync(definition, _stopping.Token)).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }
    }
}
