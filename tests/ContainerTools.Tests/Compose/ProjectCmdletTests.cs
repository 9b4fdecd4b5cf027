using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine.Compose;
using ContainerTools.Tests.Infrastructure;
using Xunit;

namespace ContainerTools.Tests.Compose
{
    /// <summary>Get-ContainerProject through real pipelines: compose files resolved (-Path), and projects on the engine by label.</summary>
    public sealed class ProjectCmdletTests : IClassFixture<ProjectCmdletTests.Session>, IDisposable
    {
        public sealed class Session : IDisposable
        {
            public PowerShellSession Shell { get; } = new PowerShellSession();

            public void Dispose() => Shell.Dispose();
        }

        private readonly PowerShellSession _ps;
        private readonly ComposeFolder _folder = new ComposeFolder("Cmdlet Project");
        private readonly ContainerCleanup _cleanup = new ContainerCleanup();

        public ProjectCmdletTests(Session session)
        {
            _ps = session.Shell;
        }

        public void Dispose()
        {
            _cleanup.Dispose();
            _folder.Dispose();
        }

        private string Render(string script, Hashtable variables) =>
            string.Concat(_ps.Invoke(script + " | Out-String -Width 200", variables).AssertSuccess().Output.Select(o => o.BaseObject as string));

        [Fact]
        public void Path_resolves_the_model_relative_to_the_current_location()
        {
            _folder.Write(".env", "WEB_PORT=8081\n");
            _folder.Write("compose.yaml", "services:\n  web:\n    image: web:${TAG:-1}\n    ports: ['${WEB_PORT}:80']\n    depends_on: [db]\n    deploy: {replicas: 3}\n  db:\n    build: ./db\n  debug:\n    image: busybox\n    profiles: [debug]\n");
            _folder.Write("override.yaml", "services:\n  web:\n    environment: [MODE=prod]\n");
            var result = _ps.Invoke("Set-Location -LiteralPath $dir; try { Get-ContainerProject -Path compose.yaml, override.yaml -Profile debug -Verbose } finally { Set-Location / }",
                new Hashtable { ["dir"] = _folder.Directory }).AssertSuccess();
            var project = Assert.IsType<ComposeProject>(Assert.Single(result.Output).BaseObject);
            Assert.Equal("cmdletproject", project.Name);
            Assert.Equal(new[] { Path.Combine(_folder.Directory, "compose.yaml"), Path.Combine(_folder.Directory, "override.yaml") }, project.ConfigFiles);
            Assert.Equal(new[] { "db", "debug", "web" }, project.Services.Select(s => s.Name));
            Assert.Equal("prod", project.GetService("web")!.Environment["MODE"]);
            Assert.Contains(result.Verbose, v => v.Contains("compose.yaml"));

            var table = Render("$project.Services", new Hashtable { ["project"] = project });
            var lines = table.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
            Assert.Matches(@"^Name\s+Image\s+Ports\s+DependsOn\s+Replicas$", lines[0]);
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^web\s+web:1\s+8081->80/tcp\s+db\s+3$"));
            Assert.Contains(lines, l => l.StartsWith("db ", StringComparison.Ordinal) && l.Contains("(build " + Path.Combine(_folder.Directory, "db") + ")"));

            var list = Render("$project", new Hashtable { ["project"] = project });
            Assert.Matches(@"Services\s+: db, debug, web", list);
        }

        [Fact]
        public void Options_reach_the_loader_and_unset_variables_warn()
        {
            _folder.Write("alt.env", "TAG=alt\n");
            _folder.Write("compose.yaml", "services:\n  web:\n    image: web:${TAG}\n    labels: {x: '${NOT_SET_ANYWHERE_42}'}\n");
            var result = _ps.Invoke("Get-ContainerProject -Path $file -ProjectName Custom -EnvironmentFile $env",
                new Hashtable { ["file"] = Path.Combine(_folder.Directory, "compose.yaml"), ["env"] = Path.Combine(_folder.Directory, "alt.env") });
            var project = Assert.IsType<ComposeProject>(Assert.Single(result.Output).BaseObject);
            Assert.Equal(("custom", "web:alt"), (project.Name, project.Services[0].Image));
            Assert.Equal(new[] { "The \"NOT_SET_ANYWHERE_42\" variable is not set. Defaulting to a blank string." }, result.Warnings);
        }

