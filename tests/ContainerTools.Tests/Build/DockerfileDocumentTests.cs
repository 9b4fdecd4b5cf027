using System.Collections.Generic;
using System.Linq;
using ContainerTools.Engine.Build;
using Xunit;

namespace ContainerTools.Tests.Build
{
    /// <summary>Instructions and their lines, found as the Dockerfile parser finds them (the classic builder's step numbers).</summary>
    public sealed class DockerfileDocumentTests
    {
        [Fact]
        public void Continuations_comments_and_blank_lines_give_each_instruction_its_lines()
        {
            var doc = DockerfileDocument.Parse(
                "# syntax=docker/dockerfile:1\n" +   // 1 directive
                "ARG BASE=busybox\n" +               // 2
                "\n" +                               // 3
                "FROM ${BASE} AS build\n" +          // 4
                "# comment\n" +                      // 5
                "RUN echo one \\\n" +                // 6
                "    # inside\n" +                   // 7
                "\n" +                               // 8
                "    && echo two \\  \n" +           // 9 (spaces after the backslash)
                "    && echo three\n" +              // 10
                "  copy a b\r\n" +                   // 11 (lower case, CRLF, indented)
                "CMD [\"sh\"]");                     // 12 (no final newline)
            Assert.Equal(new[] { "ARG", "FROM", "RUN", "COPY", "CMD" }, doc.Instructions.Select(i => i.Keyword));
            Assert.Equal(new[] { (2, 2), (4, 4), (6, 10), (11, 11), (12, 12) }, doc.Instructions.Select(i => (i.StartLine, i.EndLine)));
            Assert.Equal("RUN echo one     && echo two     && echo three", doc.Instructions[2].Text);
            Assert.Equal("lines 6-10", doc.Step(3)!.LineText);
            Assert.Equal("line 11", doc.Step(4)!.LineText);
            Assert.Null(doc.Step(6)); // a step the builder adds (-Label)
            Assert.Null(doc.Step(0));
        }

        [Fact]
        public void The_escape_directive_changes_the_continuation_character()
        {
            var doc = DockerfileDocument.Parse("# escape=`\nFROM windows\nRUN dir c:\\ `\n    && echo done\nRUN echo \\\n");
            Assert.Equal('`', doc.EscapeCharacter);
            Assert.Equal(new[] { (2, 2), (3, 4), (5, 5) }, doc.Instructions.Select(i => (i.StartLine, i.EndLine)));

            // A directive after an instruction or a comment is only a comment.
            Assert.Equal('\\', DockerfileDocument.Parse("# hello\n# escape=`\nFROM a\n").EscapeCharacter);
        }

        [Fact]
        public void Base_images_resolve_build_arguments_and_skip_stages_and_scratch()
        {
            var doc = DockerfileDocument.Parse(
                "ARG REGISTRY=127.0.0.1:5000\nARG TAG\nFROM $REGISTRY/base:${TAG:-x} AS base\nFROM scratch AS empty\nFROM base\nFROM --platform=linux/amd64 other:1\n");
            Assert.Equal(new[] { "127.0.0.1:5000/base:", "other:1" }, doc.BaseImages());
            Assert.Equal(new[] { "reg.example:5000/base:2", "other:1" },
                doc.BaseImages(new Dictionary<string, string?> { ["REGISTRY"] = "reg.example:5000", ["TAG"] = "2" }));
        }
    }
}
