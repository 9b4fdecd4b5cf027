using System;
using System.Globalization;
using System.Management.Automation;
using ContainerTools.Engine.Build;

namespace ContainerTools.Internal
{
    /// <summary>One progress bar for a build: the context bytes sent, then "Step N/M : INSTRUCTION"; completed at the end.</summary>
    internal sealed class BuildProgressWriter
    {
        private readonly Cmdlet _cmdlet;
        private readonly string _activity;
        private readonly int _id;

        public BuildProgressWriter(Cmdlet cmdlet, string activity, int id)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            _id = id;
            _cmdlet.WriteProgress(new ProgressRecord(_id, _activity, "Preparing the build context"));
        }

        public void Report(ImageBuildProgress progress)
        {
            switch (progress.Phase)
            {
                case ImageBuildPhase.SendingContext:
                    _cmdlet.WriteProgress(new ProgressRecord(_id, _activity, "Sending build context: " + Size(progress.BytesSent)));
                    break;
                case ImageBuildPhase.Building:
                    var step = $"Step {progress.Step}/{progress.StepCount} : {progress.Instruction}";
                    _cmdlet.WriteProgress(new ProgressRecord(_id, _activity, step.Length > 200 ? step.Substring(0, 197) + "..." : step)
                    {
                        PercentComplete = Math.Max(0, progress.Percent),
                    });
                    break;
            }
        }

        public void Complete() =>
            _cmdlet.WriteProgress(new ProgressRecord(_id, _activity, "Done") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });

        private static string Size(long bytes) =>
            bytes >= 1 << 20 ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB"
            : bytes >= 1 << 10 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " kB"
            : bytes.ToString(CultureInfo.InvariantCulture) + " B";
    }
}
