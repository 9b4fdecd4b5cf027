using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets
{
    /// <summary>
    /// The base of every ContainerTools cmdlet: the -Engine parameter, a cancellation token that
    /// StopProcessing (Ctrl+C, a stopped pipeline) cancels, engine calls run off the pipeline thread while
    /// every Write* happens on it, and engine exceptions turned into ErrorRecords.
    /// </summary>
    public abstract class ContainerToolsCmdlet : PSCmdlet
    {
        /// <summary>How many per-item engine calls one cmdlet keeps in flight.</summary>
        private const int MaxConcurrency = 8;

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly Queue<Task<Action>> _pending = new Queue<Task<Action>>();
        private readonly SemaphoreSlim _throttle = new SemaphoreSlim(MaxConcurrency);

        /// <summary>The engine: an address (unix:///var/run/docker.sock, tcp://host:2376), a docker context name or a connection object.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EngineTransformation]
        [ArgumentCompleter(typeof(Completion.EngineCompleter))]
        public ContainerEngineConnection? Engine { get; set; }

        protected CancellationToken CancellationToken => _stopping.Token;

        /// <summary>The engine for this record: -Engine (or the piped object's Engine), the session default, or the environment's.</summary>
        protected ContainerEngineConnection ResolveEngine()
        {
            try
            {
                return SessionEngine.Resolve(Engine);
            }
            catch (ContainerEngineException e)
            {
                ThrowTerminatingError(ErrorMapping.ToErrorRecord(e, null));
                throw; // not reached
            }
        }

        protected override void StopProcessing() => _stopping.Cancel();

        protected override void EndProcessing() => DrainPending(all: true);

        /// <summary>Runs engine work to completion, off the pipeline thread, and returns its result here.</summary>
        protected T Await<T>(Func<CancellationToken, Task<T>> work)
        {
            try
            {
                return Task.Run(() => work(CancellationToken)).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        protected void Await(Func<CancellationToken, Task> work) =>
            Await(async ct =>
            {
                await work(ct).ConfigureAwait(false);
                return true;
            });

        /// <summary>
        /// Runs engine work that reports as it goes (progress, streamed records): whatever it posts runs here, on the
        /// pipeline thread, as soon as it arrives; returns when the work has finished and everything posted has run.
        /// </summary>
        protected T Stream<T>(Func<Action<Action>, CancellationToken, Task<T>> work) =>
            // The work gets a moment to see the cancel and clean up (an aborted upload, a removed container) before the pipeline stops.
            PipelineStream.Run(work, CancellationToken, TimeSpan.FromSeconds(10));

        /// <summary>Runs an image transfer (pull, push) with one progress bar per layer, all completed at the end.</summary>
        protected T WithLayerProgress<T>(string activity, Func<IProgress<ContainerTools.Engine.Model.LayerProgress>, CancellationToken, Task<T>> work)
        {
            var bars = new LayerProgressWriter(this, activity, 1);
            try
            {
                return Stream((post, ct) => work(new SynchronousProgress<ContainerTools.Engine.Model.LayerProgress>(p => post(() => bars.Report(p))), ct));
            }
            finally
            {
                bars.Complete();
            }
        }

        /// <summary>
        /// Starts per-item work now and lets the pipeline go on; what the work returns is run on the pipeline
        /// thread later, in input order (so output and errors keep the order of the input). Failures become
        /// non-terminating errors for that item, except an unreachable engine, which stops the command.
        /// </summary>
        protected void Enqueue(object target, Func<CancellationToken, Task<Action>> work)
        {
            var token = CancellationToken;
            var task = Task.Run(async () =>
            {
                await _throttle.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    return await work(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return (Action)(() => { });
                }
                catch (Exception e)
                {
                    return () => WriteFailure(e, target);
                }
                finally
                {
                    _throttle.Release();
                }
            });
            _pending.Enqueue(task);
            DrainPending(all: _pending.Count >= MaxConcurrency * 4);
        }

        /// <summary>Writes a failure: non-terminating for the item, terminating when the engine cannot be reached at all.</summary>
        protected void WriteFailure(Exception e, object? target)
        {
            var record = ErrorMapping.ToErrorRecord(e, target);
            if (e is EngineUnreachableException || (e is ContainerEngineException ce && ce.ErrorId == "EngineTooOld"))
            {
                ThrowTerminatingError(record);
            }

            WriteError(record);
        }

        /// <summary>Runs a synchronous piece of work and writes its failure as an error for the item.</summary>
        protected bool TryRun(object target, Action action)
        {
            try
            {
                action();
                return true;
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (Exception e) when (e is ContainerEngineException || e is AggregateException)
            {
                WriteFailure(e, target);
                return false;
            }
        }

        private void DrainPending(bool all)
        {
            while (_pending.Count > 0 && (all || _pending.Peek().IsCompleted))
            {
                var next = _pending.Peek();
                Action write;
                try
                {
                    write = next.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                _pending.Dequeue();
                if (_stopping.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                write();
            }
        }
    }
}
