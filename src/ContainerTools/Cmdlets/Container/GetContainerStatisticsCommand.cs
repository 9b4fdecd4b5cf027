using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Model;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Get-ContainerStatistics [docker stats]: one sample per container (docker stats --no-stream), or with -Stream a
    /// live feed of every container at once until they stop or the pipeline does.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ContainerStatistics", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ContainerStatistics))]
    public sealed class GetContainerStatisticsCommand : ContainerTargetCmdlet
    {
        private readonly List<(ContainerEngineConnection Engine, string Reference, string Display)> _streamed =
            new List<(ContainerEngineConnection, string, string)>();

        /// <summary>Write a sample about every second until the containers stop or the pipeline is stopped (Ctrl+C).</summary>
        [Parameter]
        public SwitchParameter Stream { get; set; }

        protected override string ActionDescription => "Read the statistics of container";

        protected override void ProcessRecord()
        {
            if (!Stream)
            {
                base.ProcessRecord();
                return;
            }

            // The feeds all run at once, from EndProcessing, so every container's samples interleave as they come.
            foreach (var target in Targets())
            {
                WriteVerbose($"Following the statistics of '{target.Display}' on {target.Engine.Name}.");
                _streamed.Add(target);
            }
        }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            if (!Stream || _streamed.Count == 0)
            {
                return;
            }

            Stream<bool>(async (post, ct) =>
            {
                await Task.WhenAll(_streamed.Select(async target =>
                {
                    try
                    {
                        await target.Engine.Containers.StreamStatisticsAsync(target.Reference, sample => post(() => WriteObject(sample)), ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                    }
                    catch (Exception e)
                    {
                        post(() => WriteFailure(e, target.Display));
                    }
                })).ConfigureAwait(false);
                return true;
            });
        }

        protected override async Task<object?> ActAsync(ContainerEngineConnection engine, string reference, CancellationToken cancellationToken) =>
            await engine.Containers.GetStatisticsAsync(reference, cancellationToken).ConfigureAwait(false);
    }
}
