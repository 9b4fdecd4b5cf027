using System;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Internal
{
    /// <summary>Lets -Engine take a connection object, an engine address ('tcp://host:2376') or a docker context name.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class EngineTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return null;
                case ContainerEngineConnection connection:
                    return connection;
                case ContainerTools.Engine.Model.ContainerMachine machine:
                    return machine.Engine ?? throw new ArgumentTransformationMetadataException(
                        $"Machine '{machine.Name}' has no engine yet: its creation did not finish. Run New-ContainerMachine {machine.Name} again to resume it.");
                case string text:
                    try
                    {
                        return ContainerEngineConnection.FromArgument(text);
                    }
                    catch (ContainerEngineException e)
                    {
                        throw new ArgumentTransformationMetadataException(e.Message, e);
                    }

                default:
                    throw new ArgumentTransformationMetadataException(
                        $"-Engine takes an engine address (unix:///var/run/docker.sock, tcp://host:2376), a docker context name a connection from Connect-ContainerEngine or a machine from Get-ContainerMachine, not a {value.GetType().Name}.");
            }
        }
    }
}
