// Maps onto Docker.DotNet request models, whose optional members are not nullable-annotated.
#nullable disable warnings
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Docker.DotNet.Models;
using RestartPolicy = ContainerTools.Engine.Model.RestartPolicy;

namespace ContainerTools.Engine.Containers
{
    /// <summary>Turns a ContainerCreateSpec into the engine's create request, validating every value first.</summary>
    internal static class ContainerSpecBuilder
    {
        public static CreateContainerParameters Build(ContainerCreateSpec spec)
        {
            if (string.IsNullOrWhiteSpace(spec.Image))
            {
                throw new InvalidSpecException("ImageRequired", "An image is required. Give -Image with a name such as 'alpine:3.20' or an image id.", spec.Image);
            }

            if (spec.Name != null && !IsValidName(spec.Name))
            {
                throw new InvalidSpecException("InvalidContainerName",
                    $"The container name '{spec.Name}' is not valid: use letters, digits, '_', '.' and '-', starting with a letter or digit.", spec.Name);
            }

            var host = new HostConfig
            {
                PublishAllPorts = spec.PublishAll,
                Privileged = spec.Privileged,
                ReadonlyRootfs = spec.ReadOnly,
                AutoRemove = spec.AutoRemove,
                Init = spec.Init ? true : (bool?)null,
                DNS = spec.Dns.Count == 0 ? null : spec.Dns.ToList(),
                ExtraHosts = spec.ExtraHosts.Count == 0 ? null : spec.ExtraHosts.ToList(),
            };
            var parameters = new CreateContainerParameters
            {
                Name = spec.Name,
                Image = spec.Image.Trim(),
                Cmd = spec.Command?.ToList(),
                Entrypoint = spec.Entrypoint?.ToList(),
                User = spec.User,
                WorkingDir = spec.WorkingDirectory,
                Hostname = spec.Hostname,
                Tty = spec.Tty,
                OpenStdin = spec.Interactive,
                AttachStdin = spec.Interactive,
                AttachStdout = true,
                AttachStderr = true,
                Labels = spec.Labels.Count == 0 ? null : new Dictionary<string, string>(spec.Labels),
                HostConfig = host,
                StopSignal = string.IsNullOrWhiteSpace(spec.StopSignal) ? null : spec.StopSignal!.Trim(),
                StopTimeout = spec.StopTimeout,
                Platform = string.IsNullOrWhiteSpace(spec.Platform) ? null : spec.Platform!.Trim(),
            };

            parameters.Env = BuildEnvironment(spec);

            if (spec.Publish.Count > 0)
            {
                parameters.ExposedPorts = new Dictionary<string, EmptyStruct>();
                host.PortBindings = new Dictionary<string, IList<PortBinding>>();
                foreach (var mapping in spec.Publish.SelectMany(PortSpec.Parse))
                {
                    parameters.ExposedPorts[mapping.Key] = default;
                    if (!host.PortBindings.TryGetValue(mapping.Key, out var bindings))
                    {
                        host.PortBindings[mapping.Key] = bindings = new List<PortBinding>();
                    }

                    bindings.Add(new PortBinding
                    {
                        HostIP = mapping.HostIP ?? string.Empty,
                        HostPort = mapping.HostPort?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                    });
                }
            }

            AddMounts(spec, parameters, host);

            if (spec.Network != null)
            {
                host.NetworkMode = spec.Network;
                if (spec.NetworkAliases.Count > 0)
                {
                    parameters.NetworkingConfig = new NetworkingConfig
                    {
                        EndpointsConfig = new Dictionary<string, EndpointSettings>
                        {
                            [spec.Network] = new EndpointSettings { Aliases = spec.NetworkAliases.ToList() },
                        },
                    };
                }
            }
            else if (spec.NetworkAliases.Count > 0)
            {
                throw new InvalidSpecException("NetworkAliasWithoutNetwork",
                    "-NetworkAlias needs -Network: aliases exist only on a user-defined network. Add -Network <name>.", spec.NetworkAliases);
            }

            if (spec.RestartPolicy != null || spec.MaximumRetryCount != null)
            {
                if (spec.AutoRemove && spec.RestartPolicy != null && spec.RestartPolicy != RestartPolicy.No)
                {
                    throw new InvalidSpecException("AutoRemoveWithRestartPolicy",
                        "-AutoRemove cannot be combined with a restart policy: a container removed on exit cannot be restarted. Drop one of them.", spec.RestartPolicy);
                }

                host.RestartPolicy = ToRestartPolicy(spec.RestartPolicy ?? RestartPolicy.OnFailure, spec.MaximumRetryCount);
            }

            if (spec.Memory != null)
            {
                host.Memory = ValueParsers.ParseBytes(spec.Memory, "Memory");
            }

            if (spec.Cpus != null)
            {
                host.NanoCPUs = ValueParsers.ToNanoCpus(spec.Cpus.Value);
            }

            if (spec.CapAdd.Count > 0)
            {
                host.CapAdd = spec.CapAdd.ToList();
            }

            if (spec.CapDrop.Count > 0)
            {
                host.CapDrop = spec.CapDrop.ToList();
            }

            if (spec.HealthTest != null && spec.HealthTest.Count > 0)
            {
                parameters.Healthcheck = new HealthcheckConfig
                {
                    Test = spec.HealthTest.ToList(),
                    Interval = spec.HealthInterval,
                    Timeout = spec.HealthTimeout,
                    StartPeriod = spec.HealthStartPeriod,
                    Retries = spec.HealthRetries,
                };
            }
            else if (spec.HealthCommand != null || spec.HealthInterval != null || spec.HealthRetries != null || spec.HealthTimeout != null || spec.HealthStartPeriod != null)
            {
                if (string.IsNullOrWhiteSpace(spec.HealthCommand))
                {
                    throw new InvalidSpecException("HealthCommandRequired",
                        "-HealthInterval, -HealthTimeout, -HealthStartPeriod and -HealthRetries need -HealthCommand (a shell command that exits 0 when healthy).", spec.HealthCommand);
                }

                if (spec.HealthRetries != null && spec.HealthRetries < 0)
                {
                    throw new InvalidSpecException("InvalidHealthRetries", "-HealthRetries must be 0 or more.", spec.HealthRetries);
                }

                parameters.Healthcheck = new HealthcheckConfig
                {
                    Test = new List<string> { "CMD-SHELL", spec.HealthCommand! },
                    Interval = spec.HealthInterval,
                    Timeout = spec.HealthTimeout,
                    StartPeriod = spec.HealthStartPeriod,
                    Retries = spec.HealthRetries,
                };
            }

            return parameters;
        }

