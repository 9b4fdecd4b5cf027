using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Model;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.PowerShell
{
    /// <summary>docker login / push / pull as cmdlets against the real registry, with a docker config folder of the test's own.</summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class RegistryCmdletTests : IDisposable
    {
        private readonly string _config = Directory.CreateTempSubdirectory("ct-pscfg-").FullName;
        private readonly string? _previousConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        private readonly string _repo = TestEngine.Registry + "/ct-test/" + TestEngine.UniqueName("psreg");
        private readonly PowerShellSession _ps;

        public RegistryCmdletTests()
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _config);
            _ps = new PowerShellSession();
        }

        public void Dispose()
        {
            _ps.Dispose();
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _previousConfig);
            var tags = TestEngine.Docker("images", _repo, "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (tags.Length > 0)
            {
                TestEngine.DockerResult(new[] { "rmi" }.Concat(tags).ToArray());
            }

            Directory.Delete(_config, true);
        }

        private Hashtable Vars => new Hashtable
        {
            ["registry"] = TestEngine.Registry,
            ["repo"] = _repo,
            ["image"] = TestEngine.Image,
            ["user"] = TestEngine.RegistryUser,
            ["password"] = TestEngine.RegistryPassword,
        };

        private const string Credential = "$cred = [pscredential]::new($user, (ConvertTo-SecureString $password -AsPlainText -Force));";

        [Fact]
        public void Login_push_remove_pull_and_run_with_progress_and_no_secret_shown()
        {
            var login = _ps.Invoke(Credential + " Connect-ContainerRegistry -Registry $registry -Credential $cred -Verbose", Vars).AssertSuccess();
            var result = Assert.Single(login.Objects<RegistryLogin>());
            Assert.Equal(TestEngine.RegistryUser, result.Username);
            Assert.True(File.Exists(Path.Combine(_config, "config.json")));

            var push = _ps.Invoke("Add-ContainerImageTag $image \"$($repo):v1\"; Publish-ContainerImage \"$($repo):v1\" -Verbose", Vars).AssertSuccess();
            var pushed = Assert.Single(push.Objects<ImagePushResult>());
            Assert.StartsWith("sha256:", pushed.Digest);
            AssertProgressCompleted(push);

            _ps.Invoke("Remove-ContainerImage \"$($repo):v1\"", Vars).AssertSuccess();
            var pull = _ps.Invoke("Install-ContainerImage \"$($repo):v1\"", Vars).AssertSuccess();
            Assert.Equal(pushed.Digest, Assert.Single(pull.Objects<ContainerImage>()).Digest);
            AssertProgressCompleted(pull);

            var run = _ps.Invoke("(Invoke-ContainerImage \"$($repo):v1\" -Command echo,ran).Output", Vars).AssertSuccess();
            Assert.Equal("ran", run.Output.Single().BaseObject);

            foreach (var text in login.Verbose.Concat(push.Verbose).Concat(pull.Verbose).Concat(login.Output.Select(o => o.ToString())))
            {
                Assert.DoesNotContain(TestEngine.RegistryPassword, text);
            }

            _ps.Invoke("Disconnect-ContainerRegistry $registry; Disconnect-ContainerRegistry $registry", Vars).AssertSuccess();
            Assert.DoesNotContain(TestEngine.Registry, File.ReadAllText(Path.Combine(_config, "config.json")));
        }

        [Fact]
        public void A_wrong_password_is_an_authentication_error_that_hides_the_password()
        {
            var result = _ps.Invoke("$cred = [pscredential]::new($user, (ConvertTo-SecureString 'wrong-pw-987' -AsPlainText -Force)); Connect-ContainerRegistry $registry -Credential $cred", Vars);
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.StartsWith("RegistryLoginFailed,", error.FullyQualifiedErrorId);
            Assert.DoesNotContain("wrong-pw-987", error.ToString());
            Assert.False(File.Exists(Path.Combine(_config, "config.json")) && File.ReadAllText(Path.Combine(_config, "config.json")).Contains(TestEngine.Registry));
        }

        [Fact]
        public void An_explicit_credential_works_without_a_login_and_is_not_stored()
        {
            var result = _ps.Invoke(Credential + " Add-ContainerImageTag $image \"$($repo):explicit\"; Publish-ContainerImage \"$($repo):explicit\" -Credential $cred", Vars).AssertSuccess();
            Assert.StartsWith("sha256:", Assert.Single(result.Objects<ImagePushResult>()).Digest);
            Assert.False(File.Exists(Path.Combine(_config, "config.json")));
            var denied = _ps.Invoke("Install-ContainerImage \"$($repo):explicit\"", Vars);
            Assert.Equal(ErrorCategory.AuthenticationError, Assert.Single(denied.Errors).CategoryInfo.Category);
        }

        private static void AssertProgressCompleted(PowerShellResult result)
        {
            Assert.NotEmpty(result.Progress);
            Assert.Contains(result.Progress, p => p.ParentActivityId > 0);
            foreach (var activity in result.Progress.Select(p => p.ActivityId).Distinct())
            {
                Assert.Equal(ProgressRecordType.Completed, result.Progress.Last(p => p.ActivityId == activity).RecordType);
            }
        }
    }
}
