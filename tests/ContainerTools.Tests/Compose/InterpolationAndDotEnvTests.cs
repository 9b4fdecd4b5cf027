using System;
using System.Collections.Generic;
using System.Linq;
using ContainerTools.Engine.Compose;
using Xunit;

namespace ContainerTools.Tests.Compose
{
    public class InterpolationTests
    {
        private static readonly Dictionary<string, string> Vars = new Dictionary<string, string>
        {
            ["SET"] = "value",
            ["EMPTY"] = string.Empty,
            ["FALLBACK"] = "fallback",
        };

        private static string Run(string text, List<string>? warnings = null) =>
            ComposeInterpolation.Interpolate(text, name => Vars.TryGetValue(name, out var v) ? v : null, w => warnings?.Add(w));

        [Theory]
        [InlineData("$SET", "value")]
        [InlineData("${SET}", "value")]
        [InlineData("a-$SET-b", "a-value-b")]
        [InlineData("a${SET}b", "avalueb")]
        [InlineData("$SET.x", "value.x")]
        [InlineData("${UNSET:-d}", "d")]
        [InlineData("${EMPTY:-d}", "d")]
        [InlineData("${SET:-d}", "value")]
        [InlineData("${UNSET-d}", "d")]
        [InlineData("${EMPTY-d}", "")]
        [InlineData("${SET:+alt}", "alt")]
        [InlineData("${EMPTY:+alt}", "")]
        [InlineData("${EMPTY+alt}", "alt")]
        [InlineData("${UNSET+alt}", "")]
        [InlineData("${SET:?boom}", "value")]
        [InlineData("${EMPTY?boom}", "")]
        [InlineData("${UNSET:-${FALLBACK}}", "fallback")]
        [InlineData("${UNSET:-${ALSO_UNSET:-deep}}", "deep")]
        [InlineData("${UNSET:-$FALLBACK}", "fallback")]
        [InlineData("${UNSET:-a:b-c}", "a:b-c")]
        [InlineData("$$SET", "$SET")]
        [InlineData("$${SET}", "${SET}")]
        [InlineData("cost: $$5", "cost: $5")]
        [InlineData("$5 and $ alone and a$", "$5 and $ alone and a$")]
        [InlineData("no dollars", "no dollars")]
        public void Expands_every_form_as_compose_does(string text, string expected) => Assert.Equal(expected, Run(text));

        [Fact]
        public void An_unset_variable_is_blank_with_a_warning_but_a_default_gives_none()
        {
            var warnings = new List<string>();
            Assert.Equal("host-", Run("host-${NOPE}", warnings));
            Assert.Equal("x", Run("${NOPE2:-x}", warnings));
            Assert.Equal(new[] { "The \"NOPE\" variable is not set. Defaulting to a blank string." }, warnings);
        }

        [Theory]
        [InlineData("${UNSET:?you must set UNSET}", "required variable UNSET is missing a value: you must set UNSET")]
        [InlineData("${EMPTY:?empty is not enough}", "required variable EMPTY is missing a value: empty is not enough")]
        [InlineData("${UNSET?}", "required variable UNSET is missing a value")]
        [InlineData("${UNSET?$SET is set}", "required variable UNSET is missing a value: value is set")]
        public void A_required_variable_without_a_value_fails_with_its_message(string text, string message) =>
            Assert.Equal(message, Assert.Throws<ComposeInterpolationException>(() => Run(text)).Message);

        [Theory]
        [InlineData("${SET")]
        [InlineData("${}")]
        [InlineData("${1ABC}")]
        [InlineData("${SET/foo/bar}")]
        [InlineData("${SET:=x}")]
        public void Bad_syntax_is_an_error(string text) =>
            Assert.StartsWith("invalid interpolation format", Assert.Throws<ComposeInterpolationException>(() => Run(text)).Message);
    }

    public class DotEnvTests
    {
        private static Dictionary<string, string> Parse(string text, Dictionary<string, string>? environment = null) =>
            ComposeDotEnv.Parse(text, "/p/.env", n => environment != null && environment.TryGetValue(n, out var v) ? v : null)
                .ToDictionary(p => p.Key, p => p.Value);

        [Fact]
        public void Unquoted_values_are_trimmed_lose_inline_comments_and_expand()
        {
            var values = Parse("# a comment\n\nA=plain  \nB = spaced # comment\nC=a#b\nD=${A}-x\nE=\nF=$$literal\n  G=indented\n");
            Assert.Equal("plain", values["A"]);
            Assert.Equal("spaced", values["B"]);
            Assert.Equal("a#b", values["C"]);
            Assert.Equal("plain-x", values["D"]);
            Assert.Equal(string.Empty, values["E"]);
            Assert.Equal("$literal", values["F"]);
            Assert.Equal("indented", values["G"]);
            Assert.Equal(7, values.Count);
        }

        [Fact]
        public void Single_quotes_are_literal()
        {
            var values = Parse("A=x\nB='${A} \\n # not a comment' # a comment\nC='multi\nline'");
            Assert.Equal("${A} \\n # not a comment", values["B"]);
            Assert.Equal("multi\nline", values["C"]);
        }

        [Fact]
        public void Double_quotes_take_escapes_and_expand_variables()
        {
            var values = Parse("A=x\nB=\"tab\\there\\nnew \\\"q\\\" \\\\ ${A} \\$A # kept\" # dropped\nC=\"two\nlines\"");
            Assert.Equal("tab\there\nnew \"q\" \\ x $A # kept", values["B"]);
            Assert.Equal("two\nlines", values["C"]);
        }

        [Fact]
        public void Export_prefix_bare_keys_and_later_values()
        {
            var values = Parse("export A=1\nexport   B='2'\nFROM_ENV\nNOT_IN_ENV\nA=3\nC=${HOME_X:-d}", new Dictionary<string, string> { ["FROM_ENV"] = "e", ["HOME_X"] = "h" });
            Assert.Equal("3", values["A"]);
            Assert.Equal("2", values["B"]);
            Assert.Equal("e", values["FROM_ENV"]);
            Assert.False(values.ContainsKey("NOT_IN_ENV"));
            Assert.Equal("h", values["C"]);
        }

        [Fact]
        public void Errors_name_the_file_line_and_column()
        {
            var badKey = Assert.Throws<ComposeFileException>(() => Parse("A=1\n  BAD KEY=2\n"));
            Assert.Equal(("/p/.env", 2, 3), (badKey.File, badKey.Line, badKey.Column));
            Assert.Equal("ComposeFileInvalid", badKey.ErrorId);

            var unclosed = Assert.Throws<ComposeFileException>(() => Parse("A=1\nB=\"never closed\nC=2\n"));
            Assert.Equal((2, 3), (unclosed.Line, unclosed.Column));
            Assert.Contains("never closed", unclosed.Message.Replace("opens a \" quote that is never closed", "never closed"));

            var trailing = Assert.Throws<ComposeFileException>(() => Parse("A='x' y"));
            Assert.Equal((1, 3), (trailing.Line, trailing.Column));

            var required = Assert.Throws<ComposeFileException>(() => Parse("A=1\nB=${NOPE:?set NOPE}"));
            Assert.Equal((2, 3), (required.Line, required.Column));
            Assert.Contains("required variable NOPE is missing a value: set NOPE", required.Message);
        }
    }
}
