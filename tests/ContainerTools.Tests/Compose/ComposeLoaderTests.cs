using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ContainerTools.Engine;
using ContainerTools.Engine.Compose;
using Xunit;

namespace ContainerTools.Tests.Compose
{
    /// <summary>A temporary project folder with compose files in it; removed afterwards.</summary>
    internal sealed class ComposeFolder : IDisposable
    {
        public ComposeFolder(string name = "proj")
        {
            Root = Path.Combine(Path.GetTempPath(), "ct-compose-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory = Path.Combine(Root, name);
            System.IO.Directory.CreateDirectory(Directory);
        }

        public string Root { get; }

        public string Directory { get; }

        public string Write(string relative, string content)
        {
            var path = Path.Combine(Directory, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content.Replace("\r\n", "\n"));
            return path;
        }

        public ComposeProject Load(string[]? files = null, Dictionary<string, string>? environment = null, Action<ComposeLoadOptions>? configure = null)
        {
            var options = new ComposeLoadOptions { Environment = environment ?? new Dictionary<string, string>(), CurrentDirectory = Directory };
            foreach (var f in files ?? new[] { "compose.yaml" })
            {
                options.Paths.Add(f);
            }

            configure?.Invoke(options);
            return ComposeLoader.Load(options);
        }

        public ComposeFileException Fails(string yaml, Dictionary<string, string>? environment = null)
        {
            Write("compose.yaml", yaml);
            return Assert.Throws<ComposeFileException>(() => Load(environment: environment));
        }

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public class ComposeLoaderTests
    {
        [Fact]
        public void A_full_fixture_resolves_to_the_expected_model()
        {
            using var folder = new ComposeFolder("My Shop!");
            folder.Write(".env", "TAG=2.1\nDB_PASSWORD='s3cr$t'\nexport PUBLIC_PORT=8080 # the web port\n");
            folder.Write("web.env", "FROM_FILE=1\nLEVEL=file\n");
            folder.Write("compose.yaml", @"
services:
  web:
    build:
      context: ./web
      dockerfile: Dockerfile.prod
      args:
        VERSION: ${VERSION:-1.0}
      target: runtime
    image: shop/web:${TAG}
    command: [""httpd"", ""-f"", ""-p"", ""80""]
    entrypoint: /bin/sh -c 'exec ""$$@""' --
    env_file: web.env
    environment:
      LEVEL: compose
      DB_PASSWORD: ${DB_PASSWORD}
      PASSED_THROUGH:
    ports:
      - ""${PUBLIC_PORT}:80""
      - target: 443
        published: ""8443""
        host_ip: 127.0.0.1
        protocol: tcp
        mode: host
    expose: [""9000""]
    volumes:
      - static:/srv/static:ro
      - ./site:/usr/share/site
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 1048576
    networks:
      front:
        aliases: [shop]
      back:
        ipv4_address: 172.30.9.10
    depends_on:
      db:
        condition: service_healthy
    restart: unless-stopped
    labels:
      - com.example.tier=web
    user: ""1000:1000""
    working_dir: /srv
    hostname: web1
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    init: true
    read_only: true
    deploy:
      replicas: 2
      resources:
        limits: {cpus: '0.5', memory: 512m}
        reservations: {memory: 128M}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3}
      placement: {constraints: [node.role == manager]}
      update_config: {parallelism: 1, delay: 10s, order: start-first}
  db:
    image: postgres:16
    healthcheck:
      test: pg_isready -U postgres
      interval: 1m30s
      timeout: 10s
      start_period: 500ms
      retries: 5
    volumes:
      - dbdata:/var/lib/postgresql/data
    networks: [back]
networks:
  front: {}
  back:
    driver: bridge
    internal: true
    ipam:
      config:
        - subnet: 172.30.9.0/24
    labels: {team: shop}
volumes:
  static:
  dbdata:
    name: shop-db-data
    driver: local
    driver_opts: {type: none}
x-notes: ignored
");
            var project = folder.Load(environment: new Dictionary<string, string> { ["PASSED_THROUGH"] = "from-process" });

            Assert.Equal("myshop", project.Name);
            Assert.Equal(folder.Directory, project.WorkingDirectory);
            Assert.Equal(new[] { Path.Combine(folder.Directory, "compose.yaml") }, project.ConfigFiles);
            Assert.Equal(new[] { "db", "web" }, project.Services.Select(s => s.Name));
            Assert.Empty(project.Warnings);

            var web = project.GetService("web")!;
            Assert.Equal("shop/web:2.1", web.Image);
            Assert.Equal(Path.Combine(folder.Directory, "web"), web.Build!.Context);
            Assert.Equal("Dockerfile.prod", web.Build.Dockerfile);
            Assert.Equal("1.0", web.Build.Arguments["VERSION"]);
            Assert.Equal("runtime", web.Build.Target);
            Assert.Equal(new[] { "httpd", "-f", "-p", "80" }, web.Command);
            Assert.Equal(new[] { "/bin/sh", "-c", "exec \"$@\"", "--" }, web.Entrypoint);
            Assert.Equal("1", web.Environment["FROM_FILE"]);
            Assert.Equal("compose", web.Environment["LEVEL"]);
            Assert.Equal("s3cr$t", web.Environment["DB_PASSWORD"]);
            Assert.Equal("from-process", web.Environment["PASSED_THROUGH"]);
            Assert.Equal(new[] { Path.Combine(folder.Directory, "web.env") }, web.EnvironmentFiles);
            Assert.Equal(new[] { "8080->80/tcp", "127.0.0.1:8443->443/tcp" }, web.Ports.Select(p => p.ToString()));
            Assert.Equal("host", web.Ports[1].Mode);
            Assert.Equal(new[] { "9000" }, web.Expose);

            Assert.Equal(3, web.Volumes.Count);
            Assert.Equal((ComposeMountType.Volume, "static", "/srv/static", true), (web.Volumes[0].Type, web.Volumes[0].Source, web.Volumes[0].Target, web.Volumes[0].ReadOnly));
            Assert.Equal((ComposeMountType.Bind, Path.Combine(folder.Directory, "site"), "/usr/share/site", false), (web.Volumes[1].Type, web.Volumes[1].Source, web.Volumes[1].Target, web.Volumes[1].ReadOnly));
            Assert.Equal((ComposeMountType.Tmpfs, (string?)null, "/tmp"), (web.Volumes[2].Type, web.Volumes[2].Source, web.Volumes[2].Target));
            Assert.Equal("1048576", web.Volumes[2].Options["tmpfs.size"]);

            Assert.Equal(new[] { "front", "back" }, web.Networks.Select(n => n.Name));
            Assert.Equal(new[] { "shop" }, web.Networks[0].Aliases);
            Assert.Equal("172.30.9.10", web.Networks[1].IPv4Address);
            var dependency = Assert.Single(web.DependsOn);
            Assert.Equal(("db", ComposeDependencyCondition.ServiceHealthy), (dependency.Service, dependency.Condition));
            Assert.Equal("unless-stopped", web.Restart);
            Assert.Equal("web", web.Labels["com.example.tier"]);
            Assert.Equal(("1000:1000", "/srv", "web1"), (web.User, web.WorkingDirectory, web.Hostname));
            Assert.Equal(new[] { "NET_ADMIN" }, web.CapAdd);
            Assert.Equal(new[] { "ALL" }, web.CapDrop);
            Assert.True(web.Init);
            Assert.True(web.ReadOnly);
            Assert.Equal(2, web.Replicas);
            Assert.Equal(0.5, web.Deploy!.Limits!.Cpus);
            Assert.Equal(512L * 1024 * 1024, web.Deploy.Limits.Memory);
            Assert.Equal(128L * 1024 * 1024, web.Deploy.Reservations!.Memory);
            Assert.Equal(("on-failure", TimeSpan.FromSeconds(5), 3), (web.Deploy.RestartPolicy!.Condition, web.Deploy.RestartPolicy.Delay, web.Deploy.RestartPolicy.MaxAttempts));
            Assert.Equal(new[] { "node.role == manager" }, web.Deploy.PlacementConstraints);
            Assert.Equal(("start-first", TimeSpan.FromSeconds(10)), (web.Deploy.UpdateConfig!.Order, web.Deploy.UpdateConfig.Delay));

            var db = project.GetService("db")!;
            Assert.Equal(new[] { "CMD-SHELL", "pg_isready -U postgres" }, db.Healthcheck!.Test);
            Assert.Equal(TimeSpan.FromSeconds(90), db.Healthcheck.Interval);
            Assert.Equal(TimeSpan.FromSeconds(10), db.Healthcheck.Timeout);
            Assert.Equal(TimeSpan.FromMilliseconds(500), db.Healthcheck.StartPeriod);
            Assert.Equal(5, db.Healthcheck.Retries);
            Assert.Equal(1, db.Replicas);

            Assert.Equal(new[] { "back", "front" }, project.Networks.Select(n => n.Key));
            var back = project.Networks[0];
            Assert.Equal(("myshop_back", "bridge", true), (back.Name, back.Driver, back.Internal));
            Assert.Equal("172.30.9.0/24", Assert.Single(back.Subnets).Subnet);
            Assert.Equal("shop", back.Labels["team"]);
            Assert.Equal("myshop_front", project.Networks[1].Name);

            Assert.Equal(new[] { "dbdata", "static" }, project.Volumes.Select(v => v.Key));
            Assert.Equal(("shop-db-data", "local", "none"), (project.Volumes[0].Name, project.Volumes[0].Driver, project.Volumes[0].DriverOptions["type"]));
            Assert.Equal("myshop_static", project.Volumes[1].Name);
        }

        [Fact]
        public void Two_files_merge_with_compose_rules()
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", @"
services:
  web:
    image: web:1
    command: [a, b]
    environment: {A: '1', B: '2'}
    labels: [x=1]
    ports: ['80', '8080:80']
    expose: ['90']
    volumes: ['data:/data', './a:/a']
    depends_on: [db]
    healthcheck: {test: [CMD, one], retries: 3}
  db:
    image: db:1
volumes:
  data:
");
            folder.Write("override.yaml", @"
services:
  web:
    image: web:2
    command: c
    environment: [B=20, C=3]
    labels: {y: '2'}
    ports: ['8080:80', '9090:90']
    expose: ['91']
    volumes: ['./b:/a']
    depends_on:
      cache: {condition: service_started}
    healthcheck: {test: [CMD, two]}
  cache:
    image: cache:1
");
            var project = folder.Load(new[] { "compose.yaml", "override.yaml" });
            var web = project.GetService("web")!;
            Assert.Equal("web:2", web.Image);
            Assert.Equal(new[] { "c" }, web.Command);
            Assert.Equal(new Dictionary<string, string?> { ["A"] = "1", ["B"] = "20", ["C"] = "3" }, web.Environment);
            Assert.Equal(new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" }, web.Labels);
            Assert.Equal(new[] { "80/tcp", "8080->80/tcp", "9090->90/tcp" }, web.Ports.Select(p => p.ToString()));
            Assert.Equal(new[] { "90", "91" }, web.Expose);
            Assert.Equal(new[] { "data:/data", Path.Combine(folder.Directory, "b") + ":/a" }, web.Volumes.Select(v => v.ToString()));
            Assert.Equal(new[] { "db", "cache" }, web.DependsOn.Select(d => d.Service));
            Assert.Equal(new[] { "CMD", "two" }, web.Healthcheck!.Test);
            Assert.Equal(3, web.Healthcheck.Retries);
            Assert.Equal(2, project.ConfigFiles.Count);
        }

        [Theory]
        [InlineData("80", "80/tcp")]
        [InlineData("8080:80", "8080->80/tcp")]
        [InlineData("127.0.0.1:8080:80/udp", "127.0.0.1:8080->80/udp")]
        [InlineData("127.0.0.1::80", "80/tcp")]
        [InlineData("[::1]:8080:80", "[::1]:8080->80/tcp")]
        [InlineData("8000-8002:80-82", "8000->80/tcp,8001->81/tcp,8002->82/tcp")]
        [InlineData("8000-8010:80", "8000-8010->80/tcp")]
        [InlineData("53/sctp", "53/sctp")]
        public void Port_short_syntax(string text, string expected)
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", $"services:\n  s:\n    image: i\n    ports: ['{text}']\n");
            var ports = folder.Load().Services[0].Ports;
            Assert.Equal(expected, string.Join(",", ports.Select(p => p.ToString())));
            if (text == "127.0.0.1::80")
            {
                Assert.Equal(("127.0.0.1", (string?)null), (ports[0].HostIP, ports[0].Published));
            }
        }

        [Theory]
        [InlineData("data:/data", ComposeMountType.Volume, "data", "/data", false)]
        [InlineData("data:/data:ro", ComposeMountType.Volume, "data", "/data", true)]
        [InlineData("/cache", ComposeMountType.Volume, null, "/cache", false)]
        [InlineData("./site:/site:rw", ComposeMountType.Bind, "<dir>/site", "/site", false)]
        [InlineData("../up:/up:ro,z", ComposeMountType.Bind, "<root>/up", "/up", true)]
        [InlineData("/etc/hosts:/h:ro", ComposeMountType.Bind, "/etc/hosts", "/h", true)]
        public void Volume_short_syntax(string text, ComposeMountType type, string? source, string target, bool readOnly)
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", $"services:\n  s:\n    image: i\n    volumes: ['{text}']\nvolumes:\n  data:\n");
            var volume = folder.Load().Services[0].Volumes.Single();
            var expectedSource = source?.Replace("<dir>", folder.Directory).Replace("<root>", folder.Root);
            Assert.Equal((type, expectedSource, target, readOnly), (volume.Type, volume.Source, volume.Target, volume.ReadOnly));
        }

        [Theory]
        [InlineData("My_Project-1", "my_project-1")]
        [InlineData("Web App (v2)", "webappv2")]
        [InlineData("__x.y", "xy")]
        public void Project_names_are_normalised(string name, string expected) => Assert.Equal(expected, ComposeLoader.NormalizeProjectName(name));

        [Fact]
        public void Project_name_precedence_option_then_environment_then_file_then_folder()
        {
            using var folder = new ComposeFolder("Folder.Name");
            folder.Write("compose.yaml", "services:\n  s: {image: i}\n");
            Assert.Equal("foldername", folder.Load().Name);
            folder.Write("compose.yaml", "name: FromFile\nservices:\n  s: {image: i}\n");
            Assert.Equal("fromfile", folder.Load().Name);
            folder.Write(".env", "COMPOSE_PROJECT_NAME=from-dotenv\n");
            Assert.Equal("from-dotenv", folder.Load().Name);
            Assert.Equal("from-env", folder.Load(environment: new Dictionary<string, string> { ["COMPOSE_PROJECT_NAME"] = "from-env" }).Name);
            Assert.Equal("option", folder.Load(environment: new Dictionary<string, string> { ["COMPOSE_PROJECT_NAME"] = "from-env" }, configure: o => o.ProjectName = "Option").Name);
            var error = Assert.Throws<InvalidSpecException>(() => folder.Load(configure: o => o.ProjectName = "--"));
            Assert.Equal("InvalidProjectName", error.ErrorId);
        }

        [Fact]
        public void Process_environment_wins_over_dotenv_and_an_environment_file_replaces_dotenv()
        {
            using var folder = new ComposeFolder();
            folder.Write(".env", "TAG=dotenv\nOTHER=dotenv\n");
            folder.Write("alt.env", "TAG=alt\n");
            folder.Write("compose.yaml", "services:\n  s:\n    image: i:${TAG}\n    labels: {other: '${OTHER:-none}'}\n");
            Assert.Equal("i:dotenv", folder.Load().Services[0].Image);
            Assert.Equal("i:process", folder.Load(environment: new Dictionary<string, string> { ["TAG"] = "process" }).Services[0].Image);
            var alt = folder.Load(configure: o => o.EnvironmentFiles.Add("alt.env")).Services[0];
            Assert.Equal("i:alt", alt.Image);
            Assert.Equal("none", alt.Labels["other"]);
        }

        [Fact]
        public void Profiles_switch_services_on()
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", @"
services:
  web: {image: i}
  debug: {image: i, profiles: [debug]}
  tools: {image: i, profiles: [tools, ops]}
");
            var plain = folder.Load();
            Assert.Equal(new[] { "web" }, plain.Services.Select(s => s.Name));
            Assert.Equal(new[] { "debug", "tools" }, plain.DisabledServices);
            Assert.Equal(new[] { "debug", "web" }, folder.Load(configure: o => o.Profiles.Add("debug")).Services.Select(s => s.Name));
            Assert.Equal(new[] { "tools", "web" }, folder.Load(environment: new Dictionary<string, string> { ["COMPOSE_PROFILES"] = "ops" }).Services.Select(s => s.Name));
            Assert.Equal(3, folder.Load(configure: o => o.Profiles.Add("*")).Services.Count);
        }

