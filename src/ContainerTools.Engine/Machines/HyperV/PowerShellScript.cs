using System;
using System.Collections.Generic;
using System.Text;

namespace ContainerTools.Engine.Machines.HyperV
{
    /// <summary>
    /// Hyper-V is driven through Windows PowerShell's Hyper-V module: one powershell.exe per step, the script passed
    /// with -EncodedCommand (so no command-line quoting applies), every value in it a single-quoted literal.
    /// </summary>
    public static class PowerShellScript
    {
        /// <summary>Exit codes the preamble uses for the two problems a user must fix outside ContainerTools.</summary>
        public const int HyperVMissingExitCode = 3;
        public const int AccessDeniedExitCode = 4;

        /// <summary>
        /// A PowerShell single-quoted string literal holding exactly <paramref name="value"/>. PowerShell treats the
        /// typographic quotes (U+2018, U+2019, U+201A, U+201B) as single quotes too, so each of those is doubled as well.
        /// </summary>
        public static string Literal(string value)
        {
            var text = new StringBuilder(value.Length + 2).Append('\'');
            foreach (var c in value)
            {
                text.Append(c);
                if (c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B')
                {
                    text.Append(c);
                }
            }

            return text.Append('\'').ToString();
        }

        /// <summary>The whole script one step runs: checks that Hyper-V is there and usable, then the body; errors go to stderr with exit 1.</summary>
        public static string Wrap(string body) =>
            "$ErrorActionPreference = 'Stop'\n" +
            "$ProgressPreference = 'SilentlyContinue'\n" +
            "if (-not (Get-Command Get-VM -ErrorAction SilentlyContinue)) {\n" +
            "  [Console]::Error.WriteLine('The Hyper-V PowerShell module (Get-VM) is not available.')\n" +
            $"  exit {HyperVMissingExitCode}\n" +
            "}\n" +
            "$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())\n" +
            "$hyperVAdministrators = New-Object Security.Principal.SecurityIdentifier('S-1-5-32-578')\n" +
            "if (-not ($principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator) -or $principal.IsInRole($hyperVAdministrators))) {\n" +
            "  [Console]::Error.WriteLine('This account is neither an elevated Administrator nor a member of Hyper-V Administrators.')\n" +
            $"  exit {AccessDeniedExitCode}\n" +
            "}\n" +
            "try {\n" +
            body.TrimEnd('\n') + "\n" +
            "} catch {\n" +
            "  [Console]::Error.WriteLine($_.Exception.Message)\n" +
            "  exit 1\n" +
            "}\n";

        /// <summary>powershell.exe's arguments for a script: -EncodedCommand is base64 of UTF-16LE.</summary>
        public static IReadOnlyList<string> Arguments(string script) => new[]
        {
            "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(script)),
        };

        /// <summary>The script inside a recorded command (tests and -Verbose).</summary>
        public static string Decode(IReadOnlyList<string> arguments)
        {
            var at = -1;
            for (var i = 0; i < arguments.Count - 1; i++)
            {
                if (arguments[i] == "-EncodedCommand")
                {
                    at = i + 1;
                }
            }

            return at < 0 ? string.Empty : Encoding.Unicode.GetString(Convert.FromBase64String(arguments[at]));
        }
    }
}
