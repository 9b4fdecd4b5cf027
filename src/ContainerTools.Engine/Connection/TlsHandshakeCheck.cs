using System;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ContainerTools.Engine.Connection
{
    /// <summary>
    /// Checks the engine's certificate as the docker CLI does with DOCKER_TLS_VERIFY: signed by a CA of ca.pem
    /// (or, without ca.pem, trusted by the system), issued for the host name or IP address connected to, valid
    /// now and for server authentication. Remembers what it decided, so that a failed handshake can be
    /// explained: our refusal of the engine's certificate, or the engine's refusal of ours.
    /// </summary>
    internal sealed class TlsHandshakeCheck
    {
        private static readonly Oid ServerAuthentication = new Oid("1.3.6.1.5.5.7.3.1");

        private readonly X509Certificate2Collection? _authorities;
        private readonly string? _caPath;
        private readonly bool _verify;
        private volatile string? _rejection;
        private volatile bool _accepted;

        public TlsHandshakeCheck(TlsSettings settings, X509Certificate2Collection? authorities, X509Certificate2? clientCertificate)
        {
            Settings = settings;
            _verify = settings.VerifyServer;
            _authorities = authorities;
            _caPath = settings.CaCertificatePath;
            ClientCertificate = clientCertificate;
        }

        public TlsSettings Settings { get; }

        /// <summary>The client certificate offered to the engine, if any.</summary>
        public X509Certificate2? ClientCertificate { get; }

        /// <summary>Why the engine's certificate was last refused; null when it never was.</summary>
        public string? Rejection => _rejection;

        /// <summary>True once an engine certificate passed the check (or was not checked, with verification off).</summary>
        public bool Accepted => _accepted;

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (!_verify)
            {
                _accepted = true;
                return true;
            }

            var problem = Check(certificate, chain, errors);
            if (problem != null)
            {
                _rejection = problem;
                return false;
            }

            _accepted = true;
            return true;
        }

        private string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return "the engine sent no certificate";
            }

            var server = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return $"it is not issued for the address connected to (it is for {Names(server)})";
            }

            if (_authorities == null)
            {
                return (errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0
                    ? $"it is issued by {server.Issuer}, which this system does not trust, and no ca.pem was given"
                    : null;
            }

            // The docker CLI trusts the CAs of ca.pem and only those (a self-signed server certificate may be ca.pem itself).
            using var own = new X509Chain();
            own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            own.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            own.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
            own.ChainPolicy.ExtraStore.AddRange(_authorities);
            if (chain != null)
            {
                foreach (var element in chain.ChainElements)
                {
                    own.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the engine sent
                }
            }

            own.Build(server);
            var anchored = own.ChainElements.Cast<X509ChainElement>()
                .Any(element => _authorities.Cast<X509Certificate2>().Any(ca => ca.RawData.SequenceEqual(element.Certificate.RawData)));
            if (!anchored)
            {
                return $"it is not signed by the CA in {_caPath} (it is issued by {server.Issuer})";
            }

            var failures = own.ChainStatus
                .Where(s => s.Status != X509ChainStatusFlags.NoError && s.Status != X509ChainStatusFlags.UntrustedRoot && s.Status != X509ChainStatusFlags.PartialChain)
                .Select(s => Describe(s, server))
                .Distinct()
                .ToList();
            return failures.Count == 0 ? null : string.Join("; ", failures);
        }

        private static string Describe(X509ChainStatus status, X509Certificate2 server) => status.Status switch
        {
            X509ChainStatusFlags.NotTimeValid => $"it (or its CA) is not valid now (the engine's certificate is valid from {server.NotBefore:u} to {server.NotAfter:u})",
            X509ChainStatusFlags.NotValidForUsage => "it is not issued for server authentication (extended key usage)",
            X509ChainStatusFlags.NotSignatureValid => "its signature does not verify",
            _ => status.StatusInformation.Trim().Length > 0 ? status.StatusInformation.Trim() : status.Status.ToString(),
        };

        private static string Names(X509Certificate2 certificate)
        {
            var san = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
            return san != null ? san.Format(false) : certificate.Subject;
        }
    }
}
