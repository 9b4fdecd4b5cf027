using System;

namespace ContainerTools.Engine.Internal
{
    internal static class Time
    {
        /// <summary>The engine's times are UTC; the library hands them over as DateTime of unspecified or UTC kind.</summary>
        public static DateTimeOffset ToOffset(DateTime value) =>
            value.Kind == DateTimeKind.Local ? new DateTimeOffset(value.ToUniversalTime()) : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));

        /// <summary>A time a user typed ([datetime]'2026-01-01 10:00' is of unspecified kind): local time, as Get-Date means it.</summary>
        public static DateTimeOffset FromUser(DateTime value) =>
            new DateTimeOffset(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Local) : value);
    }
}
