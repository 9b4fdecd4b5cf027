using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// What endpoint resolution reads from the process: variables, the home folder, the OS. Tests give
    /// their own so that resolution is checked without touching the real environment.
    /// </summary>
    public sealed class EngineEnvironment
    {
        private readonly Func<string, string?> _getVariable;

        public EngineEnvironment(Func<string, string?> getVariable, string homeDirectory, bool isWindows)
        {
            _getVariable = getVariable ?? throw new ArgumentNullException(nameof(getVariable));
            HomeDirectory = homeDirectory;
            IsWindows = isWindows;
        }

        /// <summary>The real process environment.</summary>
        public static EngineEnvironment Current { get; } = new EngineEnvironment(
            Environment.GetEnvironmentVariable,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows));

        public string HomeDirectory { get; }

        public bool IsWindows { get; }

        /// <summary>The variable's value, or null when it is unset or empty (the docker CLI treats both alike).</summary>
        public string? Variable(string name)
        {
            var value = _getVariable(name);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        /// <summary>The docker CLI's configuration folder: DOCKER_CONFIG, else ~/.docker.</summary>
        public string DockerConfigDirectory => Variable("DOCKER_CONFIG") ?? Path.Combine(HomeDirectory, ".docker");
    }
}
