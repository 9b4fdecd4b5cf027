using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ContainerTools.Internal
{
    /// <summary>
    /// On Windows PowerShell 5.1 (.NET Framework) there are no binding redirects for a module's dependencies:
    /// when a dependency asks for another version of a library we ship (System.Memory, System.Text.Json, …),
    /// hand it the one in the module folder. PowerShell 7 resolves these itself.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? string.Empty;

        private static bool IsDesktop =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        public void OnImport()
        {
            if (IsDesktop)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleFolder;
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            if (IsDesktop)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromModuleFolder;
            }
        }

        private static Assembly? ResolveFromModuleFolder(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name).Name;
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }

            var path = Path.Combine(ModuleDirectory, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
