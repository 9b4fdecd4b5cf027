using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using ContainerTools.HelpBuilder;
using ContainerTools.HelpBuilder.Markdown;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>Where the help sources and the committed help live, and which cmdlets the manifest exports.</summary>
    internal static class HelpSourcesOnDisk
    {
        public static string DocsDirectory => Path.Combine(TestEngine.RepositoryRoot, "docs");

        public static string HelpDirectory => Path.Combine(TestEngine.RepositoryRoot, "en-US");

        /// <summary>CmdletsToExport of the source manifest, read without PowerShell so that theories can be listed before any runspace exists.</summary>
        public static IReadOnlyList<string> ExportedCmdletNames()
        {
            var manifest = File.ReadAllText(Path.Combine(TestEngine.RepositoryRoot, "ContainerTools.psd1"));
            var list = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)", RegexOptions.CultureInvariant);
            if (!list.Success)
            {
                throw new InvalidOperationException("ContainerTools.psd1 has no CmdletsToExport = @(...) list.");
            }

            return Regex.Matches(list.Groups[1].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToList();
        }

        public static string PagePath(string cmdlet) => Path.Combine(DocsDirectory, cmdlet + ".md");
    }

    /// <summary>One runspace with the built module imported, shared by the help tests that only read.</summary>
    public sealed class HelpSessionFixture : IDisposable
    {
        public PowerShellSession Session { get; } = new PowerShellSession();

        public void Dispose() => Session.Dispose();
    }

    /// <summary>
    /// Every exported cmdlet has a help page in the PlatyPS schema that documents exactly its parameters;
    /// the committed MAML is what the builder makes of docs/ now; and Get-Help shows it.
    /// </summary>
    public sealed class HelpTests : IClassFixture<HelpSessionFixture>
    {
        private readonly PowerShellSession _session;

        public HelpTests(HelpSessionFixture fixture)
        {
            _session = fixture.Session;
        }

        public static TheoryData<string> Cmdlets()
        {
            var data = new TheoryData<string>();
            foreach (var name in HelpSourcesOnDisk.ExportedCmdletNames())
            {
                data.Add(name);
            }

            return data;
        }

        [Fact]
        public void EveryExportedCmdletHasAHelpPageAndEveryPageAnExportedCmdlet()
        {
            var exported = _session.Invoke("Get-Command -Module ContainerTools -CommandType Cmdlet").AssertSuccess()
                .Objects<CmdletInfo>().Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            var pages = HelpCompiler.Read(HelpSourcesOnDisk.DocsDirectory).Commands.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

            Assert.NotEmpty(exported);
            Assert.Equal(HelpSourcesOnDisk.ExportedCmdletNames().OrderBy(n => n, StringComparer.Ordinal), exported);
            var withoutPage = exported.Except(pages).ToList();
            var withoutCmdlet = pages.Except(exported).ToList();
            Assert.True(withoutPage.Count == 0, "Exported cmdlets without docs/<Name>.md: " + string.Join(", ", withoutPage));
            Assert.True(withoutCmdlet.Count == 0, "Help pages for cmdlets the module does not export: " + string.Join(", ", withoutCmdlet));
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void HelpPageHasEverySectionAnExampleAndExactlyTheCmdletsParameters(string cmdlet)
        {
            // Load checks the schema strictly (front matter, section order, YAML keys) and says where a page breaks it.
            var page = CommandHelpPage.Load(HelpSourcesOnDisk.PagePath(cmdlet));

            Assert.Equal(cmdlet, page.Name);
            foreach (var (title, required) in CommandHelpPage.SchemaSections.Where(s => s.Required))
            {
                Assert.Contains(title, page.SectionTitles);
            }

            Assert.Equal("ContainerTools.dll-Help.xml", page.ExternalHelpFile);
            Assert.Equal("ContainerTools", page.ModuleName);
            Assert.Equal("en-US", page.Locale);
            Assert.NotEmpty(page.Examples);
            Assert.All(page.Examples, e => Assert.NotEmpty(e.Code));
            Assert.True(page.HasCommonParameters, $"{cmdlet}.md has no '### CommonParameters'.");

            var actual = CommandParameters(cmdlet).Keys.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
            var documented = page.Parameters.Select(p => p.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
            var undocumented = actual.Except(documented, StringComparer.OrdinalIgnoreCase).ToList();
            var nonexistent = documented.Except(actual, StringComparer.OrdinalIgnoreCase).ToList();
            Assert.True(undocumented.Count == 0, $"{cmdlet}.md lacks '### -Name' entries for: {string.Join(", ", undocumented)}");
            Assert.True(nonexistent.Count == 0, $"{cmdlet}.md documents parameters {cmdlet} does not have: {string.Join(", ", nonexistent)}");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void HelpPageSyntaxAndParameterYamlMatchTheCmdlet(string cmdlet)
        {
            var page = CommandHelpPage.Load(HelpSourcesOnDisk.PagePath(cmdlet));

            // SYNTAX: one block per parameter set, with the text Get-Command shows for it.
            var sets = _session.Invoke($"(Get-Command -Name {cmdlet}).ParameterSets | ForEach-Object {{ '{{0}}|{{1}}|{{2}}' -f $_.Name, $_.IsDefault, $_.ToString() }}")
                .AssertSuccess().Output.Select(o => (string)o.BaseObject).Select(line => line.Split('|', 3)).ToList();
            Assert.Equal(sets.Select(s => s[0]), page.Syntax.Select(s => s.ParameterSetName));
            foreach (var set in sets)
            {
                var documented = page.Syntax.Single(s => s.ParameterSetName == set[0]);
                Assert.Equal(bool.Parse(set[1]), documented.IsDefault);
                Assert.Equal(cmdlet + " " + set[2], OneLine(documented.Syntax));
            }

            // PARAMETERS: the YAML says what the binder does.
            foreach (var (name, metadata) in CommandParameters(cmdlet))
            {
                var documented = page.Parameters.SingleOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                Assert.True(documented != null, $"{cmdlet}.md has no '### -{name}' entry.");
                var yaml = documented!.Metadata;
                var type = Nullable.GetUnderlyingType(metadata.ParameterType) ?? metadata.ParameterType;
                Assert.True(type.FullName == yaml.Type, $"{cmdlet} -{name}: Type is {yaml.Type} in the docs, {type.FullName} in the cmdlet.");
                Assert.Equal(metadata.Aliases.OrderBy(a => a, StringComparer.Ordinal), yaml.Aliases.OrderBy(a => a, StringComparer.Ordinal));
                var expectedSets = metadata.ParameterSets.Select(s => Describe(
                    s.Key == "__AllParameterSets" ? ParameterSetMembership.AllSets : s.Key,
                    s.Value.Position == int.MinValue ? "Named" : s.Value.Position.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s.Value.IsMandatory, s.Value.ValueFromPipeline, s.Value.ValueFromPipelineByPropertyName, s.Value.ValueFromRemainingArguments));
                var documentedSets = yaml.ParameterSets.Select(s => Describe(s.Name, s.Position, s.IsRequired, s.ValueFromPipeline,
                    s.ValueFromPipelineByPropertyName, s.ValueFromRemainingArguments));
                Assert.Equal(expectedSets.OrderBy(s => s, StringComparer.Ordinal), documentedSets.OrderBy(s => s, StringComparer.Ordinal));

                var enumType = type.IsArray ? type.GetElementType()! : type;
                if (enumType.IsEnum)
                {
                    Assert.Equal(Enum.GetNames(enumType), yaml.AcceptedValues);
                }
            }
        }

        [Fact]
        public void CommittedHelpFilesAreWhatTheBuilderMakesOfTheDocsNow()
        {
            var generated = HelpCompiler.Compile(HelpSourcesOnDisk.DocsDirectory);

            Assert.Contains(generated, f => f.FileName == "ContainerTools.dll-Help.xml");
            Assert.Contains(generated, f => f.FileName == "about_ContainerTools.help.txt");
            foreach (var file in generated)
            {
                var committedPath = Path.Combine(HelpSourcesOnDisk.HelpDirectory, file.FileName);
                Assert.True(File.Exists(committedPath), $"{committedPath} is missing: run ./build.sh help and commit en-US/.");
                var committed = File.ReadAllText(committedPath).Replace("\r\n", "\n", StringComparison.Ordinal);
                Assert.True(committed == file.Content, $"en-US/{file.FileName} differs from what docs/ gives now: run ./build.sh help and commit en-US/.");
            }

            var stale = Directory.GetFiles(HelpSourcesOnDisk.HelpDirectory).Select(Path.GetFileName)
                .Except(generated.Select(f => f.FileName)).ToList();
            Assert.True(stale.Count == 0, "en-US/ has files the docs no longer make: " + string.Join(", ", stale));
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void GetHelpShowsTheSynopsisAndTheExamplesOfThePage(string cmdlet)
        {
            var page = CommandHelpPage.Load(HelpSourcesOnDisk.PagePath(cmdlet));
            var help = _session.Invoke($"Get-Help -Name {cmdlet} -Full").AssertSuccess().Output.Single();

            // Help made up from the cmdlet's metadata (no MAML found) has its syntax as synopsis and no examples.
            Assert.Equal(page.Synopsis, Text(help.Properties["Synopsis"]?.Value));
            var examples = _session.Invoke($"@((Get-Help -Name {cmdlet} -Full).examples.example)").AssertSuccess().Output;
            Assert.Equal(page.Examples.Count, examples.Count);
            Assert.Equal(string.Join("\n\n", page.Examples[0].Code), Text(examples[0].Properties["code"]?.Value).Replace("\r\n", "\n", StringComparison.Ordinal));
            var description = _session.Invoke($"(Get-Help -Name {cmdlet} -Full).description | ForEach-Object {{ $_.Text }}").AssertSuccess().Output;
            Assert.Equal(PlainText.Paragraphs(page.Description), description.Select(d => Text(d)));
        }

        [Fact]
        public void GetHelpShowsTheAboutTopic()
        {
            var text = string.Concat(_session.Invoke("Get-Help about_ContainerTools | Out-String").AssertSuccess().Output.Select(o => o.BaseObject as string));

            Assert.Contains("about_ContainerTools", text, StringComparison.Ordinal);
            Assert.Contains("Which engine a command uses", text, StringComparison.Ordinal);
        }

        private Dictionary<string, ParameterMetadata> CommandParameters(string cmdlet)
        {
            var info = _session.Invoke($"Get-Command -Name {cmdlet}").AssertSuccess().Objects<CmdletInfo>().Single();
            // -WhatIf and -Confirm are documented; the always-present common parameters are not.
            return info.Parameters.Where(p => !Cmdlet.CommonParameters.Contains(p.Key))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        }

        private static string Describe(string name, string position, bool required, bool byValue, bool byPropertyName, bool remaining) =>
            $"{name} Position={position} IsRequired={required} ValueFromPipeline={byValue} ValueFromPipelineByPropertyName={byPropertyName} ValueFromRemainingArguments={remaining}";

        private static string OneLine(string text) => Regex.Replace(text, @"\s+", " ").Trim();

        private static string Text(object? value) => (value is PSObject pso ? pso.BaseObject : value)?.ToString()?.Trim() ?? string.Empty;
    }

    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class HelpExampleCollection
    {
        public const string Name = "Help examples";
    }

    /// <summary>
    /// Runs every ```powershell block of every docs page, each in a fresh runspace against the real engine:
    /// it must write no error and leave no container behind. Alone in its collection, so the examples do not
    /// race other tests for the engine.
    /// </summary>
    [Collection(HelpExampleCollection.Name)]
    public sealed class ExampleHelpTests : IClassFixture<DocsSwarmFixture>
    {
        private const string NamePrefix = "docs-";
        private readonly DocsSwarmFixture _swarm;

        public ExampleHelpTests(DocsSwarmFixture swarm)
        {
            _swarm = swarm;
        }

        public static TheoryData<string, string, int> Blocks()
        {
            var data = new TheoryData<string, string, int>();
            var sources = HelpCompiler.Read(HelpSourcesOnDisk.DocsDirectory);
            foreach (var page in sources.Commands)
            {
                foreach (var example in page.Examples)
                {
                    for (var i = 0; i < example.Code.Count; i++)
                    {
                        data.Add(page.Name + ".md", $"Example {example.Number}: {example.Title}", i + 1);
                    }
                }
            }

            foreach (var topic in sources.AboutTopics)
            {
                for (var i = 0; i < topic.PowerShellBlocks.Count; i++)
                {
                    data.Add(topic.Name + ".md", "powershell block", i + 1);
                }
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Blocks))]
        public void DocExampleRunsWithoutErrorsAndLeavesNoContainer(string page, string example, int block)
        {
            var code = FindBlock(page, example, block);
            if (Regex.IsMatch(code, @"New-Container(?!Image)|-KeepContainer", RegexOptions.CultureInvariant))
            {
                // The leftover check below finds containers by this prefix; a container named otherwise would escape it.
                Assert.True(code.Contains(NamePrefix, StringComparison.Ordinal),
                    $"{page} {example}: a block that creates containers must name them '{NamePrefix}...'.");
            }

            // A prefix of this run's own: concurrent runs (a developer and CI) and leftovers of a crash cannot collide.
            var runPrefix = NamePrefix + Guid.NewGuid().ToString("N").Substring(0, 8) + "-";
            var script = code.Replace(NamePrefix, runPrefix, StringComparison.Ordinal);
            ContainerTools.Engine.Connection.ContainerEngineConnection? swarmEngine = null;
            // Registry examples log in: they write a docker config of their own, never the machine's.
            var dockerConfig = Directory.CreateTempSubdirectory("ct-docs-config-").FullName;
            var previousConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dockerConfig);
            // Machine examples keep their machines in a store of their own, removed (machines and all) afterwards.
            var machineStore = Directory.CreateTempSubdirectory("ct-docs-machines-").FullName;
            var previousStore = Environment.GetEnvironmentVariable(ContainerTools.Engine.Machines.MachineStore.StoreVariable);
            Environment.SetEnvironmentVariable(ContainerTools.Engine.Machines.MachineStore.StoreVariable, machineStore);
            try
            {
                PowerShellResult result;
                // Pages about services and stacks run on a swarm of their own (the shared engine is in none).
                swarmEngine = DocsSwarmFixture.NeedsSwarm(page) ? _swarm.Engine : null;
                using (var session = new PowerShellSession())
                {
                    if (swarmEngine != null)
                    {
                        session.Invoke("Connect-ContainerEngine -InputObject $swarm | Out-Null", new System.Collections.Hashtable { ["swarm"] = swarmEngine }).AssertSuccess();
                    }

                    result = session.Invoke(script);
                }

                try
                {
                    result.AssertSuccess();
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    throw new Xunit.Sdk.XunitException($"{page} {example} (block {block}) failed:\n{e.Message}\n--- script ---\n{script}");
                }

                var leftovers = TestEngine.Docker("ps", "-a", "--filter", "name=" + runPrefix, "--format", "{{.Names}}");
                Assert.True(leftovers.Length == 0, $"{page} {example} (block {block}) left containers behind: {leftovers.Replace('\n', ' ')}");
                var networks = TestEngine.Docker("network", "ls", "--filter", "name=" + runPrefix, "--format", "{{.Name}}");
                Assert.True(networks.Length == 0, $"{page} {example} (block {block}) left networks behind: {networks.Replace('\n', ' ')}");
                var volumes = TestEngine.Docker("volume", "ls", "--filter", "name=" + runPrefix, "--format", "{{.Name}}");
                Assert.True(volumes.Length == 0, $"{page} {example} (block {block}) left volumes behind: {volumes.Replace('\n', ' ')}");
                if (swarmEngine != null)
                {
                    var services = _swarm.Docker("service", "ls", "-q", "--filter", "name=" + runPrefix);
                    if (services.Length > 0)
                    {
                        _swarm.Docker(new[] { "service", "rm" }.Concat(services.Split('\n', StringSplitOptions.TrimEntries)).ToArray());
                    }

                    Assert.True(services.Length == 0, $"{page} {example} (block {block}) left services behind: {services.Replace('\n', ' ')}");
                }

                var machines = new ContainerTools.Engine.Machines.MachineStore(machineStore).List();
                Assert.True(machines.Count == 0, $"{page} {example} (block {block}) left machines behind: {string.Join(", ", machines.Select(m => m.Name))}");
            }
            finally
            {
                RemoveMachines(machineStore, dockerConfig);
                Environment.SetEnvironmentVariable(ContainerTools.Engine.Machines.MachineStore.StoreVariable, previousStore);
                Environment.SetEnvironmentVariable("DOCKER_CONFIG", previousConfig);
                Directory.Delete(dockerConfig, recursive: true);
                RemoveContainersNamed(runPrefix);
                RemoveNetworksAndVolumesNamed(runPrefix);
            }
        }

        private static string FindBlock(string page, string example, int block)
        {
            var sources = HelpCompiler.Read(HelpSourcesOnDisk.DocsDirectory);
            var topic = sources.AboutTopics.SingleOrDefault(t => t.Name + ".md" == page);
            if (topic != null)
            {
                return topic.PowerShellBlocks[block - 1];
            }

            var commandPage = sources.Commands.Single(c => c.Name + ".md" == page);
            return commandPage.Examples.Single(e => $"Example {e.Number}: {e.Title}" == example).Code[block - 1];
        }

        // Machines an example left (stopped and removed with everything made for them), then the store itself.
        private static void RemoveMachines(string store, string dockerConfig)
        {
            var manager = new ContainerTools.Engine.Machines.MachineManager(new ContainerTools.Engine.Machines.MachineStore(store),
                new ContainerTools.Engine.Connection.DockerContextStore(new ContainerTools.Engine.Connection.EngineEnvironment(
                    v => v == "DOCKER_CONFIG" ? dockerConfig : Environment.GetEnvironmentVariable(v), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), false)));
            foreach (var machine in manager.Store.List())
            {
                try
                {
                    manager.RemoveAsync(machine, force: true, null, System.Threading.CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (ContainerTools.Engine.ContainerEngineException)
                {
                }
            }

            if (Directory.Exists(store))
            {
                Directory.Delete(store, recursive: true);
            }
        }

        // Networks and volumes an example left (after the containers that used them are gone).
        private static void RemoveNetworksAndVolumesNamed(string prefix)
        {
            foreach (var kind in new[] { "network", "volume" })
            {
                var names = TestEngine.DockerResult(kind, "ls", "-q", "--filter", "name=" + prefix).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (names.Length > 0)
                {
                    TestEngine.DockerResult(new[] { kind, "rm" }.Concat(names).ToArray());
                }
            }
        }

        // Clean-up after a failure, so one broken example does not leave containers for the next run.
        private static void RemoveContainersNamed(string prefix)
        {
            var names = TestEngine.DockerResult("ps", "-a", "-q", "--filter", "name=" + prefix).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rm", "-f", "-v" }.Concat(names).ToArray());
            }
        }
    }
}
