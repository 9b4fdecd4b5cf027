using System.Text;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Internal
{
    /// <summary>PowerShell-style wildcards (* ? [a-z], ` escapes) without PowerShell: case-insensitive, whole-string.</summary>
    public static class Wildcard
    {
        public static bool HasWildcards(string pattern)
        {
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '`')
                {
                    i++;
                    continue;
                }

                if (c == '*' || c == '?' || c == '[')
                {
                    return true;
                }
            }

            return false;
        }

        public static Regex ToRegex(string pattern)
        {
            var sb = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch (c)
                {
                    case '`' when i + 1 < pattern.Length:
                        sb.Append(Regex.Escape(pattern[++i].ToString()));
                        break;
                    case '*':
                        sb.Append(".*");
                        break;
                    case '?':
                        sb.Append('.');
                        break;
                    case '[':
                        var close = pattern.IndexOf(']', i + 1);
                        if (close < 0)
                        {
                            sb.Append(@"\[");
                            break;
                        }

                        sb.Append('[').Append(pattern.Substring(i + 1, close - i - 1).Replace(@"\", @"\\")).Append(']');
                        i = close;
                        break;
                    default:
                        sb.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }

            return new Regex(sb.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }

        /// <summary>Removes ` escapes: the literal text a pattern without wildcards stands for.</summary>
        public static string Unescape(string pattern)
        {
            var sb = new StringBuilder(pattern.Length);
            for (var i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '`' && i + 1 < pattern.Length)
                {
                    i++;
                }

                sb.Append(pattern[i]);
            }

            return sb.ToString();
        }
    }
}
