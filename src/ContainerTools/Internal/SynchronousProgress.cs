using System;

namespace ContainerTools.Internal
{
    /// <summary>IProgress that calls back at once, in order (Progress&lt;T&gt; posts to a context and can reorder or lag).</summary>
    internal sealed class SynchronousProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;

        public SynchronousProgress(Action<T> report)
        {
            _report = report;
        }

        public void Report(T value) => _report(value);
    }
}
