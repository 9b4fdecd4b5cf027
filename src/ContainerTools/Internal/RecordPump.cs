using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ContainerTools.Internal
{
    /// <summary>
    /// Streams records from engine reads running off the pipeline thread (one per source, e.g. per followed container)
    /// to the pipeline thread, in batches, through a bounded queue: a reader that gets ahead of the pipeline waits
    /// (and with it the engine's stream), so memory stays flat however long the stream is. Each source's batches keep
    /// their order; batches of several sources interleave as they arrive. Disposing cancels every read still running
    /// and waits briefly for it to let go of its connection; Drain does that itself when the pipeline ends it.
    /// </summary>
    internal sealed class RecordPump<T> : IDisposable
    {
        /// <summary>Batches held at most before readers wait; a batch is what one read from the engine brought.</summary>
        private const int Capacity = 64;

        private readonly BlockingCollection<Item> _queue = new BlockingCollection<Item>(Capacity);
        private readonly CancellationToken _stopping;
        private readonly CancellationTokenSource _cancel;
        private readonly List<Task> _readers = new List<Task>();
        private int _started;
        private int _finished;
        private bool _disposed;

        public RecordPump(CancellationToken stopping)
        {
            _stopping = stopping;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        }

        /// <summary>Starts one source: work posts batches as they come; its failure is handed to the pipeline thread as an error for target.</summary>
        public void Start(object target, Func<Action<IReadOnlyList<T>>, CancellationToken, Task> work)
        {
            var token = _cancel.Token;
            _started++;
            _readers.Add(Task.Run(async () =>
            {
                Exception? failure = null;
                try
                {
                    await work(batch => _queue.Add(new Item(batch, null, null), token), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return; // nobody is reading any more
                }
                catch (Exception e)
                {
                    failure = e;
                }

                try
                {
                    _queue.Add(new Item(null, failure, target), token);
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }

        /// <summary>
        /// Writes what has arrived, on the calling (pipeline) thread; with wait, until every source started so far has
        /// ended. A stopped pipeline (StopProcessing) ends it with PipelineStoppedException; stopped downstream
        /// (Select-Object -First) or failed, it ends the reads here, with their connections, and rethrows.
        /// </summary>
        public void Drain(bool wait, Action<T> write, Action<Exception, object> fail)
        {
            try
            {
                DrainQueue(wait, write, fail);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                Dispose();
                throw new PipelineStoppedException();
            }
            catch (Exception)
            {
                Dispose();
                throw;
            }
        }

        private void DrainQueue(bool wait, Action<T> write, Action<Exception, object> fail)
        {
            while (_finished < _started)
            {
                Item item;
                if (wait)
                {
                    item = _queue.Take(_cancel.Token);
                }
                else if (!_queue.TryTake(out item))
                {
                    return;
                }

                if (item.Records != null)
                {
                    foreach (var record in item.Records)
                    {
                        write(record);
                    }

                    continue;
                }

                _finished++;
                if (item.Failure != null)
                {
                    fail(item.Failure, item.Target!);
                }
            }
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _cancel.Cancel();
            try
            {
                // Readers end as soon as their reads see the cancel; give them a moment to close their connections.
                Task.WaitAll(_readers.ToArray(), TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
            }

            _cancel.Dispose();
        }

        private readonly struct Item
        {
            public Item(IReadOnlyList<T>? records, Exception? failure, object? target)
            {
                Records = records;
                Failure = failure;
                Target = target;
            }

            /// <summary>A batch; null for the end of a source.</summary>
            public IReadOnlyList<T>? Records { get; }

            public Exception? Failure { get; }

            public object? Target { get; }
        }
    }
}
