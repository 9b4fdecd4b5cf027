using System;
using System.Management.Automation;
using ContainerTools.Engine;

namespace ContainerTools.Internal
{
    /// <summary>Engine exceptions to ErrorRecords: stable ErrorId, the right category, the target object.</summary>
    internal static class ErrorMapping
    {
        public static ErrorCategory Category(EngineErrorKind kind) => kind switch
        {
            EngineErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            EngineErrorKind.Conflict => ErrorCategory.ResourceUnavailable,
            EngineErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            EngineErrorKind.Unreachable => ErrorCategory.ConnectionError,
            EngineErrorKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
            EngineErrorKind.Timeout => ErrorCategory.OperationTimeout,
            EngineErrorKind.NotSupported => ErrorCategory.NotImplemented,
            EngineErrorKind.SyntaxError => ErrorCategory.ParserError,
            EngineErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
            EngineErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
            _ => ErrorCategory.InvalidOperation,
        };

        public static ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                exception = aggregate.InnerExceptions[0];
            }

            if (exception is ContainerEngineException engineException)
            {
                return new ErrorRecord(engineException, engineException.ErrorId, Category(engineException.Kind), engineException.Target ?? target);
            }

            if (exception is ArgumentException)
            {
                return new ErrorRecord(exception, "InvalidArgument", ErrorCategory.InvalidArgument, target);
            }

            return new ErrorRecord(exception, "UnexpectedEngineError", ErrorCategory.InvalidOperation, target);
        }
    }
}
