using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.RegularExpressions;

namespace ContainerTools.Host
{
    /// <summary>
    /// A PSHost for machines without pwsh: Out-Default writes through it, so objects are printed with the
    /// module's format views. It never prompts: a runbook host has no one to answer.
    /// </summary>
    public sealed class ConsoleHost : PSHost
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly HostUserInterface _ui;

        /// <param name="plainText">Strip ANSI styling (PowerShell's formatter adds it whatever $PSStyle says for a custom host).</param>
        public ConsoleHost(TextWriter output, TextWriter error, int width = 120, bool plainText = true)
        {
            _ui = new HostUserInterface(output, error, width, plainText);
        }

        public int ExitCode { get; private set; }

        public bool ShouldExit { get; private set; }

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

        public override Guid InstanceId => _id;

        public override string Name => "ContainerTools.Host";

        public override PSHostUserInterface UI => _ui;

        public override Version Version => new Version(0, 1);

        public override void EnterNestedPrompt() => throw new NotSupportedException("This host has no interactive prompt.");

        public override void ExitNestedPrompt() => throw new NotSupportedException("This host has no interactive prompt.");

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        public override void SetShouldExit(int exitCode)
        {
            ExitCode = exitCode;
            ShouldExit = true;
        }

        private sealed class HostUserInterface : PSHostUserInterface
        {
            private readonly TextWriter _out;
            private readonly TextWriter _err;
            private static readonly Regex Ansi = new Regex(@"\x1b\[[0-9;?]*[ -/]*[@-~]", RegexOptions.Compiled);
            private readonly RawUserInterface _raw;
            private readonly bool _plainText;

            public HostUserInterface(TextWriter output, TextWriter error, int width, bool plainText)
            {
                _out = output;
                _err = error;
                _raw = new RawUserInterface(width);
                _plainText = plainText;
            }

            public override PSHostRawUserInterface RawUI => _raw;

            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
                throw NoPrompt(message);

            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
                throw NoPrompt(message);

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
                throw NoPrompt(message);

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
                PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NoPrompt(message);

            public override string ReadLine() => throw NoPrompt("ReadLine");

            public override SecureString ReadLineAsSecureString() => throw NoPrompt("ReadLineAsSecureString");

            public override void Write(string value) => _out.Write(Plain(value));

            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => _out.Write(Plain(value));

            public override void WriteLine(string value) => _out.WriteLine(Plain(value));

            public override void WriteErrorLine(string value) => _err.WriteLine(Plain(value));

            public override void WriteDebugLine(string message) => _err.WriteLine("DEBUG: " + message);

            public override void WriteVerboseLine(string message) => _err.WriteLine("VERBOSE: " + message);

            public override void WriteWarningLine(string message) => _err.WriteLine("WARNING: " + message);

            public override void WriteProgress(long sourceId, ProgressRecord record)
            {
                // Progress bars need a console; a log gets nothing rather than a flood of redraws.
            }

            private string Plain(string value) => _plainText && value != null && value.IndexOf('\x1b') >= 0 ? Ansi.Replace(value, string.Empty) : value!;

            private static PSInvalidOperationException NoPrompt(string what) =>
                new PSInvalidOperationException($"This host cannot prompt ({what}): it runs scripts without a console. Pass the value as a parameter.");
        }

        private sealed class RawUserInterface : PSHostRawUserInterface
        {
            private Size _bufferSize;

            public RawUserInterface(int width)
            {
                _bufferSize = new Size(width, 9999);
            }

            public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

            public override Size BufferSize
            {
                get => _bufferSize;
                set => _bufferSize = value;
            }

            public override Coordinates CursorPosition { get; set; }

            public override int CursorSize { get; set; }

            public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

            public override bool KeyAvailable => false;

            public override Size MaxPhysicalWindowSize => _bufferSize;

            public override Size MaxWindowSize => _bufferSize;

            public override Coordinates WindowPosition { get; set; }

            public override Size WindowSize
            {
                get => new Size(_bufferSize.Width, 50);
                set { }
            }

            public override string WindowTitle { get; set; } = "ContainerTools";

            public override void FlushInputBuffer()
            {
            }

            public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

            public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("This host has no keyboard.");

            public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
                throw new NotSupportedException();

            public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();

            public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException();
        }
    }
}
