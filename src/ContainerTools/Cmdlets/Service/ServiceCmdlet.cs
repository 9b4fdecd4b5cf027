using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Swarm;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Service
{
    /// <summary>What New- and Set-ContainerService share: -Wait with progress, -PassThru, and the docker-syntax values they parse.</summary>
    public abstract class ServiceCmdlet : ContainerToolsCmdlet
    {
        /// <summary>Wait until the service has converged (its tasks run the new spec), with progress; a failure is a ServiceConvergeFailed error.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: how many seconds to wait at most (300 unless given).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; } = 300;

        /// <summary>Write the service.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Waits (with -Wait) and writes the service (with -PassThru).</summary>
        protected void Finish(ContainerEngineConnection engine, ContainerService service)
        {
            if (Wait)
            {
                WriteVerbose($"Waiting for service '{service.Name}' to converge on {engine.Name}.");
                var activity = $"Service {service.Name}";
                var record = new ProgressRecord(Math.Abs(service.Id.GetHashCode() % 100000) + 1, activity, "Converging");
                try
                {
                    service = Stream((post, ct) => engine.Services.WaitForConvergenceAsync(service.Id, TimeSpan.FromSeconds(Timeout),
                        new SynchronousProgress<ServiceConvergence>(p => post(() =>
                        {
                            record.StatusDescription = $"{p.Running}/{p.Desired} tasks running{(p.UpdateState.Length == 0 ? string.Empty : " (update " + p.UpdateState + ")")}";
                            record.PercentComplete = p.Desired == 0 ? 100 : (int)Math.Min(100, p.Running * 100 / p.Desired);
                            WriteProgress(record);
                        })), ct));
                }
                finally
                {
                    record.RecordType = ProgressRecordType.Completed;
                    WriteProgress(record);
                }
            }

            if (PassThru)
            {
                WriteObject(service);
            }
        }

        /// <summary>
        /// Applies the parameters New- and Set-ContainerService share; null leaves the spec's value. Environment and labels are
        /// added to the spec's, ports and constraints replace them.
        /// </summary>
        internal static void ApplyShared(ServiceSpecification spec, Hashtable? environment, object? label, object[]? publish, string[]? constraint)
        {
            CopyTo(environment, spec.Environment);
            CopyLabels(label, spec.Labels);
            if (publish != null)
            {
                spec.Ports = ParsePorts(publish).ToList();
            }

            if (constraint != null)
            {
                spec.Constraints = constraint.ToList();
            }
        }

        internal static IEnumerable<ServicePort> ParsePorts(IEnumerable<object> values)
        {
            foreach (var value in values)
            {
                var item = PSObject.AsPSObject(value).BaseObject;
                if (item is IDictionary map)
                {
                    var entries = map.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture)!, k => map[k], StringComparer.OrdinalIgnoreCase);
                    if (!entries.TryGetValue("Target", out var target) || target == null)
                    {
                        throw new InvalidSpecException("InvalidPublish", "A -Publish hashtable needs Target (the port in the containers); Published, Protocol and Mode (Ingress or Host) are optional.", value);
                    }

                    entries.TryGetValue("Published", out var published);
                    entries.TryGetValue("Protocol", out var protocol);
                    entries.TryGetValue("Mode", out var mode);
                    if (!Enum.TryParse<ServicePortMode>(Convert.ToString(mode, CultureInfo.InvariantCulture) is string m && m.Length > 0 ? m : "Ingress", true, out var portMode))
                    {
                        throw new InvalidSpecException("InvalidPublish", $"The -Publish Mode '{mode}' is neither Ingress nor Host.", value);
                    }

                    yield return new ServicePort(Convert.ToInt32(PSObject.AsPSObject(target).BaseObject, CultureInfo.InvariantCulture),
                        published == null ? (int?)null : Convert.ToInt32(PSObject.AsPSObject(published).BaseObject, CultureInfo.InvariantCulture),
                        Convert.ToString(protocol, CultureInfo.InvariantCulture) ?? "tcp", portMode);
                    continue;
                }

                foreach (var port in ServicePort.Parse(Convert.ToString(item, CultureInfo.InvariantCulture) ?? string.Empty))
                {
                    yield return port;
                }
            }
        }

        internal static void ApplyResources(Hashtable? values, string parameter, Action<double> cpus, Action<long> memory)
        {
            foreach (DictionaryEntry entry in values ?? new Hashtable())
            {
                var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                var value = PSObject.AsPSObject(entry.Value).BaseObject;
                if (key.Equals("Cpu", StringComparison.OrdinalIgnoreCase) || key.Equals("Cpus", StringComparison.OrdinalIgnoreCase))
                {
                    cpus(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                }
                else if (key.Equals("Memory", StringComparison.OrdinalIgnoreCase))
                {
                    memory(value is string text ? ValueParsers.ParseBytes(text, parameter) : Convert.ToInt64(value, CultureInfo.InvariantCulture));
                }
                else
                {
                    throw new InvalidSpecException("InvalidResources", $"-{parameter} takes Cpu (a number of CPUs, e.g. 0.5) and Memory ('256m' or bytes), not '{key}'.", key);
                }
            }
        }

        internal static void CopyTo(Hashtable? source, IDictionary<string, string> target) => HashtableValues.CopyTo(source, target);

        /// <summary>Labels given as 'key=value' strings or a hashtable.</summary>
        internal static void CopyLabels(object? labels, IDictionary<string, string> target)
        {
            if (labels == null)
            {
                return;
            }

            var value = PSObject.AsPSObject(labels).BaseObject;
            if (value is Hashtable table)
            {
                HashtableValues.CopyTo(table, target);
                return;
            }

            foreach (var item in value is IEnumerable list && !(value is string) ? list.Cast<object?>() : new[] { value })
            {
                if (item == null)
                {
                    continue;
                }

                var text = Convert.ToString(PSObject.AsPSObject(item).BaseObject, CultureInfo.InvariantCulture) ?? string.Empty;
                var eq = text.IndexOf('=');
                target[eq < 0 ? text : text.Substring(0, eq)] = eq < 0 ? string.Empty : text.Substring(eq + 1);
            }
        }
    }
}
