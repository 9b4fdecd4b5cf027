using System.Collections.Generic;

namespace ContainerTools.Engine.Internal
{
    /// <summary>The engine's list filters (?filters={"key":{"value":true}}), built up key by key.</summary>
    internal sealed class EngineFilters
    {
        public IDictionary<string, IDictionary<string, bool>> Values { get; } = new Dictionary<string, IDictionary<string, bool>>();

        public EngineFilters Add(string key, string value)
        {
            if (!Values.TryGetValue(key, out var values))
            {
                Values[key] = values = new Dictionary<string, bool>();
            }

            values[value] = true;
            return this;
        }

        public static EngineFilters Of(string key, string value) => new EngineFilters().Add(key, value);
    }
}
