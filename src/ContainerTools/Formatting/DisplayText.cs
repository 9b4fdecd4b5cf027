using System;
using System.Globalization;

namespace ContainerTools.Formatting
{
    /// <summary>Text the format views show the way the docker CLI shows it ("5 minutes ago", "1.5GiB"). Used from ContainerTools.Format.ps1xml.</summary>
    public static class DisplayText
    {
        public static string Ago(DateTimeOffset time) => Ago(time, DateTimeOffset.UtcNow);

        public static string Ago(DateTimeOffset time, DateTimeOffset now)
        {
            var span = now - time;
            if (span < TimeSpan.FromSeconds(1))
            {
                return "Less than a second ago";
            }

            string Unit(double value, string unit)
            {
                var n = (long)Math.Floor(value);
                return n == 1 ? (unit == "hour" ? "An hour ago" : $"1 {unit} ago") : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}s ago";
            }

            if (span.TotalMinutes < 1)
            {
                return Unit(span.TotalSeconds, "second");
            }

            if (span.TotalHours < 1)
            {
                return Unit(span.TotalMinutes, "minute");
            }

            if (span.TotalDays < 2)
            {
                return Unit(span.TotalHours, "hour");
            }

            if (span.TotalDays < 14)
            {
                return Unit(span.TotalDays, "day");
            }

            if (span.TotalDays < 60)
            {
                return Unit(span.TotalDays / 7, "week");
            }

            if (span.TotalDays < 730)
            {
                return Unit(span.TotalDays / 30, "month");
            }

            return Unit(span.TotalDays / 365, "year");
        }

        /// <summary>Binary sizes as docker shows memory: 512MiB, 1.5GiB.</summary>
        public static string Size(long bytes)
        {
            string[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
            double value = bytes;
            var unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }

            return value.ToString(value < 10 && unit > 0 ? "0.##" : "0.#", CultureInfo.InvariantCulture) + units[unit];
        }

        /// <summary>Decimal sizes with three significant digits, as docker images and docker history show them: 1.98MB, 77.8MB.</summary>
        public static string DecimalSize(long bytes)
        {
            string[] units = { "B", "kB", "MB", "GB", "TB", "PB" };
            double value = bytes;
            var unit = 0;
            while (value >= 1000 && unit < units.Length - 1)
            {
                value /= 1000;
                unit++;
            }

            return value.ToString("G3", CultureInfo.InvariantCulture) + units[unit];
        }

        /// <summary>A command cut to width with an ellipsis, quoted as docker ps shows it.</summary>
        public static string Command(string command, int width = 20)
        {
            var text = command.Length > width ? command.Substring(0, width - 1) + "…" : command;
            return "\"" + text + "\"";
        }

        /// <summary>docker stats' memory sizes (go-units BytesSize: binary units, four significant digits): 1.285MiB, 23.54GiB, 512KiB.</summary>
        public static string BytesSize(long bytes)
        {
            string[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
            double value = bytes;
            var unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }

            return value.ToString("G4", CultureInfo.InvariantCulture) + units[unit];
        }

        /// <summary>docker stats' pair columns: "1.285MiB / 23.54GiB" (binary) or "1.02kB / 0B" (decimal).</summary>
        public static string Pair(long first, long second, bool binary) =>
            binary ? BytesSize(first) + " / " + BytesSize(second) : DecimalSize(first) + " / " + DecimalSize(second);

        /// <summary>docker stats' percentages: two decimals and a percent sign.</summary>
        public static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";
    }
}
