using System;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Internal;

namespace ContainerTools.Internal
{
    /// <summary>
    /// Lets -Since/-Until take what docker's --since/--until take and what a PowerShell user has in hand: a DateTime or
    /// DateTimeOffset, a TimeSpan (that long before now), or a string: a duration before now ('10m', '1h30m'), a Unix
    /// timestamp, or a date and time.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class TimeArgumentTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            var now = DateTimeOffset.Now;
            switch (value)
            {
                case null:
                    return null;
                case DateTimeOffset offset:
                    return offset;
                case DateTime time:
                    return Time.FromUser(time);
                case TimeSpan span:
                    return now - span;
                case int _:
                case long _:
                case double _:
                case decimal _:
                    return Parse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), now);
                case string text:
                    return Parse(text, now);
                default:
                    throw new ArgumentTransformationMetadataException(
                        $"Give a DateTime, a TimeSpan, or a string such as '10m', '2h', '1700000000' or '2024-05-01T10:00:00Z', not a {value.GetType().Name}.");
            }
        }

        private static DateTimeOffset Parse(string? text, DateTimeOffset now)
        {
            try
            {
                return TimeArgument.Parse(text, "this parameter", now);
            }
            catch (ContainerEngineException e)
            {
                throw new ArgumentTransformationMetadataException(e.Message, e);
            }
        }
    }
}
