using System;
using System.Collections;
using System.Management.Automation;
using ContainerTools.Engine.Model;
using ContainerTools.Engine.Networks;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Network
{
    /// <summary>
    /// New-ContainerNetwork [docker network create]. A network of that name that exists already is a NetworkExists error
    /// (ResourceExists); with -ReuseExisting it is returned instead, when it has the settings asked for.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ContainerNetwork))]
    public sealed class NewContainerNetworkCommand : ContainerToolsCmdlet
    {
        /// <summary>The network's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>bridge (the default), overlay, macvlan, ipvlan, or a plugin's driver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Driver { get; set; }

        /// <summary>Subnets in CIDR form (10.213.5.0/24); several for several pools.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Subnet { get; set; }

        /// <summary>The gateway of each subnet (an address inside it).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Gateway { get; set; }

        /// <summary>Ranges (CIDR, inside a subnet) that container addresses are allocated from.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? IPRange { get; set; }

        /// <summary>No access to the outside world.</summary>
        [Parameter]
        public SwitchParameter Internal { get; set; }

        /// <summary>Standalone containers may attach (swarm-scoped networks).</summary>
        [Parameter]
        public SwitchParameter Attachable { get; set; }

        /// <summary>Enable IPv6 (give an IPv6 -Subnet too).</summary>
        [Parameter]
        [Alias("EnableIPv6")]
        public SwitchParameter IPv6 { get; set; }

        /// <summary>Labels as a hashtable.</summary>
        [Parameter]
        public Hashtable? Label { get; set; }

        /// <summary>Driver options as a hashtable (docker network create -o).</summary>
        [Parameter]
        public Hashtable? Option { get; set; }

        /// <summary>Return an existing network of that name instead of failing, when it has every setting asked for.</summary>
        [Parameter]
        public SwitchParameter ReuseExisting { get; set; }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngine();
            var spec = new NetworkCreateSpec
            {
                Name = Name,
                Driver = Driver,
                Internal = Internal,
                Attachable = Attachable,
                EnableIPv6 = IPv6,
            };
            foreach (var s in Subnet ?? Array.Empty<string>())
            {
                spec.Subnets.Add(s);
            }

            foreach (var g in Gateway ?? Array.Empty<string>())
            {
                spec.Gateways.Add(g);
            }

            foreach (var r in IPRange ?? Array.Empty<string>())
            {
                spec.IPRanges.Add(r);
            }

            HashtableValues.CopyTo(Label, spec.Labels);
            HashtableValues.CopyTo(Option, spec.Options);
            if (!ShouldProcess(Name, "Create network"))
            {
                return;
            }

            WriteVerbose($"Creating network '{Name}' on {engine.Name}.");
            TryRun(Name, () =>
            {
                var (network, created) = Await(ct => engine.Networks.CreateAsync(spec, ReuseExisting, ct));
                if (!created)
                {
                    WriteVerbose($"Network '{network.Name}' exists already with the settings asked for; returning it.");
                }

                WriteObject(network);
            });
        }
    }
}
