using System.Collections.Generic;

namespace ContainerTools.Engine.Internal
{
    /// <summary>docker's label filter ('key' or 'key=value', all must hold), for objects already in hand.</summary>
    internal static class LabelFilter
    {
        public static bool Matches(IReadOnlyDictionary<string, string> labels, IEnumerable<string>? filters)
        {
            foreach (var filter in filters ?? System.Array.Empty<string>())
            {
                var eq = filter.IndexOf('=');
                var key = eq < 0 ? filter : filter.Substring(0, eq);
                if (!labels.TryGetValue(key, out var value) || (eq >= 0 && value != filter.Substring(eq + 1)))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
