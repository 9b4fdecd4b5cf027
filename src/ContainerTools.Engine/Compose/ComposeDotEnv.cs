using System;
using System.Collections.Generic;
using System.Text;

namespace ContainerTools.Engine.Compose
{
    /// <summary>
    /// Compose's dotenv format (the project's .env, -EnvironmentFile, a service's env_file): KEY=VALUE lines,
    /// an optional 'export ' prefix, '#' comment lines; unquoted values are trimmed, lose an inline
    /// ' # comment' and expand ${VAR}; 'single quotes' are literal; "double quotes" take \n \t \r \\ \" \$
    /// escapes and expand ${VAR}; quoted values may span lines. A bare KEY takes its value from the
    /// environment (and is left out when it is not set). This is NOT the literal format of
    /// 'docker run --env-file' that New-Container -EnvironmentFile follows.
    /// </summary>
    public static class ComposeDotEnv
    {
        /// <param name="text">The file's content.</param>
        /// <param name="file">The file's path, for error messages.</param>
        /// <param name="lookup">Variables from outside the file (the process environment); may return null.</param>
        /// <returns>The variables in file order; a later line with the same key replaces the earlier value.</returns>
        public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text, string file, Func<string, string?> lookup)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var order = new List<string>();
            string? Resolve(string name) => values.TryGetValue(name, out var v) ? v : lookup(name);

            var lines = text.Replace("\r\n", "\n").Split('\n');
            for (var index = 0; index < lines.Length; index++)
            {
                var lineNumber = index + 1;
                var line = lines[index];
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                var indent = line.Length - trimmed.Length;
                if (trimmed.StartsWith("export ", StringComparison.Ordinal) || trimmed.StartsWith("export\t", StringComparison.Ordinal))
                {
                    var afterExport = trimmed.Substring(7).TrimStart();
                    indent += trimmed.Length - afterExport.Length;
                    trimmed = afterExport;
                }

                var eq = trimmed.IndexOf('=');
                var key = (eq < 0 ? trimmed : trimmed.Substring(0, eq)).TrimEnd();
                if (!IsValidKey(key))
                {
                    throw new ComposeFileException(file, lineNumber, indent + 1,
                        $"'{(key.Length > 0 ? key : trimmed)}' is not a valid variable name: lines are KEY=VALUE (letters, digits, '_', '.', '-'), 'export KEY=VALUE' or '# comment'.");
                }

                if (eq < 0)
                {
                    var fromEnvironment = lookup(key);
                    if (fromEnvironment != null)
                    {
                        Set(key, fromEnvironment);
                    }

                    continue;
                }

                var valueStart = eq + 1;
                while (valueStart < trimmed.Length && (trimmed[valueStart] == ' ' || trimmed[valueStart] == '\t'))
                {
                    valueStart++;
                }

                var column = indent + valueStart + 1;
                var raw = trimmed.Substring(valueStart);
                string value;
                if (raw.Length > 0 && (raw[0] == '\'' || raw[0] == '"'))
                {
                    var quote = raw[0];
                    var body = new StringBuilder();
                    var closed = false;
                    var rest = raw.Substring(1);
                    var firstLine = lineNumber;
                    while (true)
                    {
                        var end = FindClosingQuote(rest, quote);
                        if (end >= 0)
                        {
                            body.Append(rest, 0, end);
                            var after = rest.Substring(end + 1).Trim();
                            if (after.Length > 0 && after[0] != '#')
                            {
                                throw new ComposeFileException(file, index + 1, column,
                                    $"unexpected text after the closing quote of {key}: '{after}'. Put a '#' before a comment.");
                            }

                            closed = true;
                            break;
                        }

                        body.Append(rest).Append('\n');
                        index++;
                        if (index >= lines.Length)
                        {
                            break;
                        }

                        rest = lines[index];
                    }

                    if (!closed)
                    {
                        throw new ComposeFileException(file, firstLine, column, $"the value of {key} opens a {quote} quote that is never closed.");
                    }

                    value = quote == '\'' ? body.ToString() : Expand(Unescape(body.ToString()), Resolve, file, firstLine, column);
                }
                else
                {
                    var comment = FindInlineComment(raw);
                    if (comment >= 0)
                    {
                        raw = raw.Substring(0, comment);
                    }

                    value = Expand(raw.Trim(), Resolve, file, lineNumber, column);
                }

                Set(key, value);
            }

            var result = new List<KeyValuePair<string, string>>(order.Count);
            foreach (var k in order)
            {
                result.Add(new KeyValuePair<string, string>(k, values[k]));
            }

            return result;

            void Set(string k, string v)
            {
                if (!values.ContainsKey(k))
                {
                    order.Add(k);
                }

                values[k] = v;
            }
        }

        /// <summary>Reads and parses a dotenv file; a missing file is a ComposeFileException naming it.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> ReadFile(string path, Func<string, string?> lookup)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new ComposeFileException(path, 0, 0, "the environment file does not exist.");
            }

            return Parse(System.IO.File.ReadAllText(path), path, lookup);
        }

        private static bool IsValidKey(string key)
        {
            if (key.Length == 0)
            {
                return false;
            }

            foreach (var c in key)
            {
                if (!(ComposeInterpolation.IsNameChar(c) || c == '.' || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }

        private static int FindClosingQuote(string text, char quote)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (quote == '"' && text[i] == '\\')
                {
                    i++;
                }
                else if (text[i] == quote)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>A '#' starts a comment in an unquoted value only after whitespace (so 'a#b' keeps its '#').</summary>
        private static int FindInlineComment(string raw)
        {
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '#' && (i == 0 || raw[i - 1] == ' ' || raw[i - 1] == '\t'))
                {
                    return i;
                }
            }

            return -1;
        }

        private static string Unescape(string body)
        {
            var output = new StringBuilder(body.Length);
            for (var i = 0; i < body.Length; i++)
            {
                if (body[i] != '\\' || i + 1 >= body.Length)
                {
                    output.Append(body[i]);
                    continue;
                }

                var next = body[++i];
                switch (next)
                {
                    case 'n': output.Append('\n'); break;
                    case 'r': output.Append('\r'); break;
                    case 't': output.Append('\t'); break;
                    case '\\': output.Append('\\'); break;
                    case '"': output.Append('"'); break;
                    case '\'': output.Append('\''); break;
                    // An escaped '$' stays literal: kept as $$ so that expansion turns it into one '$'.
                    case '$': output.Append("$$"); break;
                    default: output.Append('\\').Append(next); break;
                }
            }

            return output.ToString();
        }

        private static string Expand(string value, Func<string, string?> resolve, string file, int line, int column)
        {
            try
            {
                // Unlike the compose file, an unset variable in a dotenv value is silently blank.
                return ComposeInterpolation.Interpolate(value, resolve);
            }
            catch (ComposeInterpolationException e)
            {
                throw new ComposeFileException(file, line, column, e.Message);
            }
        }
    }
}