        public static Docker.DotNet.Models.RestartPolicy ToRestartPolicy(RestartPolicy policy, int? maximumRetryCount)
        {
            if (maximumRetryCount != null && policy != RestartPolicy.OnFailure)
            {
                throw new InvalidSpecException("MaximumRetryCountNeedsOnFailure",
                    $"-MaximumRetryCount applies only to the OnFailure restart policy, not to {policy}. Use -RestartPolicy OnFailure.", maximumRetryCount);
            }

            if (maximumRetryCount < 0)
            {
                throw new InvalidSpecException("InvalidMaximumRetryCount", "-MaximumRetryCount must be 0 or more.", maximumRetryCount);
            }

            return new Docker.DotNet.Models.RestartPolicy
            {
                Name = policy switch
                {
                    RestartPolicy.Always => RestartPolicyKind.Always,
                    RestartPolicy.OnFailure => RestartPolicyKind.OnFailure,
                    RestartPolicy.UnlessStopped => RestartPolicyKind.UnlessStopped,
                    _ => RestartPolicyKind.No,
                },
                MaximumRetryCount = maximumRetryCount ?? 0,
            };
        }

        private static IList<string>? BuildEnvironment(ContainerCreateSpec spec)
        {
            // Later sources win, as with docker run: env files in order, then -Environment.
            var merged = new Dictionary<string, string>(StringComparer.Ordinal);
            var order = new List<string>();
            void Set(string key, string value)
            {
                if (!merged.ContainsKey(key))
                {
                    order.Add(key);
                }

                merged[key] = value;
            }

            foreach (var file in spec.EnvironmentFiles)
            {
                var path = Path.IsPathRooted(file) ? file : Path.Combine(spec.BaseDirectory, file);
                foreach (var pair in ValueParsers.ReadEnvironmentFile(path, Environment.GetEnvironmentVariable))
                {
                    Set(pair.Key, pair.Value ?? string.Empty);
                }
            }

            foreach (var pair in spec.Environment)
            {
                if (string.IsNullOrEmpty(pair.Key) || pair.Key.Contains("="))
                {
                    throw new InvalidSpecException("InvalidEnvironmentName",
                        $"The environment variable name '{pair.Key}' is not valid: it must be non-empty and contain no '='.", pair.Key);
                }

                var value = pair.Value ?? Environment.GetEnvironmentVariable(pair.Key);
                if (value != null)
                {
                    Set(pair.Key, value);
                }
            }

            return order.Count == 0 ? null : order.Select(k => k + "=" + merged[k]).ToList();
        }

