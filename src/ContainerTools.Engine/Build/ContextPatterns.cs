using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ContainerTools.Engine.Build
{
    /// <summary>
    /// The .dockerignore file as the docker CLI reads it: a UTF-8 BOM dropped from the first line, lines that start
    /// with '#' are comments (before any trimming), the rest trimmed of surrounding white space, blank lines skipped,
    /// each pattern cleaned as a path (./a → a, a/../b → b, a/ → a) and a leading '/' dropped; '!' keeps its meaning.
    /// </summary>
    public static class DockerignoreFile
    {
        public const string FileName = ".dockerignore";

        /// <summary>The patterns of a .dockerignore text, in order.</summary>
        public static IReadOnlyList<string> Parse(string text)
        {
            var patterns = new List<string>();
            if (string.IsNullOrEmpty(text))
            {
                return patterns;
            }

            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (i == lines.Length - 1 && line.Length == 0)
                {
                    break; // the text ended with a newline
                }

                if (line.EndsWith("\r", StringComparison.Ordinal))
                {
                    line = line.Substring(0, line.Length - 1);
                }

                if (i == 0 && line.Length > 0 && line[0] == '\uFEFF')
                {
                    line = line.Substring(1);
                }

                if (line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                var pattern = line.Trim();
                if (pattern.Length == 0)
                {
                    continue;
                }

                var invert = pattern[0] == '!';
                if (invert)
                {
                    pattern = pattern.Substring(1).Trim();
                }

                if (pattern.Length > 0)
                {
                    pattern = GoPath.Clean(pattern);
                    if (pattern.Length > 1 && pattern[0] == '/')
                    {
                        pattern = pattern.Substring(1);
                    }
                }

                patterns.Add(invert ? "!" + pattern : pattern);
            }

            return patterns;
        }

        /// <summary>Reads and parses a .dockerignore file; a missing file has no patterns.</summary>
        public static IReadOnlyList<string> Read(string path) =>
            File.Exists(path) ? Parse(BuildContext.ReadText(path)) : Array.Empty<string>();
    }

    /// <summary>
    /// Matches context paths against .dockerignore patterns with Docker's rules (moby patternmatcher): patterns are
    /// evaluated in order and the last one that matches decides, '!' patterns re-include, a pattern that matches a
    /// directory matches everything below it, '*' and '?' stay within one path element, '**' spans any number of
    /// them, '[...]' is a character class and '\' escapes. Paths are relative and '/'-separated.
    /// </summary>
    public sealed class ContextPatternMatcher
    {
        private readonly List<ContextPattern> _patterns = new List<ContextPattern>();

        /// <summary>Builds the matcher; InvalidSpecException names a malformed pattern.</summary>
        public ContextPatternMatcher(IEnumerable<string> patterns)
        {
            foreach (var raw in patterns ?? Array.Empty<string>())
            {
                var p = (raw ?? string.Empty).Trim();
                if (p.Length == 0)
                {
                    continue;
                }

                p = GoPath.Clean(p);
                var exclusion = false;
                if (p[0] == '!')
                {
                    if (p.Length == 1)
                    {
                        throw new InvalidSpecException("InvalidDockerignorePattern", "The .dockerignore pattern '!' is not valid: an exception needs a pattern after the '!'.", raw);
                    }

                    exclusion = true;
                    p = p.Substring(1);
                    HasExclusions = true;
                }

                if (!GlobSyntax.IsValid(p))
                {
                    throw new InvalidSpecException("InvalidDockerignorePattern",
                        $"The .dockerignore pattern '{raw}' is malformed (an unclosed '[', an empty or reversed range, or a '\\' at the end).", raw);
                }

                _patterns.Add(new ContextPattern(p, exclusion));
            }
        }

        /// <summary>True when any pattern is an exception ('!').</summary>
        public bool HasExclusions { get; }

        public IReadOnlyList<ContextPattern> Patterns => _patterns;

        /// <summary>
        /// True when the path is excluded: the last pattern that matches the path itself or one of its parent
        /// directories is not an exception.
        /// </summary>
        public bool MatchesOrParentMatches(string path)
        {
            var file = path;
            var parents = ParentPrefixes(file);
            var matched = false;
            foreach (var pattern in _patterns)
            {
                // An inclusion cannot change a path already matched, nor an exception one not matched yet.
                if (pattern.IsExclusion != matched)
                {
                    continue;
                }

                var match = pattern.Match(file) || parents.Any(pattern.Match);
                if (match)
                {
                    matched = !pattern.IsExclusion;
                }
            }

            return matched;
        }

        /// <summary>
        /// As MatchesOrParentMatches, using what the parent directory's evaluation recorded (what a directory walk
        /// does); returns the record for this path, for its children. Same results, quirks included, as Docker's walk.
        /// </summary>
        public bool MatchesUsingParentResults(string path, MatchRecord? parent, out MatchRecord record)
        {
            var parentMatched = parent?.Matched;
            var matched = false;
            var mine = new bool[_patterns.Count];
            for (var i = 0; i < _patterns.Count; i++)
            {
                var pattern = _patterns[i];
                var match = parentMatched != null && parentMatched[i];
                if (!match)
                {
                    if (pattern.IsExclusion != matched)
                    {
                        continue;
                    }

                    match = pattern.Match(path);
                    if (!match && parentMatched == null)
                    {
                        match = ParentPrefixes(path).Any(pattern.Match);
                    }
                }

                mine[i] = match;
                if (match)
                {
                    matched = !pattern.IsExclusion;
                }
            }

            record = new MatchRecord(mine);
            return matched;
        }

        /// <summary>True when an exception pattern names something at or below the directory, so an excluded directory must still be walked.</summary>
        internal bool ExceptionReachesInto(string directory)
        {
            var dirSlash = directory + "/";
            return _patterns.Any(p => p.IsExclusion && (p.Text + "/").StartsWith(dirSlash, StringComparison.Ordinal));
        }

        // a/b/c → a, a/b (the parents of the path, shortest first).
        private static IEnumerable<string> ParentPrefixes(string path)
        {
            var slash = path.IndexOf('/');
            while (slash > 0)
            {
                yield return path.Substring(0, slash);
                slash = path.IndexOf('/', slash + 1);
            }
        }

        /// <summary>What a directory's evaluation recorded per pattern, handed to its children.</summary>
        public sealed class MatchRecord
        {
            internal MatchRecord(bool[] matched)
            {
                Matched = matched;
            }

            internal bool[] Matched { get; }
        }
    }

    /// <summary>One cleaned .dockerignore pattern.</summary>
    public sealed class ContextPattern
    {
        private enum Kind
        {
            Exact,
            Prefix,
            Suffix,
            Regex,
        }

        private readonly Kind _kind;
        private readonly Regex? _regex;

        internal ContextPattern(string text, bool exclusion)
        {
            Text = text;
            IsExclusion = exclusion;
            (_kind, _regex) = Compile(text);
        }

        /// <summary>The cleaned pattern, without its '!'.</summary>
        public string Text { get; }

        public bool IsExclusion { get; }

        public override string ToString() => (IsExclusion ? "!" : string.Empty) + Text;

        internal bool Match(string path)
        {
            switch (_kind)
            {
                case Kind.Exact:
                    return path == Text;
                case Kind.Prefix:
                    return path.StartsWith(Text.Substring(0, Text.Length - 2), StringComparison.Ordinal);
                case Kind.Suffix:
                    var suffix = Text.Substring(2);
                    if (path.EndsWith(suffix, StringComparison.Ordinal))
                    {
                        return true;
                    }

                    // **/foo also matches foo itself.
                    return suffix.Length > 0 && suffix[0] == '/' && path == suffix.Substring(1);
                default:
                    return _regex!.IsMatch(path);
            }
        }

        // Docker's translation: '*' → [^/]*, '?' → [^/], '**' → any number of elements (a trailing '**' → everything),
        // '\x' → a literal x, '[...]' kept as a class; plain patterns compare as strings, 'dir/**' as a prefix and
        // '**/name' as a suffix.
        private static (Kind, Regex?) Compile(string pattern)
        {
            var regex = new StringBuilder("^");
            var kind = Kind.Exact;
            var i = 0;
            for (var step = 0; i < pattern.Length; step++)
            {
                var ch = pattern[i++];
                if (ch == '*')
                {
                    if (i < pattern.Length && pattern[i] == '*')
                    {
                        i++;
                        if (i < pattern.Length && pattern[i] == '/')
                        {
                            i++;
                        }

                        if (i >= pattern.Length)
                        {
                            if (kind == Kind.Exact)
                            {
                                kind = Kind.Prefix;
                            }
                            else
                            {
                                regex.Append(".*");
                                kind = Kind.Regex;
                            }
                        }
                        else
                        {
                            regex.Append("(.*/)?");
                            kind = Kind.Regex;
                        }

                        if (step == 0)
                        {
                            kind = Kind.Suffix;
                        }
                    }
                    else
                    {
                        regex.Append("[^/]*");
                        kind = Kind.Regex;
                    }
                }
                else if (ch == '?')
                {
                    regex.Append("[^/]");
                    kind = Kind.Regex;
                }
                else if (".+()|{}$".IndexOf(ch) >= 0)
                {
                    regex.Append('\\').Append(ch);
                }
                else if (ch == '\\')
                {
                    if (i < pattern.Length)
                    {
                        var next = pattern[i++];
                        regex.Append(char.IsLetterOrDigit(next) ? "\\" + next : Regex.Escape(next.ToString()));
                        kind = Kind.Regex;
                    }
                    else
                    {
                        regex.Append("\\\\");
                    }
                }
                else if (ch == '[' || ch == ']')
                {
                    regex.Append(ch);
                    kind = Kind.Regex;
                }
                else if (ch == '#' || ch == ' ' || ch == '\t')
                {
                    regex.Append('\\').Append(ch == '\t' ? 't' : ch);
                }
                else
                {
                    regex.Append(ch);
                }
            }

            if (kind != Kind.Regex)
            {
                return (kind, null);
            }

            // \z, not $: a Go regexp's $ never matches before a final newline.
            regex.Append("\\z");
            try
            {
                return (Kind.Regex, new Regex(regex.ToString(), RegexOptions.CultureInvariant));
            }
            catch (ArgumentException e)
            {
                throw new InvalidSpecException("InvalidDockerignorePattern", $"The .dockerignore pattern '{pattern}' is malformed ({e.Message}).", pattern);
            }
        }
    }

    /// <summary>The syntax check Go's filepath.Match applies to a pattern.</summary>
    internal static class GlobSyntax
    {
        public static bool IsValid(string pattern)
        {
            var i = 0;
            while (i < pattern.Length)
            {
                var ch = pattern[i++];
                if (ch == '\\')
                {
                    if (i >= pattern.Length)
                    {
                        return false;
                    }

                    i++;
                }
                else if (ch == '[')
                {
                    if (i < pattern.Length && pattern[i] == '^')
                    {
                        i++;
                    }

                    var ranges = 0;
                    while (true)
                    {
                        if (i < pattern.Length && pattern[i] == ']' && ranges > 0)
                        {
                            i++;
                            break;
                        }

                        if (!ClassChar(pattern, ref i, out var lo))
                        {
                            return false;
                        }

                        if (i < pattern.Length && pattern[i] == '-')
                        {
                            i++;
                            if (!ClassChar(pattern, ref i, out var hi) || hi < lo)
                            {
                                return false;
                            }
                        }

                        ranges++;
                    }
                }
            }

            return true;
        }

        // One (possibly escaped) character of a class; something must follow it (at least the closing ']').
        private static bool ClassChar(string pattern, ref int i, out int value)
        {
            value = 0;
            if (i >= pattern.Length || pattern[i] == '-' || pattern[i] == ']')
            {
                return false;
            }

            if (pattern[i] == '\\')
            {
                i++;
                if (i >= pattern.Length)
                {
                    return false;
                }
            }

            if (char.IsHighSurrogate(pattern[i]) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]))
            {
                value = char.ConvertToUtf32(pattern[i], pattern[i + 1]);
                i += 2;
            }
            else
            {
                value = pattern[i++];
            }

            return i < pattern.Length;
        }
    }

    /// <summary>Go's path.Clean: one '/' between elements, no '.' elements, '..' folded into its parent, never empty.</summary>
    internal static class GoPath
    {
        public static string Clean(string path)
        {
            if (string.IsNullOrEmpty(path))
            {
                return ".";
            }

            var rooted = path[0] == '/';
            var parts = new List<string>();
            foreach (var element in path.Split('/'))
            {
                if (element.Length == 0 || element == ".")
                {
                    continue;
                }

                if (element == "..")
                {
                    if (parts.Count > 0 && parts[parts.Count - 1] != "..")
                    {
                        parts.RemoveAt(parts.Count - 1);
                    }
                    else if (!rooted)
                    {
                        parts.Add("..");
                    }

                    continue;
                }

                parts.Add(element);
            }

            var joined = string.Join("/", parts);
            if (rooted)
            {
                return "/" + joined;
            }

            return joined.Length == 0 ? "." : joined;
        }
    }
}
