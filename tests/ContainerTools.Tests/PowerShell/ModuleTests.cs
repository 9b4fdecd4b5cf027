using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>The built module as PowerShell sees it: manifest, exports, verbs, ShouldProcess, views, the shipped files.</summary>
    public sealed class ModuleTests : IClassFixture<ModuleTests.Session>
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private readonly PowerShellSession _ps;

        public ModuleTests(Session session)
        {
            _ps = session.Shell;
        }

        private CmdletInfo[] Cmdlets() =>
            _ps.Invoke("Get-Command -Module ContainerTools").AssertSuccess().Objects<CmdletInfo>().ToArray();

        // Verbs Windows PowerShell 5.1 approves: PowerShell 7's list minus the verbs it added later.
        private static readonly string[] VerbsAddedAfter51 = { "Build", "Deploy" };

        [Fact]
        public void Import_in_a_fresh_runspace_writes_no_error_or_warning()
        {
            using var fresh = new PowerShellSession();
            var result = fresh.Invoke($"Import-Module '{TestEngine.ModuleManifest}' -Force -PassThru -WarningVariable w; $w");
            result.AssertSuccess();
            Assert.Empty(result.Warnings);
            Assert.Contains(result.Objects<PSModuleInfo>(), m => m.Name == "ContainerTools");
        }

        [Fact]
        public void Exports_exactly_the_manifest_cmdlets_with_approved_51_verbs()
        {
            var manifest = _ps.Invoke($"Test-ModuleManifest '{TestEngine.ModuleManifest}'").AssertSuccess()
                .Objects<PSModuleInfo>().Single();
            var exported = Cmdlets().Select(c => c.Name).OrderBy(n => n).ToArray();
            Assert.Equal(manifest.ExportedCmdlets.Keys.OrderBy(n => n), exported);
            Assert.True(exported.Length >= 15);

            var approved = typeof(VerbsCommon).Assembly.GetTypes()
                .Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.IsAbstract && t.IsSealed)
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!))
                .Except(VerbsAddedAfter51)
                .ToHashSet();
            foreach (var cmdlet in Cmdlets())
            {
                Assert.True(approved.Contains(cmdlet.Verb), $"{cmdlet.Name}: '{cmdlet.Verb}' is not a verb Windows PowerShell 5.1 approves");
                Assert.DoesNotMatch("[^s]s$", cmdlet.Noun.Replace("Statistics", string.Empty)); // singular nouns (Process, with its "ss", is one)
            }
        }

        [Fact]
        public void Manifest_is_explicit_and_edition_aware()
        {
            var shipped = Path.Combine(TestEngine.RepositoryRoot, "out", "ContainerTools", "ContainerTools.psd1");
            var info = _ps.Invoke($"Test-ModuleManifest '{shipped}'").AssertSuccess().Objects<PSModuleInfo>().Single();
            Assert.Equal(new Version(5, 1), info.PowerShellVersion);
            Assert.Equal(new[] { "Core", "Desktop" }, info.CompatiblePSEditions.OrderBy(e => e));
            Assert.Equal(new Version(4, 7, 2), info.DotNetFrameworkVersion);
            Assert.Empty(info.ExportedFunctions);
            Assert.Empty(info.ExportedAliases);
            var props = File.ReadAllText(Path.Combine(TestEngine.RepositoryRoot, "Directory.Build.props"));
            var version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
            Assert.Equal(Version.Parse(version), info.Version);
        }

        [Fact]
        public void The_shipped_manifest_is_the_source_manifest_with_the_version_stamped()
        {
            string Normalize(string text) => Regex.Replace(text, "ModuleVersion(\\s*)=(\\s*)'[^']*'", "ModuleVersion='x'").Trim();
            var source = File.ReadAllText(Path.Combine(TestEngine.RepositoryRoot, "ContainerTools.psd1"));
            var shipped = File.ReadAllText(TestEngine.ModuleManifest);
            Assert.Equal(Normalize(source), Normalize(shipped));
        }

        [Fact]
        public void The_module_folder_ships_no_powershell_assemblies()
        {
            var folder = Path.Combine(TestEngine.RepositoryRoot, "out", "ContainerTools");
            var files = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray();
            Assert.Contains("ContainerTools.dll", files);
            Assert.Contains("ContainerTools.Engine.dll", files);
            Assert.Contains("ContainerTools.Format.ps1xml", files);
            Assert.DoesNotContain(files, f => f!.StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(files, f => f!.StartsWith("Microsoft.PowerShell", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void Every_state_changing_cmdlet_supports_whatif_and_confirm()
        {
            var readOnlyVerbs = new[] { "Get", "Wait", "Find", "Test" };
            foreach (var cmdlet in Cmdlets().Where(c => !readOnlyVerbs.Contains(c.Verb)))
            {
                Assert.True(cmdlet.Parameters.ContainsKey("WhatIf") && cmdlet.Parameters.ContainsKey("Confirm"),
                    $"{cmdlet.Name} changes state but has no -WhatIf/-Confirm");
            }
        }

        [Fact]
        public void Every_cmdlet_declares_outputs_that_have_a_format_view()
        {
            foreach (var cmdlet in Cmdlets())
            {
                Assert.True(cmdlet.OutputType.Count > 0, $"{cmdlet.Name} has no [OutputType]");
                foreach (var type in cmdlet.OutputType.Select(t => t.Type).Where(t => t != null && t != typeof(void)))
                {
                    var views = _ps.Invoke($"Get-FormatData -TypeName '{type!.FullName}'").AssertSuccess().Output;
                    Assert.True(views.Count > 0, $"{cmdlet.Name} outputs {type.FullName}, which has no format view");
                }
            }
        }

        [Fact]
        public void Every_cmdlet_but_disconnect_takes_engine_from_the_pipeline_by_property_name()
        {
            // The *-ContainerMachine cmdlets manage engines rather than act on one.
            foreach (var cmdlet in Cmdlets().Where(c => c.Name != "Disconnect-ContainerEngine" && !c.Name.EndsWith("-ContainerMachine", StringComparison.Ordinal)))
            {
                Assert.True(cmdlet.Parameters.TryGetValue("Engine", out var engine), $"{cmdlet.Name} has no -Engine");
                Assert.All(engine!.ParameterSets.Values, s => Assert.True(s.ValueFromPipelineByPropertyName));
            }
        }

        [Fact]
        public void Actions_offer_passthru()
        {
            var actions = new[] { "Start-Container", "Stop-Container", "Restart-Container", "Suspend-Container", "Resume-Container", "Rename-Container", "Set-Container", "Add-ContainerImageTag", "Remove-ContainerImage" };
            foreach (var name in actions)
            {
                Assert.True(Cmdlets().Single(c => c.Name == name).Parameters.ContainsKey("PassThru"), $"{name} has no -PassThru");
            }
        }
    }
}