        [Fact]
        public void Config_hash_is_deterministic_and_follows_the_configuration()
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", "services:\n  s:\n    image: i\n    environment: {B: '2', A: '1'}\n    deploy: {replicas: 2}\n");
            var first = folder.Load().Services[0].ComputeConfigHash();
            Assert.Matches("^[0-9a-f]{64}$", first);
            folder.Write("compose.yaml", "services:\n  s:\n    environment: {A: '1', B: '2'}\n    image: i\n    deploy: {replicas: 5}\n");
            Assert.Equal(first, folder.Load().Services[0].ComputeConfigHash());
            folder.Write("compose.yaml", "services:\n  s:\n    image: i\n    environment: {A: '1', B: '3'}\n");
            Assert.NotEqual(first, folder.Load().Services[0].ComputeConfigHash());
            folder.Write("compose.yaml", "services:\n  s:\n    image: i\n    environment: {A: '1', B: '2'}\n    ports: ['80']\n");
            Assert.NotEqual(first, folder.Load().Services[0].ComputeConfigHash());
            var json = ComposeConfigHash.CanonicalJson(folder.Load().Services[0]);
            Assert.Contains("\"Environment\":{\"A\":\"1\",\"B\":\"2\"}", json);
            Assert.DoesNotContain("Replicas", json);
        }

