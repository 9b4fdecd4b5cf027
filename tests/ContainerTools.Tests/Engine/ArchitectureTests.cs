using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ContainerTools.Engine.Connection;
using Xunit;

namespace ContainerTools.Tests.Engine
{
    /// <summary>The cross-cutting rules of ARCHITECTURE.md that a compiler does not enforce.</summary>
    public class ArchitectureTests
    {
        private static readonly Assembly EngineAssembly = typeof(ContainerEngineConnection).Assembly;

        private static IEnumerable<Type> Mentioned(Type type)
        {
            yield return type;
            if (type.HasElementType)
            {
                foreach (var t in Mentioned(type.GetElementType()!))
                {
                    yield return t;
                }
            }

            if (type.IsGenericType)
            {
                foreach (var t in type.GetGenericArguments().SelectMany(Mentioned))
                {
                    yield return t;
                }
            }
        }

        [Fact]
        public void No_docker_dotnet_type_crosses_the_engines_public_surface()
        {
            var leaks = new List<string>();
            foreach (var type in EngineAssembly.GetExportedTypes())
            {
                if (type.BaseType != null && Mentioned(type.BaseType).Any(t => t.Namespace?.StartsWith("Docker.DotNet", StringComparison.Ordinal) == true))
                {
                    leaks.Add($"{type.Name} derives from {type.BaseType}");
                }

                foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    var types = member switch
                    {
                        PropertyInfo p => new[] { p.PropertyType },
                        FieldInfo f => new[] { f.FieldType },
                        MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType).ToArray(),
                        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType).ToArray(),
                        _ => Array.Empty<Type>(),
                    };
                    foreach (var t in types.SelectMany(Mentioned).Where(t => t.Namespace?.StartsWith("Docker.DotNet", StringComparison.Ordinal) == true))
                    {
                        leaks.Add($"{type.Name}.{member.Name}: {t.FullName}");
                    }
                }
            }

            Assert.True(EngineAssembly.GetExportedTypes().Length > 20);
            Assert.Empty(leaks);
        }

        [Fact]
        public void The_engine_core_does_not_reference_powershell()
        {
            var references = EngineAssembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
            Assert.Contains("Docker.DotNet", references);
            Assert.DoesNotContain(references, r => r!.StartsWith("System.Management.Automation", StringComparison.Ordinal));
            Assert.DoesNotContain(references, r => r!.StartsWith("Microsoft.PowerShell", StringComparison.Ordinal));
        }
    }
}
