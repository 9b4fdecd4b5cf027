using System;
using System.Collections.Generic;
using System.Management.Automation;
using ContainerTools.Engine.Model;

namespace ContainerTools.Internal
{
    /// <summary>
    /// One progress bar per layer under one bar for the image, as the engine reports them; every bar it opened
    /// is completed at the end, so none stays on screen.
    /// </summary>
    internal sealed class LayerProgressWriter
    {
        private readonly Cmdlet _cmdlet;
        private readonly string _activity;
        private readonly int _parentId;
        private readonly Dictionary<string, int> _layerIds = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly HashSet<string> _completed = new HashSet<string>(StringComparer.Ordinal);

        public LayerProgressWriter(Cmdlet cmdlet, string activity, int parentId)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            _parentId = parentId;
            _cmdlet.WriteProgress(new ProgressRecord(_parentId, _activity, "Starting"));
        }

        public void Report(LayerProgress progress)
        {
            if (progress.Layer == null || progress.Layer.Length == 0 || progress.Layer.Contains(":"))
            {
                // Messages about the whole image (or a tag name in 'id'): the top bar's status.
                _cmdlet.WriteProgress(new ProgressRecord(_parentId, _activity, progress.Status) { PercentComplete = Done() });
                return;
            }

            if (!_layerIds.TryGetValue(progress.Layer, out var id))
            {
                id = _parentId + 1 + _layerIds.Count;
                _layerIds[progress.Layer] = id;
            }

            var record = new ProgressRecord(id, "Layer " + progress.Layer, progress.Status) { ParentActivityId = _parentId };
            if (progress.Percent >= 0)
            {
                record.PercentComplete = progress.Percent;
            }

            if (progress.IsComplete)
            {
                record.RecordType = ProgressRecordType.Completed;
                _completed.Add(progress.Layer);
            }

            _cmdlet.WriteProgress(record);
            _cmdlet.WriteProgress(new ProgressRecord(_parentId, _activity, $"{_completed.Count} of {_layerIds.Count} layers done") { PercentComplete = Done() });
        }

        public void Complete()
        {
            foreach (var layer in _layerIds)
            {
                if (!_completed.Contains(layer.Key))
                {
                    _cmdlet.WriteProgress(new ProgressRecord(layer.Value, "Layer " + layer.Key, "Done") { ParentActivityId = _parentId, RecordType = ProgressRecordType.Completed });
                }
            }

            _cmdlet.WriteProgress(new ProgressRecord(_parentId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        private int Done() => _layerIds.Count == 0 ? 0 : Math.Min(100, _completed.Count * 100 / _layerIds.Count);
    }
}
