using System;
using System.Globalization;
using System.IO;

namespace ContainerTools.Bench
{
    /// <summary>Command-line options. Defaults are the sizes the targets were set for.</summary>
    internal sealed class BenchOptions
    {
        public const string Usage =
@"usage: ./build.sh bench [options]
       dotnet run --project bench/ContainerTools.Bench -c Release -- [options]

  --only queries|lifecycle|build|logs
                             run one benchmark (default: queries and lifecycle; build and logs are opt-in, they take minutes)
  --iterations N             measured rounds of each benchmark (default 3); the table shows the median
  --queries N                look-ups in the queries benchmark (default 500)
  --containers N             containers the look-ups spread over (default 10)
  --lifecycle N              containers created, started, stopped and removed per contender (default 20)
  --build-step copy|run      what the build benchmark's Dockerfile does with the context (default run: RUN true; copy: COPY . /ctx/)
  --build-files N            files in the generated build context (default 20000; ~500 MB at the default)
  --log-mb N                 size of the log the logs benchmark reads, in MB of 1 KiB lines (default 200)
  --engine ADDRESS           unix:// engine address (default: DOCKER_HOST, else CONTAINERTOOLS_TEST_HOST, else unix:///var/run/docker.sock)
  --image NAME               image to run (default busybox; must already be on the engine)
  --module PATH              ContainerTools.psd1 to import (default: out/ContainerTools/ContainerTools.psd1 of this repository)
  --docker PATH              docker CLI (default: docker on PATH)";

        public bool RunQueries { get; private set; } = true;

        public bool RunLifecycle { get; private set; } = true;

        /// <summary>Opt-in (--only build): it takes minutes, more than the other two together.</summary>
        public bool RunBuild { get; private set; }

        /// <summary>"copy" (FROM busybox, COPY . /ctx/) or "run" (FROM busybox, RUN true).</summary>
        /// <summary>Opt-in (--only logs): it writes and reads a 200 MB log several times.</summary>
        public bool RunLogs { get; private set; }

        public int LogMegabytes { get; private set; } = 200;

        public string BuildStep { get; private set; } = "run";

        public int BuildFiles { get; private set; } = 20000;

        public int Iterations { get; private set; } = 3;

        public int Queries { get; private set; } = 500;

        public int Containers { get; private set; } = 10;

        public int LifecycleCount { get; private set; } = 20;

        public string? Engine { get; private set; }

        public string Image { get; private set; } = "busybox";

        public string? ModulePath { get; private set; }

        public string DockerExecutable { get; private set; } = "docker";

        public bool Help { get; private set; }

        public static BenchOptions Parse(string[] args)
        {
            var o = new BenchOptions();
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Count(int min) =>
                    int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                        ? n
                        : throw new ArgumentException($"{args[i - 1]} takes a whole number of at least {min}.");

                switch (args[i])
                {
                    case "--only":
                        var which = Value();
                        o.RunQueries = which == "queries";
                        o.RunLifecycle = which == "lifecycle";
                        o.RunBuild = which == "build";
                        o.RunLogs = which == "logs";
                        if (!o.RunQueries && !o.RunLifecycle && !o.RunBuild && !o.RunLogs)
                        {
                            throw new ArgumentException($"--only takes queries, lifecycle, build or logs, not '{which}'.");
                        }

                        break;
                    case "--iterations":
                        o.Iterations = Count(1);
                        break;
                    case "--queries":
                        o.Queries = Count(1);
                        break;
                    case "--containers":
                        o.Containers = Count(1);
                        break;
                    case "--lifecycle":
                        o.LifecycleCount = Count(1);
                        break;
                    case "--build-step":
                        o.BuildStep = Value();
                        if (o.BuildStep != "copy" && o.BuildStep != "run")
                        {
                            throw new ArgumentException($"--build-step takes copy or run, not '{o.BuildStep}'.");
                        }

                        break;
                    case "--build-files":
                        o.BuildFiles = Count(100);
                        break;
                    case "--log-mb":
                        o.LogMegabytes = Count(1);
                        break;
                    case "--engine":
                        o.Engine = Value();
                        break;
                    case "--image":
                        o.Image = Value();
                        break;
                    case "--module":
                        o.ModulePath = Path.GetFullPath(Value());
                        break;
                    case "--docker":
                        o.DockerExecutable = Value();
                        break;
                    case "-h":
                    case "--help":
                        o.Help = true;
                        break;
                    default:
                        throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
            }

            return o;
        }
    }
}
