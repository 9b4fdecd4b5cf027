using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ContainerTools.Bench
{
    internal enum Role
    {
        Ours,
        Cli,
        Floor,
    }

    /// <summary>One contender's measured totals (one per iteration).</summary>
    internal sealed class Contender
    {
        public Contender(Role role, string name, string does)
        {
            Role = role;
            Name = name;
            Does = does;
        }

        public Role Role { get; }

        public string Name { get; }

        /// <summary>What exactly it runs, for the line under the table.</summary>
        public string Does { get; }

        public List<TimeSpan> Totals { get; } = new List<TimeSpan>();

        public double MedianSeconds => BenchContext.Median(Totals.Select(t => t.TotalSeconds).ToList());
    }

    /// <summary>One benchmark's outcome: three contenders side by side, and the targets ours is held to.</summary>
    internal sealed class BenchResult
    {
        public BenchResult(string title, int operations, string operationName, double minimumSpeedupVsCli, double maximumRatioVsFloor)
        {
            Title = title;
            Operations = operations;
            OperationName = operationName;
            MinimumSpeedupVsCli = minimumSpeedupVsCli;
            MaximumRatioVsFloor = maximumRatioVsFloor;
        }

        public string Title { get; }

        public int Operations { get; }

        public string OperationName { get; }

        public double MinimumSpeedupVsCli { get; }

        public double MaximumRatioVsFloor { get; }

        public List<Contender> Contenders { get; } = new List<Contender>();

        public List<string> Notes { get; } = new List<string>();

        private Contender Get(Role role) => Contenders.Single(c => c.Role == role);

        /// <summary>Targets beyond time (e.g. peak memory): name with the measured value, and whether it is met.</summary>
        public List<(string What, bool Met)> ExtraTargets { get; } = new List<(string, bool)>();

        private bool HasFloor => Contenders.Any(c => c.Role == Role.Floor);

        /// <summary>A floor shown for comparison only (no ratio to meet) has an infinite MaximumRatioVsFloor.</summary>
        private bool HasFloorTarget => HasFloor && !double.IsPositiveInfinity(MaximumRatioVsFloor);

        public bool Complete => Contenders.Count >= 2 && Contenders.All(c => c.Totals.Count > 0);

        public bool SpeedupMet => Get(Role.Cli).MedianSeconds / Get(Role.Ours).MedianSeconds >= MinimumSpeedupVsCli;

        public bool FloorMet => !HasFloor || Get(Role.Ours).MedianSeconds / Get(Role.Floor).MedianSeconds <= MaximumRatioVsFloor;

        public bool ExtrasMet => ExtraTargets.All(t => t.Met);

        /// <summary>The one-line verdict printed at the end of the run.</summary>
        public string Summary()
        {
            var parts = new List<string> { $">= {Num(MinimumSpeedupVsCli)}x faster than the CLI: {(SpeedupMet ? "yes" : "no")}" };
            if (HasFloorTarget)
            {
                parts.Add($"within {Num(MaximumRatioVsFloor)}x of the raw floor: {(FloorMet ? "yes" : "no")}");
            }

            parts.AddRange(ExtraTargets.Select(t => $"{t.What}: {(t.Met ? "yes" : "no")}"));
            return $"{Title.Split(':')[0]}: targets {(SpeedupMet && FloorMet && ExtrasMet ? "met" : "NOT met")} ({string.Join("; ", parts)})";
        }

        public string Render()
        {
            var cli = Get(Role.Cli).MedianSeconds;
            var hasFloor = HasFloor;
            var floor = hasFloor ? Get(Role.Floor).MedianSeconds : double.NaN;
            var iterations = Contenders.Max(c => c.Totals.Count);
            var target = HasFloorTarget ? $">={Num(MinimumSpeedupVsCli)}x CLI, <={Num(MaximumRatioVsFloor)}x floor" : $">={Num(MinimumSpeedupVsCli)}x CLI";
            var header = new[] { "contender", "total", $"per {OperationName}", "vs CLI", "vs floor", "target", "met" };
            var rows = new List<string[]> { header };
            foreach (var c in Contenders)
            {
                var total = c.MedianSeconds;
                var speedup = cli / total;
                var ratio = total / floor;
                var ratioMet = !hasFloor || ratio <= MaximumRatioVsFloor;
                string met = "-", targetText = "-";
                if (c.Role == Role.Ours)
                {
                    targetText = target;
                    met = speedup >= MinimumSpeedupVsCli && ratioMet
                        ? "yes"
                        : "NO (" + string.Join(", ", new[] { speedup >= MinimumSpeedupVsCli ? null : "CLI", ratioMet ? null : "floor" }.Where(s => s != null)) + ")";
                }

                rows.Add(new[]
                {
                    c.Name,
                    Duration(total),
                    Duration(total / Operations),
                    c.Role == Role.Cli ? "1.00x" : Num(speedup) + "x faster",
                    !hasFloor ? "-" : c.Role == Role.Floor ? "1.00x" : Num(ratio) + "x",
                    targetText,
                    met,
                });
            }

            var widths = Enumerable.Range(0, header.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
            var sb = new StringBuilder();
            sb.AppendLine();
            sb.AppendLine(Title + (iterations > 1 ? $"  (median of {iterations} iterations)" : string.Empty));
            for (var r = 0; r < rows.Count; r++)
            {
                sb.AppendLine("  " + string.Join("  ", rows[r].Select((cell, i) => i is 1 or 2 or 3 or 4 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
                if (r == 0)
                {
                    sb.AppendLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
                }
            }

            sb.AppendLine(hasFloor
                ? "  vs CLI = CLI total / this total (times faster than the docker CLI); vs floor = this total / raw-API total (1.00x = as fast as the floor)."
                : "  vs CLI = CLI total / this total (times faster than the docker CLI; 1.00x = as fast); no raw floor in this benchmark.");
            foreach (var c in Contenders)
            {
                sb.AppendLine($"  {c.Name}: {c.Does}");
                if (c.Totals.Count > 1)
                {
                    sb.AppendLine($"    every iteration: {string.Join(", ", c.Totals.Select(t => Duration(t.TotalSeconds)))}");
                }
            }

            foreach (var note in Notes)
            {
                sb.AppendLine("  " + note);
            }

            return sb.ToString();
        }

        public static string Duration(double seconds) =>
            seconds >= 1 ? seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s"
            : seconds >= 0.001 ? (seconds * 1000).ToString(seconds >= 0.1 ? "0" : seconds >= 0.01 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " ms"
            : (seconds * 1_000_000).ToString("0", CultureInfo.InvariantCulture) + " µs";

        public static string Num(double value) =>
            value.ToString(value >= 100 ? "0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
    }
}
