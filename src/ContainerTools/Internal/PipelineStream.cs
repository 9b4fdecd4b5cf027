using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Internal
{
    /// <summary>
    /// Work that reports as it goes (progress, streamed records), run off the pipeline thread: whatever it posts runs on
    /// the calling (pipeline) thread as soon as it arrives. The one pump behind ContainerToolsCmdlet.Stream and the
    /// machine cmdlets, which have no -Engine and so another base.
    /// </summary>
    internal static class PipelineStream
    {
        /// <summary>
        /// Returns when the work has finished and everything posted has run. When stopping is cancelled, the work gets up
        /// to cleanupWait to see the cancel and clean up before PipelineStoppedException stops the pipeline.
        /// </summary>
        public static T Run<T>(Func<Action<Action>, CancellationToken, Task<T>> work, CancellationToken stopping, TimeSpan cleanupWait)
        {
            using var posted = new BlockingCollection<Action>();
            var task = Task.Run(async () =>
            {
                try
                {
                    return await work(action => posted.Add(action), stopping).ConfigureAwait(false);
                }
                finally
                {
                    posted.CompleteAdding();
                }
            });
            try
            {
                foreach (var action in posted.GetConsumingEnumerable(stopping))
                {
                    action();
                }

                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                try
                {
                    task.Wait(cleanupWait);
                }
                catch (AggregateException)
                {
                }

                throw new PipelineStoppedException();
            }
        }
    }
}
