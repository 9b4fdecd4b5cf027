using System;
using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>One event of the engine (docker events): something happened to a container, image, network, volume, ...</summary>
    public sealed class ContainerEngineEvent
    {
        internal ContainerEngineEvent(ContainerEngineConnection engine, string type, string action, string id, string? name,
            IReadOnlyDictionary<string, string> attributes, string scope, DateTimeOffset time)
        {
            Engine = engine;
            Type = type;
            Action = action;
            Id = id;
            Name = name;
            Attributes = attributes;
            Scope = scope;
            Time = time;
        }

        /// <summary>What kind of object the event is about: container, image, network, volume, daemon, plugin, service, node, secret, config.</summary>
        public string Type { get; }

        /// <summary>What happened: create, start, die, stop, destroy, pull, tag, connect, health_status: healthy, exec_start: sh, ...</summary>
        public string Action { get; }

        /// <summary>The id of the object (the event's Actor.ID): a container id, an image reference or id, a network id, a volume name.</summary>
        public string Id { get; }

        /// <summary>The object's name (the "name" attribute), when the engine gives one.</summary>
        public string? Name { get; }

        /// <summary>The event's attributes (Actor.Attributes): name, image, exitCode, labels of a container, ...</summary>
        public IReadOnlyDictionary<string, string> Attributes { get; }

        /// <summary>local or swarm.</summary>
        public string Scope { get; }

        /// <summary>When it happened (to the nanosecond the engine gives, as far as DateTimeOffset holds it).</summary>
        public DateTimeOffset Time { get; }

        /// <summary>The engine the event happened on.</summary>
        public ContainerEngineConnection Engine { get; }

        /// <summary>The id as docker shows it in tables: 12 characters of a hex id, else the whole id.</summary>
        public string ShortId => Id.Length == 64 ? Id.Substring(0, 12) : Id;

        public override string ToString() => $"{Type} {Action} {Name ?? Id}";
    }
}
