using System.Management.Automation;
using System.Net;
using ContainerTools.Engine.Registry;

namespace ContainerTools.Cmdlets.Registry
{
    internal static class RegistryCredentialParameter
    {
        /// <summary>Our credential from a PSCredential; the password only ever goes to the engine.</summary>
        public static RegistryCredential? From(PSCredential? credential) =>
            credential == null || credential == PSCredential.Empty
                ? null
                : new RegistryCredential(credential.UserName, new NetworkCredential(string.Empty, credential.Password).Password);
    }
}