        [Fact]
        public void Anchors_and_merge_keys_work()
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", @"
x-base: &base
  image: base:1
  restart: always
services:
  a:
    <<: *base
  b:
    <<: *base
    image: other:2
");
            var project = folder.Load();
            Assert.Equal(("base:1", "always"), (project.Services[0].Image, project.Services[0].Restart));
            Assert.Equal(("other:2", "always"), (project.Services[1].Image, project.Services[1].Restart));
        }

        // ---- errors: every kind, with exact file, line and column ----

        [Fact]
        public void Invalid_yaml()
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails("services:\n  web:\n    image: [unclosed\n");
            Assert.Equal(Path.Combine(folder.Directory, "compose.yaml"), e.File);
            Assert.Equal("ComposeFileInvalid", e.ErrorId);
            Assert.Equal(EngineErrorKind.SyntaxError, e.Kind);
            Assert.StartsWith("not valid YAML", e.Problem);
            Assert.True(e.Line >= 3, e.Message);
        }

        [Fact]
        public void Unknown_service_key()
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails("services:\n  web:\n    image: i\n    imagee: j\n");
            Assert.Equal((4, 5), (e.Line, e.Column));
            Assert.Contains("service 'web' has an unknown key 'imagee'", e.Message);
            Assert.EndsWith("compose.yaml:4:5: " + e.Problem, e.Message);
        }

        [Fact]
        public void Unknown_top_level_key_and_unknown_nested_key()
        {
            using var folder = new ComposeFolder();
            Assert.Equal((3, 1), Position(folder.Fails("services:\n  web: {image: i}\nservice:\n  x: {}\n")));
            var nested = folder.Fails("services:\n  web:\n    image: i\n    healthcheck:\n      test: x\n      intervall: 5s\n");
            Assert.Equal((6, 7), Position(nested));
            Assert.Contains("'intervall'", nested.Message);
        }

        [Fact]
        public void Wrong_types()
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails("services:\n  web:\n    image: i\n    init: maybe\n");
            Assert.Equal((4, 11), Position(e));
            Assert.Contains("init of service 'web' must be true or false, not 'maybe'", e.Message);
            var list = folder.Fails("services:\n  web:\n    image: i\n    ports: '80'\n");
            Assert.Equal((4, 12), Position(list));
            Assert.Contains("must be a list", list.Message);
            var duration = folder.Fails("services:\n  web:\n    image: i\n    healthcheck:\n      interval: soon\n");
            Assert.Equal((5, 17), Position(duration));
            var notBool = folder.Fails("services:\n  web:\n    image: i\n    read_only: [true]\n");
            Assert.Equal((4, 16), Position(notBool));
            Assert.Contains("must be true or false, not a list", notBool.Message);
            folder.Write("compose.yaml", "services:\n  web:\n    image: i\n    read_only: \"${RO:-true}\"\n    init: 'no'\n");
            var quoted = folder.Load().Services[0];
            Assert.True(quoted.ReadOnly);
            Assert.False(quoted.Init);
        }

        [Theory]
        [InlineData("abc", "invalid port 'abc'")]
        [InlineData("8080:80:90:100", "invalid port")]
        [InlineData("70000:80", "not a port from 1 to 65535")]
        [InlineData("80/xyz", "'xyz' is not a protocol")]
        [InlineData("8000-8002:80-81", "different lengths")]
        [InlineData("300.1.1.1:80:80", "not an IP address")]
        public void Invalid_port(string port, string problem)
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails($"services:\n  web:\n    image: i\n    ports:\n      - '{port}'\n");
            Assert.Equal((5, 9), Position(e));
            Assert.Contains(problem, e.Message);
        }

        [Fact]
        public void Missing_dependency_and_disabled_dependency()
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails("services:\n  web:\n    image: i\n    depends_on:\n      - db\n");
            Assert.Equal((5, 9), Position(e));
            Assert.Contains("service 'web' depends on 'db', which is not a service of this project", e.Message);
            var disabled = folder.Fails("services:\n  web:\n    image: i\n    depends_on:\n      db: {condition: service_healthy}\n  db: {image: i, profiles: [data]}\n");
            Assert.Equal((5, 7), Position(disabled));
            Assert.Contains("activate one of its profiles (data)", disabled.Message);
        }

        [Fact]
        public void Dependency_cycle()
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails("services:\n  a:\n    image: i\n    depends_on: [b]\n  b:\n    image: i\n    depends_on: [c]\n  c:\n    image: i\n    depends_on: [a]\n");
            Assert.Contains("dependency cycle: a -> b -> c -> a", e.Message);
            Assert.Equal((10, 18), Position(e));
        }

        [Fact]
        public void Required_variable_unset()
        {
            using var folder = new ComposeFolder();
            var e = folder.Fails("services:\n  web:\n    image: \"app:${TAG:?set TAG to the release}\"\n");
            Assert.Equal((3, 12), Position(e));
            Assert.Contains("required variable TAG is missing a value: set TAG to the release", e.Message);
        }

        [Fact]
        public void Undefined_volume_and_network_and_missing_image()
        {
            using var folder = new ComposeFolder();
            var volume = folder.Fails("services:\n  web:\n    image: i\n    volumes:\n      - data:/data\n");
            Assert.Equal((5, 9), Position(volume));
            Assert.Contains("volume 'data', which is not defined", volume.Message);
            var network = folder.Fails("services:\n  web:\n    image: i\n    networks: [front]\n");
            Assert.Equal((4, 16), Position(network));
            var image = folder.Fails("services:\n  web:\n    restart: always\n");
            Assert.Equal((3, 5), Position(image));
            Assert.Contains("neither an image nor a build", image.Message);
        }

        [Fact]
        public void An_error_in_the_second_file_names_that_file()
        {
            using var folder = new ComposeFolder();
            folder.Write("compose.yaml", "services:\n  web: {image: i}\n");
            var second = folder.Write("second.yaml", "services:\n  web:\n    restart: sometimes\n");
            var e = Assert.Throws<ComposeFileException>(() => folder.Load(new[] { "compose.yaml", "second.yaml" }));
            Assert.Equal((second, 3, 14), (e.File, e.Line, e.Column));
        }

        private static (int, int) Position(ComposeFileException e) => (e.Line, e.Column);
    }
}
