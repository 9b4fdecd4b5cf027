using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace ContainerTools.Internal
{
    /// <summary>Hashtable parameters (-Label, -Option) as the engine's string maps: keys and values as invariant text, $null as empty.</summary>
    internal static class HashtableValues
    {
        public static void CopyTo(Hashtable? source, IDictionary<string, string> target)
        {
            foreach (DictionaryEntry entry in source ?? new Hashtable())
            {
                target[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] =
                    Convert.ToString(entry.Value == null ? string.Empty : PSObject.AsPSObject(entry.Value).BaseObject, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }
    }
}
