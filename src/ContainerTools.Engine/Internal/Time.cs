using System;

namespace ContainerTools.Engine.Internal
{
    internal static class Time
    {
        /// <summary>The engine's times are UTC; the library hands them over as DateTime of unspecified or UTC kind.</summary>
        public static DateTimeOffset ToOffset(DateTime value) =>
            value.Kind == DateTimeKind.Local ? new DateTimeOffset(value.ToUniversalTime()) : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}