        private static void AddMounts(ContainerCreateSpec spec, CreateContainerParameters parameters, HostConfig host)
        {
            var binds = new List<string>();
            var mounts = new List<Mount>();
            var anonymous = new Dictionary<string, EmptyStruct>();
            foreach (var value in spec.Volumes)
            {
                var m = VolumeSpec.ParseVolume(value, spec.BaseDirectory);
                if (m.Source == null)
                {
                    anonymous[m.Target] = default;
                    continue;
                }

                // Binds is where -v host:ctr belongs; an entry in Config.Volumes would silently be an anonymous volume.
                var options = new List<string>(m.Options);
                if (m.ReadOnly)
                {
                    options.Insert(0, "ro");
                }

                binds.Add(m.Source + ":" + m.Target + (options.Count > 0 ? ":" + string.Join(",", options) : string.Empty));
            }

            foreach (var value in spec.Mounts)
            {
                var m = VolumeSpec.ParseMount(value, spec.BaseDirectory);
                var mount = new Mount
                {
                    Type = m.Kind.ToString().ToLowerInvariant(),
                    Source = m.Source,
                    Target = m.Target,
                    ReadOnly = m.ReadOnly ? true : (bool?)null,
                };
                foreach (var option in m.Options)
                {
                    var eq = option.IndexOf('=');
                    var key = option.Substring(0, eq);
                    var val = option.Substring(eq + 1);
                    switch (key)
                    {
                        case "bind-propagation":
                            mount.BindOptions = new BindOptions { Propagation = val };
                            break;
                        case "volume-nocopy":
                            mount.VolumeOptions ??= new VolumeOptions();
                            mount.VolumeOptions.NoCopy = val != "false" && val != "0";
                            break;
                        case "volume-driver":
                            mount.VolumeOptions ??= new VolumeOptions();
                            mount.VolumeOptions.DriverConfig = new Driver { Name = val };
                            break;
                        case "tmpfs-size":
                            mount.TmpfsOptions ??= new TmpfsOptions();
                            mount.TmpfsOptions.SizeBytes = ValueParsers.ParseBytes(val, "Mount tmpfs-size");
                            break;
                        case "tmpfs-mode":
                            mount.TmpfsOptions ??= new TmpfsOptions();
                            mount.TmpfsOptions.Mode = Convert.ToUInt32(val, 8);
                            break;
                        case "consistency":
                            mount.Consistency = val;
                            break;
                        default:
                            throw new InvalidSpecException("InvalidMountSpec",
                                $"The -Mount option '{key}' is not supported yet. Use bind-propagation, volume-nocopy, volume-driver, tmpfs-size, tmpfs-mode or consistency.", value);
                    }
                }

                mounts.Add(mount);
            }

            var tmpfs = new Dictionary<string, string>();
            foreach (var value in spec.Tmpfs)
            {
                var pair = VolumeSpec.ParseTmpfs(value);
                tmpfs[pair.Key] = pair.Value;
            }

            if (binds.Count > 0)
            {
                host.Binds = binds;
            }

            if (mounts.Count > 0)
            {
                host.Mounts = mounts;
            }

            if (tmpfs.Count > 0)
            {
                host.Tmpfs = tmpfs;
            }

            if (anonymous.Count > 0)
            {
                parameters.Volumes = anonymous;
            }
        }

        private static bool IsValidName(string name)
        {
            var n = name.TrimStart('/');
            return n.Length > 0 && char.IsLetterOrDigit(n[0]) && n.All(c => (c < 128 && char.IsLetterOrDigit(c)) || c == '_' || c == '.' || c == '-');
        }
    }
}
