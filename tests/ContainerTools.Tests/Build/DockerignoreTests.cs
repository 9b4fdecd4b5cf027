using System.Linq;
using ContainerTools.Engine;
using ContainerTools.Engine.Build;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>.dockerignore reading and matching with Docker's rules (moby patternmatcher), case by case.</summary>
    public sealed class DockerignoreTests
    {
        [Fact]
        public void Reading_drops_comments_blank_lines_and_spaces_and_cleans_each_pattern()
        {
            var text = "\uFEFF# a comment\r\n\r\n   \r\nfoo\r\n  bar  \r\n!baz\r\n!  qux \r\n/abs\r\n./rel\r\ndir/\r\na/../b\r\n  # not a comment\r\n//x//y/\r\n/\r\n!/z\r\n../up";
            Assert.Equal(new[] { "foo", "bar", "!baz", "!qux", "abs", "rel", "dir", "b", "# not a comment", "x/y", "/", "!z", "../up" }, DockerignoreFile.Parse(text));
            Assert.Empty(DockerignoreFile.Parse(string.Empty));
            Assert.Equal(new[] { "\uFEFFlater" }, DockerignoreFile.Parse("# first\n\uFEFFlater\n")); // a BOM counts only at the start
        }

        [Theory]
        [InlineData("*.go", "a.go", true)]
        [InlineData("*.go", "dir/a.go", false)] // '*' stays within one element
        [InlineData("*", "dir/b", true)] // ...but a match of the parent folder excludes what is inside
        [InlineData("**/*.go", "a.go", true)]
        [InlineData("**/*.go", "dir/sub/a.go", true)]
        [InlineData("**", "any/thing", true)]
        [InlineData("dir/**", "dir/x/y", true)]
        [InlineData("dir/**", "dir", false)]
        [InlineData("dir/**", "dirx", false)]
        [InlineData("dir**", "dirx/y", true)]
        [InlineData("dir", "dir/sub/file", true)]
        [InlineData("dir", "dirx", false)]
        [InlineData("dir", "other/dir", false)] // patterns are anchored at the context root
        [InlineData("**/foo", "foo", true)]
        [InlineData("**/foo", "x/y/foo", true)]
        [InlineData("**/foo", "xfoo", false)]
        [InlineData("**/foo", "x/foo/bar", true)]
        [InlineData("foo/**/bar", "foo/bar", true)]
        [InlineData("foo/**/bar", "foo/x/y/bar", true)]
        [InlineData("foo/**/bar", "foo/xbar", false)]
        [InlineData("a?c", "abc", true)]
        [InlineData("a?c", "a/c", false)]
        [InlineData("[a-c]x", "bx", true)]
        [InlineData("[a-c]x", "dx", false)]
        [InlineData("[^a-c]x", "dx", true)]
        [InlineData("a\\*b", "a*b", true)]
        [InlineData("a\\*b", "axb", false)]
        [InlineData("a.b", "axb", false)] // '.' is literal
        [InlineData("a+(b)", "a+(b)", true)]
        [InlineData("*/temp*", "somedir/temporary.txt", true)]
        [InlineData("*/*/temp*", "somedir/subdir/temporary.txt", true)]
        [InlineData("temp?", "temp1", true)]
        [InlineData("temp?", "temp", false)]
        public void One_pattern(string pattern, string path, bool excluded)
        {
            var matcher = new ContextPatternMatcher(DockerignoreFile.Parse(pattern));
            Assert.Equal(excluded, matcher.MatchesOrParentMatches(path));
        }

        [Theory]
        [InlineData("*\n!keep", "keep", false)]
        [InlineData("*\n!keep", "keep/x", false)]
        [InlineData("*\n!keep", "other", true)]
        [InlineData("!a\na", "a", true)] // the last pattern that matches decides
        [InlineData("a\n!a", "a", false)]
        [InlineData("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true)]
        [InlineData("*.md\n!README*.md\nREADME-secret.md", "README.md", false)]
        [InlineData("a/b\n!a", "a/b/x", false)] // re-including a parent re-includes what is below it
        [InlineData("c\n!c/d\nc/d/e", "c/d/e/f", true)]
        [InlineData("c\n!c/d\nc/d/e", "c/d/x", false)]
        public void Patterns_in_order(string ignore, string path, bool excluded)
        {
            var matcher = new ContextPatternMatcher(DockerignoreFile.Parse(ignore));
            Assert.Equal(excluded, matcher.MatchesOrParentMatches(path));
        }

        [Fact]
        public void A_walk_with_parent_records_agrees_with_matching_each_path_whole()
        {
            var matcher = new ContextPatternMatcher(DockerignoreFile.Parse("**/*.log\n!keep/**\nbuild\n!build/out/keep.txt\nx/*/z\n"));
            var paths = new[] { "a.log", "keep", "keep/b.log", "keep/sub/c.log", "build", "build/out", "build/out/keep.txt", "build/out/drop.txt", "x", "x/y", "x/y/z", "x/y/z/w", "src", "src/d.log" };
            var records = new System.Collections.Generic.Dictionary<string, ContextPatternMatcher.MatchRecord>();
            foreach (var path in paths)
            {
                var slash = path.LastIndexOf('/');
                records.TryGetValue(slash < 0 ? string.Empty : path.Substring(0, slash), out var parent);
                var walked = matcher.MatchesUsingParentResults(path, parent, out var record);
                records[path] = record;
                Assert.True(matcher.MatchesOrParentMatches(path) == walked, path);
            }
        }

        [Theory]
        [InlineData("!")]
        [InlineData("[")]
        [InlineData("a[b")]
        [InlineData("[]a]")]
        [InlineData("[z-a]")]
        [InlineData("a\\")]
        public void Malformed_patterns_are_refused_with_the_pattern_named(string pattern)
        {
            var e = Assert.Throws<InvalidSpecException>(() => new ContextPatternMatcher(new[] { pattern }));
            Assert.Equal("InvalidDockerignorePattern", e.ErrorId);
            Assert.Contains(pattern, e.Message);
        }

        [Theory]
        [InlineData("", ".")]
        [InlineData("a//b/./c/", "a/b/c")]
        [InlineData("a/../../b", "../b")]
        [InlineData("/../a", "/a")]
        [InlineData("./", ".")]
        [InlineData("!a/../b", "b")] // as Go cleans it: '!a' is just an element
        public void Paths_are_cleaned_as_go_cleans_them(string path, string clean)
        {
            Assert.Equal(clean, typeof(ContextPatternMatcher).Assembly.GetType("ContainerTools.Engine.Build.GoPath")!
                .GetMethod("Clean")!.Invoke(null, new object[] { path }));
        }

        [Fact]
        public void Exceptions_are_reported_and_listed_in_order()
        {
            var matcher = new ContextPatternMatcher(new[] { "a", " ", "!b/c" });
            Assert.True(matcher.HasExclusions);
            Assert.Equal(new[] { "a", "!b/c" }, matcher.Patterns.Select(p => p.ToString()));
            Assert.False(new ContextPatternMatcher(new[] { "a" }).HasExclusions);
        }
    }
}
