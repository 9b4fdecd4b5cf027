using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Internal
{
    /// <summary>
    /// A point in time given as docker's --since/--until take it: a relative duration in Go's syntax ('10m', '1h30m',
    /// '90s', '1.5h', '500ms': that long before now), a Unix timestamp ('1700000000', '1700000000.5'), or a date and
    /// time ('2024-05-01T10:00:00Z', '2024-05-01 10:00'; without a zone it is local time, as docker reads it).
    /// </summary>
    internal static class TimeArgument
    {
        private static readonly Regex Duration = new Regex(@"^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$", RegexOptions.CultureInvariant);
        private static readonly Regex DurationPart = new Regex(@"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant);
        private static readonly Regex UnixTime = new Regex(@"^\d+(\.\d{1,9})?$", RegexOptions.CultureInvariant);

        private static readonly string[] Formats =
        {
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
            "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss",
            "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        };

        public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset value)
        {
            value = default;
            var t = (text ?? string.Empty).Trim();
            if (t.Length == 0)
            {
                return false;
            }

            if (Duration.IsMatch(t))
            {
                double ticks = 0;
                foreach (Match part in DurationPart.Matches(t))
                {
                    var number = double.Parse(part.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                    ticks += number * part.Groups[2].Value switch
                    {
                        "h" => TimeSpan.TicksPerHour,
                        "m" => TimeSpan.TicksPerMinute,
                        "s" => TimeSpan.TicksPerSecond,
                        "ms" => TimeSpan.TicksPerMillisecond,
                        "ns" => 0.01,
                        _ => 10, // us, µs
                    };
                }

                if (ticks > (now.UtcTicks - DateTimeOffset.MinValue.UtcTicks))
                {
                    return false;
                }

                value = now.AddTicks(-(long)ticks);
                return true;
            }

            if (UnixTime.IsMatch(t))
            {
                var dot = t.IndexOf('.');
                var seconds = long.Parse(dot < 0 ? t : t.Substring(0, dot), NumberStyles.None, CultureInfo.InvariantCulture);
                var fraction = dot < 0 ? 0L : long.Parse(t.Substring(dot + 1).PadRight(7, '0').Substring(0, 7), NumberStyles.None, CultureInfo.InvariantCulture);
                if (seconds > 253402300799L)
                {
                    return false;
                }

                value = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(fraction);
                return true;
            }

            return DateTimeOffset.TryParseExact(t, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal | DateTimeStyles.AllowWhiteSpaces, out value);
        }

        public static DateTimeOffset Parse(string? text, string parameter, DateTimeOffset now) =>
            TryParse(text, now, out var value)
                ? value
                : throw new InvalidSpecException("InvalidTimeArgument",
                    $"'{text}' is not a time {parameter} understands: give a DateTime, a duration before now such as '10m', '1h30m' or '45s', " +
                    "a Unix timestamp such as '1700000000', or a date and time such as '2024-05-01T10:00:00Z'.", text);

        /// <summary>The engine's form of a point in time in a query: Unix seconds with nanoseconds ("1700000000.123456700").</summary>
        public static string ToQueryValue(DateTimeOffset value)
        {
            var ticks = Math.Max(0, value.UtcTicks - DateTimeOffset.FromUnixTimeSeconds(0).UtcTicks);
            var seconds = ticks / TimeSpan.TicksPerSecond;
            var nanoseconds = ticks % TimeSpan.TicksPerSecond * 100;
            return seconds.ToString(CultureInfo.InvariantCulture) + "." + nanoseconds.ToString("000000000", CultureInfo.InvariantCulture);
        }
    }
}
