using System;

namespace ContainerTools.Engine
{
    /// <summary>What kind of failure an engine operation met; the cmdlets map it to an ErrorCategory.</summary>
    public enum EngineErrorKind
    {
        OperationFailed,
        NotFound,
        Conflict,
        InvalidArgument,
        Unreachable,
        AuthenticationFailed,
        Timeout,
        NotSupported,

        /// <summary>Text that does not parse (a Dockerfile, a compose file).</summary>
        SyntaxError,

        /// <summary>A local file or folder this process may not read.</summary>
        PermissionDenied,

        /// <summary>Something of that name exists already (and is not what was asked for).</summary>
        AlreadyExists,
    }

    /// <summary>Base of every error the engine core throws. ErrorId is stable: scripts may match on it.</summary>
    public class ContainerEngineException : Exception
    {
        public ContainerEngineException(string errorId, EngineErrorKind kind, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }

        public string ErrorId { get; }

        public EngineErrorKind Kind { get; }

        /// <summary>What the failed operation acted on (a name, an id, a parameter value).</summary>
        public object? Target { get; }
    }

    /// <summary>No engine answered at the endpoint. Always names the endpoint.</summary>
    public sealed class EngineUnreachableException : ContainerEngineException
    {
        public EngineUnreachableException(string endpoint, string reason, Exception? inner = null)
            : this(endpoint, reason, "Start the engine, or point ContainerTools at a running one with -Engine, DOCKER_HOST or Connect-ContainerEngine.", inner)
        {
        }

        /// <param name="advice">What to do about it, when the usual advice (start the engine) is not the fix, e.g. for a TLS failure.</param>
        public EngineUnreachableException(string endpoint, string reason, string advice, Exception? inner = null)
            : base("EngineUnreachable", EngineErrorKind.Unreachable, $"Cannot reach the container engine at {endpoint}: {reason}. {advice}", endpoint, inner)
        {
            Endpoint = endpoint;
        }

        public string Endpoint { get; }
    }

    /// <summary>A container, image, network or volume that does not exist.</summary>
    public sealed class ResourceNotFoundException : ContainerEngineException
    {
        public ResourceNotFoundException(string resourceKind, string reference, string? detail = null, Exception? inner = null)
            : base(resourceKind + "NotFound", EngineErrorKind.NotFound,
                detail ?? $"No {resourceKind.ToLowerInvariant()} named or with id '{reference}' exists on the engine.",
                reference, inner)
        {
            ResourceKind = resourceKind;
            Reference = reference;
        }

        public string ResourceKind { get; }

        public string Reference { get; }
    }

    /// <summary>User input that cannot be turned into a valid request; the message names the fix.</summary>
    public sealed class InvalidSpecException : ContainerEngineException
    {
        public InvalidSpecException(string errorId, string message, object? target = null)
            : base(errorId, EngineErrorKind.InvalidArgument, message, target)
        {
        }
    }
}
