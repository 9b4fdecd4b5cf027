using System;
using System.Text;

namespace ContainerTools.Engine.Compose
{
    /// <summary>
    /// Variable interpolation as the compose specification defines it: $VAR, ${VAR}, ${VAR:-default},
    /// ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alternative}, ${VAR+alternative}, nested
    /// operands (${A:-${B:-x}}), and $$ for a literal '$'. A '$' not followed by a name or '{' stays as it is.
    /// </summary>
    public static class ComposeInterpolation
    {
        /// <param name="text">The text to expand.</param>
        /// <param name="lookup">A variable's value, or null when it is not set.</param>
        /// <param name="warn">Told about a variable that is not set and has no default (it becomes "").</param>
        /// <exception cref="ComposeInterpolationException">Bad syntax, or a required variable without a value.</exception>
        public static string Interpolate(string text, Func<string, string?> lookup, Action<string>? warn = null)
        {
            if (text.IndexOf('$') < 0)
            {
                return text;
            }

            var output = new StringBuilder(text.Length);
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c != '$' || i + 1 >= text.Length)
                {
                    output.Append(c);
                    i++;
                    continue;
                }

                var next = text[i + 1];
                if (next == '$')
                {
                    output.Append('$');
                    i += 2;
                }
                else if (next == '{')
                {
                    var close = FindClosingBrace(text, i + 2);
                    if (close < 0)
                    {
                        throw new ComposeInterpolationException($"invalid interpolation format for \"{text}\": a '${{' is not closed by '}}'. Write $$ for a literal '$'.");
                    }

                    output.Append(ExpandBraced(text, text.Substring(i + 2, close - i - 2), lookup, warn));
                    i = close + 1;
                }
                else if (IsNameStart(next))
                {
                    var end = i + 1;
                    while (end < text.Length && IsNameChar(text[end]))
                    {
                        end++;
                    }

                    var name = text.Substring(i + 1, end - i - 1);
                    output.Append(ValueOrBlank(name, lookup, warn));
                    i = end;
                }
                else
                {
                    output.Append(c);
                    i++;
                }
            }

            return output.ToString();
        }

        private static string ExpandBraced(string whole, string inner, Func<string, string?> lookup, Action<string>? warn)
        {
            var nameEnd = 0;
            while (nameEnd < inner.Length && (nameEnd == 0 ? IsNameStart(inner[nameEnd]) : IsNameChar(inner[nameEnd])))
            {
                nameEnd++;
            }

            if (nameEnd == 0)
            {
                throw new ComposeInterpolationException($"invalid interpolation format for \"{whole}\": '${{{inner}}}' does not start with a variable name. Write $$ for a literal '$'.");
            }

            var name = inner.Substring(0, nameEnd);
            var rest = inner.Substring(nameEnd);
            if (rest.Length == 0)
            {
                return ValueOrBlank(name, lookup, warn);
            }

            var colon = rest[0] == ':';
            var opIndex = colon ? 1 : 0;
            if (opIndex >= rest.Length || "-?+".IndexOf(rest[opIndex]) < 0)
            {
                throw new ComposeInterpolationException($"invalid interpolation format for \"{whole}\": '${{{inner}}}' uses an operator compose does not support (use :-, -, :?, ?, :+ or +).");
            }

            var op = rest[opIndex];
            var operand = rest.Substring(opIndex + 1);
            var value = lookup(name);
            var present = colon ? !string.IsNullOrEmpty(value) : value != null;
            switch (op)
            {
                case '-':
                    return present ? value! : Interpolate(operand, lookup, warn);
                case '+':
                    return present ? Interpolate(operand, lookup, warn) : string.Empty;
                default:
                    if (present)
                    {
                        return value!;
                    }

                    var message = Interpolate(operand, lookup, warn);
                    throw new ComposeInterpolationException($"required variable {name} is missing a value" + (message.Length > 0 ? ": " + message : string.Empty));
            }
        }

        private static string ValueOrBlank(string name, Func<string, string?> lookup, Action<string>? warn)
        {
            var value = lookup(name);
            if (value == null)
            {
                warn?.Invoke($"The \"{name}\" variable is not set. Defaulting to a blank string.");
                return string.Empty;
            }

            return value;
        }

        /// <summary>The '}' that closes a '${' whose body starts at <paramref name="start"/>, skipping nested ${...}.</summary>
        private static int FindClosingBrace(string text, int start)
        {
            var depth = 0;
            for (var i = start; i < text.Length; i++)
            {
                if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '$')
                {
                    i++;
                }
                else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
                {
                    depth++;
                    i++;
                }
                else if (text[i] == '}')
                {
                    if (depth == 0)
                    {
                        return i;
                    }

                    depth--;
                }
            }

            return -1;
        }

        internal static bool IsNameStart(char c) => c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

        internal static bool IsNameChar(char c) => IsNameStart(c) || (c >= '0' && c <= '9');
    }

    /// <summary>Interpolation failed; the loader adds the file, line and column.</summary>
    public sealed class ComposeInterpolationException : Exception
    {
        public ComposeInterpolationException(string message)
            : base(message)
        {
        }
    }
}
