using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>
    /// Networks, volumes, disk usage and prune through real pipelines, checked with the docker CLI. Every prune is scoped by
    /// a label unique to the test: other tests share the engine.
    /// </summary>
    public sealed class NetworkVolumeCmdletTests : IClassFixture<NetworkVolumeCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        // Subnets 10.213.x.0/24 from a random start, one per use, so that concurrent tests and runs do not collide.
        private static int _subnet = new Random().Next(0, 200);

        private readonly PowerShellSession _ps;
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();
        private readonly ConcurrentBag<string> _networks = new ConcurrentBag<string>();
        private readonly string _label = "io.containertools.test.netvol=" + Guid.NewGuid().ToString("N").Substring(0, 12);

        public NetworkVolumeCmdletTests(Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose()
        {
            _cleanup.Dispose();
            var networks = _networks.Distinct().ToArray();
            if (networks.Length > 0)
            {
                TestEngine.DockerResult(new[] { "network", "rm" }.Concat(networks).ToArray());
            }

            var volumes = TestEngine.Docker("volume", "ls", "-q", "--filter", "label=" + _label).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (volumes.Length > 0)
            {
                TestEngine.DockerResult(new[] { "volume", "rm", "-f" }.Concat(volumes).ToArray());
            }
        }

        private static string NextSubnetPrefix() => "10.213." + (Interlocked.Increment(ref _subnet) % 250 + 1);

        private string NewNetworkName()
        {
            var name = TestEngine.UniqueName("ctnet");
            _networks.Add(name);
            return name;
        }

        private Hashtable Vars(params object[] pairs)
        {
            var h = new Hashtable { ["image"] = TestEngine.Image, ["labelKey"] = _label.Split('=')[0], ["labelValue"] = _label.Split('=')[1], ["label"] = _label };
            for (var i = 0; i < pairs.Length; i += 2)
            {
                h[pairs[i]] = pairs[i + 1];
            }

            return h;
        }

        private string NewRunning(string? network = null)
        {
            var name = _cleanup.NewName();
            TestEngine.Docker(new[] { "run", "-d", "--init", "--name", name, "--label", TestEngine.TestLabel + "=1" }
                .Concat(network != null ? new[] { "--network", network } : Array.Empty<string>()).Concat(new[] { TestEngine.Image, "sleep", "600" }).ToArray());
            return name;
        }

        private static string Inspect(string kind, string format, string name) => TestEngine.Docker(kind, "inspect", "-f", format, name);

        [Fact]
        public void New_network_is_what_docker_network_inspect_sees()
        {
            var name = NewNetworkName();
            var prefix = NextSubnetPrefix();
            var network = _ps.Invoke(
                    "New-ContainerNetwork -Name $name -Subnet \"$prefix.0/24\" -Gateway \"$prefix.1\" -IPRange \"$prefix.128/25\" -Internal " +
                    "-Label @{ $labelKey = $labelValue; tier = 'back' } -Option @{ 'com.docker.network.driver.mtu' = '1400' }",
                    Vars("name", name, "prefix", prefix))
                .AssertSuccess().Objects<ContainerNetwork>().Single();

            Assert.Equal(TestEngine.Docker("network", "inspect", "-f", "{{.Id}}", name), network.Id);
            Assert.Equal($"{prefix}.0/24 {prefix}.1 {prefix}.128/25", Inspect("network", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}}{{end}}", name));
            Assert.Equal("true bridge back 1400", Inspect("network", "{{.Internal}} {{.Driver}} {{index .Labels \"tier\"}} {{index .Options \"com.docker.network.driver.mtu\"}}", name));
            Assert.Equal(prefix + ".0/24", network.Subnet);
            Assert.Equal(prefix + ".1", network.Gateway);
            Assert.True(network.Internal);

            // Listed by pattern, label and id prefix; a missing exact name is ObjectNotFound, like Get-Process.
            Assert.Equal(name, _ps.Invoke("Get-ContainerNetwork ($name.Substring(0, 10) + '*') -Label $label", Vars("name", name)).AssertSuccess().Objects<ContainerNetwork>().Single().Name);
            Assert.Equal(name, _ps.Invoke("Get-ContainerNetwork -Id $id", Vars("id", network.Id.Substring(0, 12))).AssertSuccess().Objects<ContainerNetwork>().Single().Name);
            var missing = _ps.Invoke("Get-ContainerNetwork -Name ($name + '-nope')", Vars("name", name));
            Assert.Equal("NetworkNotFound,ContainerTools.Cmdlets.Network.GetContainerNetworkCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, missing.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void New_network_refuses_an_existing_name_unless_reuse_is_asked_and_the_settings_match()
        {
            var name = NewNetworkName();
            var prefix = NextSubnetPrefix();
            var first = _ps.Invoke("New-ContainerNetwork $name -Subnet \"$prefix.0/24\" -Label @{ $labelKey = $labelValue }", Vars("name", name, "prefix", prefix))
                .AssertSuccess().Objects<ContainerNetwork>().Single();

            var again = _ps.Invoke("New-ContainerNetwork $name", Vars("name", name));
            var error = Assert.Single(again.Errors);
            Assert.Equal("NetworkExists,ContainerTools.Cmdlets.Network.NewContainerNetworkCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);

            var reused = _ps.Invoke("New-ContainerNetwork $name -Subnet \"$prefix.0/24\" -ReuseExisting", Vars("name", name, "prefix", prefix))
                .AssertSuccess().Objects<ContainerNetwork>().Single();
            Assert.Equal(first.Id, reused.Id);

            var different = _ps.Invoke("New-ContainerNetwork $name -Subnet 10.214.1.0/24 -ReuseExisting", Vars("name", name));
            Assert.StartsWith("NetworkExistsWithDifferentSettings,", Assert.Single(different.Errors).FullyQualifiedErrorId);
            Assert.Contains("10.214.1.0/24", different.Errors[0].Exception.Message);
            Assert.Single(TestEngine.Docker("network", "ls", "-q", "--filter", "name=" + name).Split('\n'));
        }

        [Theory]
        [InlineData("-Subnet 10.213.300.0/24", "InvalidSubnet")]
        [InlineData("-Subnet 10.213.5.0", "InvalidSubnet")]
        [InlineData("-Subnet 10.213.5.0/24 -Gateway 10.213.6.1", "GatewayOutsideSubnet")]
        [InlineData("-Gateway 10.213.6.1", "NoSubnetForGateway")]
        [InlineData("-Subnet 10.213.5.0/24 -IPRange 10.213.5.0/16", "IPRangeOutsideSubnet")]
        public void Invalid_addresses_are_refused_before_the_engine_is_asked(string parameters, string errorId)
        {
            var name = NewNetworkName();
            var result = _ps.Invoke($"New-ContainerNetwork $name {parameters}", Vars("name", name));
            var error = Assert.Single(result.Errors);
            Assert.Equal(errorId + ",ContainerTools.Cmdlets.Network.NewContainerNetworkCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.NotEqual(0, TestEngine.DockerResult("network", "inspect", name).ExitCode);
        }

        [Fact]
        public void Connect_through_the_pipeline_with_aliases_and_a_static_address_then_disconnect()
        {
            var name = NewNetworkName();
            var prefix = NextSubnetPrefix();
            _ps.Invoke("New-ContainerNetwork $name -Subnet \"$prefix.0/24\"", Vars("name", name, "prefix", prefix)).AssertSuccess();
            var container = NewRunning();

            var passed = _ps.Invoke("Get-Container $c | Connect-ContainerNetwork -Network $name -Alias web, www -IPAddress \"$prefix.50\" -PassThru",
                Vars("name", name, "c", container, "prefix", prefix)).AssertSuccess().Objects<Container>().Single();
            Assert.Contains(name, passed.Networks);
            var format = "{{with index .NetworkSettings.Networks \"" + name + "\"}}{{.IPAddress}} {{.IPAMConfig.IPv4Address}} {{join .Aliases \",\"}}{{end}}";
            var seen = Inspect("container", format, container);
            Assert.StartsWith($"{prefix}.50 {prefix}.50 ", seen);
            Assert.Contains("web", seen.Split(' ')[2].Split(','));
            Assert.Contains("www", seen.Split(' ')[2].Split(','));
            var endpoint = _ps.Invoke("(Get-ContainerNetwork $name).Containers", Vars("name", name)).AssertSuccess().Objects<NetworkEndpoint>().Single();
            Assert.Equal(container, endpoint.ContainerName);
            Assert.Equal(prefix + ".50/24", endpoint.IPv4Address);

            // Connected as asked already: nothing to do. With another address: a clear error, nothing changed.
            _ps.Invoke("Connect-ContainerNetwork $name $c -Alias web", Vars("name", name, "c", container)).AssertSuccess();
            var other = _ps.Invoke("Connect-ContainerNetwork -Network $name -Container $c -IPAddress \"$prefix.51\"", Vars("name", name, "c", container, "prefix", prefix));
            Assert.Equal("NetworkAlreadyConnected,ContainerTools.Cmdlets.Network.ConnectContainerNetworkCommand", Assert.Single(other.Errors).FullyQualifiedErrorId);
            Assert.Contains("Disconnect-ContainerNetwork", other.Errors[0].Exception.Message);
            Assert.StartsWith(prefix + ".50 ", Inspect("container", format, container));

            // In use: removing the network names the container and the fix.
            var inUse = _ps.Invoke("Remove-ContainerNetwork $name", Vars("name", name));
            var error = Assert.Single(inUse.Errors);
            Assert.Equal("NetworkInUse,ContainerTools.Cmdlets.Network.RemoveContainerNetworkCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
            Assert.Contains(container, error.Exception.Message);

            _ps.Invoke("Get-Container $c | Disconnect-ContainerNetwork -Network $name", Vars("name", name, "c", container)).AssertSuccess();
            Assert.DoesNotContain(name, Inspect("container", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", container));
            _ps.Invoke("Disconnect-ContainerNetwork $name $c", Vars("name", name, "c", container)).AssertSuccess(); // not connected: no error

            // Removing, and removing what is gone, are no error.
            _ps.Invoke("Get-ContainerNetwork $name | Remove-ContainerNetwork; Remove-ContainerNetwork $name", Vars("name", name)).AssertSuccess();
            Assert.NotEqual(0, TestEngine.DockerResult("network", "inspect", name).ExitCode);
        }

        [Fact]
        public void Missing_network_or_container_and_predefined_networks_are_clear_errors()
        {
            var container = NewRunning();
            var noNetwork = _ps.Invoke("Connect-ContainerNetwork -Network ctnet-never-created -Container $c", Vars("c", container));
            Assert.Equal("NetworkNotFound,ContainerTools.Cmdlets.Network.ConnectContainerNetworkCommand", Assert.Single(noNetwork.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, noNetwork.Errors[0].CategoryInfo.Category);

            var noContainer = _ps.Invoke("Connect-ContainerNetwork -Network bridge -Container ctt-never-created");
            Assert.Equal("ContainerNotFound,ContainerTools.Cmdlets.Network.ConnectContainerNetworkCommand", Assert.Single(noContainer.Errors).FullyQualifiedErrorId);

            var predefined = _ps.Invoke("Remove-ContainerNetwork none");
            Assert.Equal("PredefinedNetwork,ContainerTools.Cmdlets.Network.RemoveContainerNetworkCommand", Assert.Single(predefined.Errors).FullyQualifiedErrorId);
            Assert.Equal(0, TestEngine.DockerResult("network", "inspect", "none").ExitCode);
        }

        [Fact]
        public void New_container_joins_a_network_made_by_new_container_network_with_its_alias()
        {
            var name = NewNetworkName();
            var prefix = NextSubnetPrefix();
            var container = _cleanup.NewName();
            _ps.Invoke("New-ContainerNetwork $name -Subnet \"$prefix.0/24\" | Out-Null; " +
                       "New-Container -Image $image -Name $c -Command sleep, 600 -Init -Network $name -NetworkAlias db -Start | Out-Null",
                Vars("name", name, "prefix", prefix, "c", container)).AssertSuccess();

            var seen = Inspect("container", "{{with index .NetworkSettings.Networks \"" + name + "\"}}{{.IPAddress}} {{join .Aliases \",\"}}{{end}}", container);
            Assert.StartsWith(prefix + ".", seen);
            Assert.Contains("db", seen.Split(' ')[1].Split(','));
        }

        [Fact]
        public void Network_prune_is_scoped_by_label_lists_with_whatif_and_keeps_networks_in_use()
        {
            var unused = NewNetworkName();
            var used = NewNetworkName();
            _ps.Invoke("New-ContainerNetwork $a -Label @{ $labelKey = $labelValue } | Out-Null; New-ContainerNetwork $b -Label @{ $labelKey = $labelValue } | Out-Null",
                Vars("a", unused, "b", used)).AssertSuccess();
            NewRunning(used);

            var whatIf = _ps.Invoke("Remove-ContainerNetwork -Unused -Label $label -WhatIf", Vars());
            whatIf.AssertSuccess();
            Assert.Empty(whatIf.Output);
            Assert.Equal(0, TestEngine.DockerResult("network", "inspect", unused).ExitCode);

            var pruned = _ps.Invoke("Remove-ContainerNetwork -Unused -Label $label -Confirm:$false", Vars()).AssertSuccess().Objects<PruneResult>().Single();
            Assert.Equal(new[] { unused }, pruned.Deleted);
            Assert.Equal("Network", pruned.ResourceType);
            Assert.NotEqual(0, TestEngine.DockerResult("network", "inspect", unused).ExitCode);
            Assert.Equal(0, TestEngine.DockerResult("network", "inspect", used).ExitCode);
        }

        [Fact]
        public void Volumes_are_created_idempotently_listed_and_removed_as_docker_sees_them()
        {
            var name = TestEngine.UniqueName("ctvol");
            var volume = _ps.Invoke("New-ContainerVolume $name -Label @{ $labelKey = $labelValue; role = 'cache' } -Option @{ type = 'tmpfs'; device = 'tmpfs'; o = 'size=1m' }",
                Vars("name", name)).AssertSuccess().Objects<ContainerVolume>().Single();
            Assert.Equal("local", volume.Driver);
            Assert.Equal("local cache tmpfs size=1m", Inspect("volume", "{{.Driver}} {{index .Labels \"role\"}} {{index .Options \"type\"}} {{index .Options \"o\"}}", name));

            // As docker: the same again returns the volume; other settings are a clear error.
            _ps.Invoke("New-ContainerVolume $name -Label @{ role = 'cache' }", Vars("name", name)).AssertSuccess();
            var different = _ps.Invoke("New-ContainerVolume $name -Option @{ o = 'size=2m' }", Vars("name", name));
            Assert.Equal("VolumeExistsWithDifferentSettings,ContainerTools.Cmdlets.Volume.NewContainerVolumeCommand", Assert.Single(different.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, different.Errors[0].CategoryInfo.Category);

            Assert.Equal(name, _ps.Invoke("Get-ContainerVolume ($name.Substring(0, 10) + '*') -Label role=cache", Vars("name", name)).AssertSuccess().Objects<ContainerVolume>().Single().Name);
            Assert.Contains(_ps.Invoke("Get-ContainerVolume -Dangling -Label $label", Vars()).AssertSuccess().Objects<ContainerVolume>(), v => v.Name == name);
            var missing = _ps.Invoke("Get-ContainerVolume ($name + 'x')", Vars("name", name));
            Assert.Equal("VolumeNotFound,ContainerTools.Cmdlets.Volume.GetContainerVolumeCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);

            // In use: the error names the container. Missing: VolumeNotFound, or nothing with -Force.
            var container = _cleanup.NewName();
            TestEngine.Docker("create", "--name", container, "-v", name + ":/data", TestEngine.Image, "true");
            var inUse = _ps.Invoke("Get-ContainerVolume $name | Remove-ContainerVolume", Vars("name", name));
            var error = Assert.Single(inUse.Errors);
            Assert.Equal("VolumeInUse,ContainerTools.Cmdlets.Volume.RemoveContainerVolumeCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
            Assert.Contains(container, error.Exception.Message);
            Assert.Empty(_ps.Invoke("Get-ContainerVolume -Dangling -Label $label", Vars()).AssertSuccess().Output);

            TestEngine.Docker("rm", container);
            _ps.Invoke("Remove-ContainerVolume $name", Vars("name", name)).AssertSuccess();
            Assert.NotEqual(0, TestEngine.DockerResult("volume", "inspect", name).ExitCode);
            var gone = _ps.Invoke("Remove-ContainerVolume $name", Vars("name", name));
            Assert.Equal("VolumeNotFound,ContainerTools.Cmdlets.Volume.RemoveContainerVolumeCommand", Assert.Single(gone.Errors).FullyQualifiedErrorId);
            _ps.Invoke("Remove-ContainerVolume $name -Force", Vars("name", name)).AssertSuccess();
        }

        [Fact]
        public void Volume_prune_takes_anonymous_volumes_and_named_ones_only_with_include_named()
        {
            var named = TestEngine.UniqueName("ctvol");
            var anonymous = _ps.Invoke("New-ContainerVolume $named -Label @{ $labelKey = $labelValue } | Out-Null; New-ContainerVolume -Label @{ $labelKey = $labelValue }",
                Vars("named", named)).AssertSuccess().Objects<ContainerVolume>().Single();
            Assert.True(anonymous.Anonymous);

            _ps.Invoke("Remove-ContainerVolume -Unused -IncludeNamed -Label $label -WhatIf", Vars()).AssertSuccess();
            Assert.Equal(2, TestEngine.Docker("volume", "ls", "-q", "--filter", "label=" + _label).Split('\n').Length);

            var first = _ps.Invoke("Remove-ContainerVolume -Unused -Label $label", Vars()).AssertSuccess().Objects<PruneResult>().Single();
            Assert.Equal(new[] { anonymous.Name }, first.Deleted);
            Assert.Equal(named, TestEngine.Docker("volume", "ls", "-q", "--filter", "label=" + _label));

            var second = _ps.Invoke("Remove-ContainerVolume -Unused -All -Label $label", Vars()).AssertSuccess().Objects<PruneResult>().Single();
            Assert.Equal(new[] { named }, second.Deleted);
            Assert.Equal(string.Empty, TestEngine.Docker("volume", "ls", "-q", "--filter", "label=" + _label));
        }

        [Fact]
        public void Remove_container_stopped_prunes_only_stopped_labelled_containers_and_whatif_lists_them()
        {
            var stopped = _cleanup.NewName();
            var running = _cleanup.NewName();
            var stoppedId = TestEngine.Docker("create", "--name", stopped, "--label", _label, TestEngine.Image, "true");
            TestEngine.Docker("run", "-d", "--init", "--name", running, "--label", _label, TestEngine.Image, "sleep", "600");

            var whatIf = _ps.Invoke("Remove-Container -Stopped -Label $label -WhatIf", Vars());
            whatIf.AssertSuccess();
            Assert.Empty(whatIf.Output);
            Assert.True(TestEngine.ContainerExists(stopped));

            // -WhatIf's message (on the host, as PowerShell writes it) names what would go: the stopped one, not the running one.
            var (exitCode, text) = Ctpwsh.Run("-Command", $"Remove-Container -Stopped -Label '{_label}' -WhatIf");
            Assert.True(exitCode == 0, text);
            Assert.Contains("What if: Performing the operation \"Remove stopped containers\"", text);
            Assert.Contains(stopped, text);
            Assert.DoesNotContain(running, text);
            Assert.True(TestEngine.ContainerExists(stopped));

            // -Until: only containers created before then; ours are newer, so nothing goes.
            var older = _ps.Invoke("Remove-Container -Stopped -Label $label -Until ([DateTime]::Now.AddHours(-1))", Vars()).AssertSuccess().Objects<PruneResult>().Single();
            Assert.Empty(older.Deleted);
            Assert.True(TestEngine.ContainerExists(stopped));

            var pruned = _ps.Invoke("Remove-Container -Stopped -Label $label -Confirm:$false", Vars()).AssertSuccess().Objects<PruneResult>().Single();
            Assert.Equal("Container", pruned.ResourceType);
            Assert.Equal(new[] { stoppedId }, pruned.Deleted);
            Assert.False(TestEngine.ContainerExists(stopped));
            Assert.True(TestEngine.ContainerExists(running));
        }

        [Fact]
        public void Disk_usage_sums_like_docker_system_df_and_details_count_our_volume()
        {
            var name = TestEngine.UniqueName("ctvol");
            var container = _cleanup.NewName();
            TestEngine.Docker("volume", "create", "--label", _label, name);
            TestEngine.Docker("run", "--name", container, "-v", name + ":/data", TestEngine.Image, "dd", "if=/dev/zero", "of=/data/blob", "bs=1024", "count=200");

            var summary = _ps.Invoke("Get-ContainerDiskUsage").AssertSuccess().Objects<ContainerDiskUsage>().ToList();
            Assert.Equal(new[] { "Images", "Containers", "Local Volumes", "Build Cache" }, summary.Select(s => s.Type));
            Assert.All(summary, s => Assert.InRange(s.Reclaimable, 0, Math.Max(0, s.Size)));
            Assert.All(summary, s => Assert.InRange(s.Active, 0, s.Total));

            var item = _ps.Invoke("Get-ContainerDiskUsage -Detail | Where-Object { $_.Type -eq 'Local Volumes' -and $_.Name -eq $name }", Vars("name", name))
                .AssertSuccess().Objects<ContainerDiskUsageItem>().Single();
            Assert.Equal(1, item.Links);
            Assert.True(item.Active);
            Assert.InRange(item.Size, 200 * 1024, 400 * 1024);

            var table = _ps.Render("Get-ContainerDiskUsage");
            Assert.Matches(@"Type\s+Total\s+Active\s+Size\s+Reclaimable", table);
            Assert.Matches(@"Local Volumes\s+\d+\s+\d+\s+\S+\s+\S+ \(\d+%\)", table);
        }

        [Fact]
        public void Views_read_like_docker_and_names_complete_from_the_engine()
        {
            var network = NewNetworkName();
            var volume = TestEngine.UniqueName("ctvol");
            _ps.Invoke("New-ContainerNetwork $n | Out-Null; New-ContainerVolume $v -Label @{ $labelKey = $labelValue } | Out-Null", Vars("n", network, "v", volume)).AssertSuccess();

            Assert.Matches(@"NetworkId\s+Name\s+Driver\s+Scope", _ps.Render($"Get-ContainerNetwork {network}"));
            Assert.Matches(@"[0-9a-f]{12}\s+" + network + @"\s+bridge\s+local", _ps.Render($"Get-ContainerNetwork {network}"));
            Assert.Matches(@"Driver\s+VolumeName[\s\S]*local\s+" + volume, _ps.Render($"Get-ContainerVolume {volume}"));

            string[] Complete(string input) => _ps.Invoke("[System.Management.Automation.CommandCompletion]::CompleteInput($in, $in.Length, $null).CompletionMatches.CompletionText",
                new Hashtable { ["in"] = input }).AssertSuccess().Output.Select(o => (string)o.BaseObject).ToArray();
            Assert.Equal(new[] { network }, Complete("Remove-ContainerNetwork " + network.Substring(0, 12)));
            Assert.Equal(new[] { network }, Complete("New-Container -Image busybox -Network " + network.Substring(0, 12)));
            Assert.Equal(new[] { volume }, Complete("Remove-ContainerVolume " + volume.Substring(0, 12)));
            Assert.Equal(new[] { volume }, Complete("New-Container -Image busybox -Volume " + volume.Substring(0, 12)));
        }
    }
}