        [Fact]
        public void An_invalid_file_is_a_ComposeFileInvalid_parser_error_with_its_position()
        {
            var file = _folder.Write("compose.yaml", "services:\n  web:\n    image: i\n    portz: ['80']\n");
            var result = _ps.Invoke("Get-ContainerProject -Path $file", new Hashtable { ["file"] = file });
            Assert.Empty(result.Output);
            var error = Assert.Single(result.Errors);
            Assert.Equal("ComposeFileInvalid", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ParserError, error.CategoryInfo.Category);
            Assert.Equal(file, error.TargetObject);
            Assert.Equal(file + ":4:5: service 'web' has an unknown key 'portz'. Check its spelling against the compose specification (extension keys start with 'x-').", error.Exception.Message);
            var exception = Assert.IsType<ComposeFileException>(error.Exception);
            Assert.Equal((4, 5), (exception.Line, exception.Column));

            var missing = _ps.Invoke("Get-ContainerProject -Path ./no-such-compose.yaml");
            Assert.Equal("ComposeFileInvalid", Assert.Single(missing.Errors).FullyQualifiedErrorId.Split(',')[0]);
        }

        [Fact]
        public void Without_path_lists_projects_on_the_engine_by_label()
        {
            var project = "ctproj" + Guid.NewGuid().ToString("N").Substring(0, 10);
            var running = _cleanup.NewName();
            var exited = _cleanup.NewName();
            var vars = new Hashtable
            {
                ["image"] = TestEngine.Image, ["running"] = running, ["exited"] = exited,
                ["labels"] = new Hashtable
                {
                    ["com.docker.compose.project"] = project,
                    ["com.docker.compose.project.config_files"] = "/srv/app/compose.yaml,/srv/app/override.yaml",
                    ["com.docker.compose.project.working_dir"] = "/srv/app",
                    [TestEngine.TestLabel] = "1",
                },
            };
            _ps.Invoke("$null = New-Container -Image $image -Name $running -Label $labels -Command sleep, 600 -Init -Start; " +
                       "$null = New-Container -Image $image -Name $exited -Label $labels -Command true -Start; $null = Wait-Container -Name $exited", vars).AssertSuccess();

            var result = _ps.Invoke("Get-ContainerProject -Name $project", new Hashtable { ["project"] = project }).AssertSuccess();
            var summary = Assert.IsType<ComposeProjectSummary>(Assert.Single(result.Output).BaseObject);
            Assert.Equal(project, summary.Name);
            Assert.Equal("exited(1), running(1)", summary.Status);
            Assert.Equal(new[] { "/srv/app/compose.yaml", "/srv/app/override.yaml" }, summary.ConfigFiles);
            Assert.Equal("/srv/app", summary.WorkingDirectory);
            Assert.Equal(new[] { exited, running }.OrderBy(n => n, StringComparer.Ordinal), summary.Containers.Select(c => c.Name));

            var all = _ps.Invoke("Get-ContainerProject").AssertSuccess();
            Assert.Contains(all.Objects<ComposeProjectSummary>(), p => p.Name == project);
            var wildcard = _ps.Invoke("Get-ContainerProject -Name ($project.Substring(0, 9) + '*')", new Hashtable { ["project"] = project }).AssertSuccess();
            Assert.Contains(wildcard.Objects<ComposeProjectSummary>(), p => p.Name == project);

            var text = Render("Get-ContainerProject -Name $project", new Hashtable { ["project"] = project });
            Assert.Matches(@"Name\s+Status\s+ConfigFiles", text);
            Assert.Matches(project + @"\s+exited\(1\), running\(1\)\s+/srv/app/compose.yaml,/srv/app/override.yaml", text);

            var missing = _ps.Invoke("Get-ContainerProject -Name $name", new Hashtable { ["name"] = project + "-none" });
            var error = Assert.Single(missing.Errors);
            Assert.Equal("ProjectNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        }
    }
}
