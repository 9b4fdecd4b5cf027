using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>How a private key is written to key.pem: the layouts openssl, Go (docker-machine, the docker CLI) and .NET produce.</summary>
    public enum KeyFormat
    {
        /// <summary>RSA, PKCS#8 "PRIVATE KEY" (openssl 3 genrsa/genpkey, .NET ExportPkcs8PrivateKeyPem).</summary>
        RsaPkcs8,

        /// <summary>RSA, PKCS#1 "RSA PRIVATE KEY" (openssl 1.x genrsa, Go x509.MarshalPKCS1PrivateKey: docker-machine, docker's docs).</summary>
        RsaPkcs1,

        /// <summary>RSA PKCS#1 with CRLF line endings (a file saved on Windows).</summary>
        RsaPkcs1Crlf,

        /// <summary>ECDSA P-256, SEC1 "EC PRIVATE KEY" alone (Go x509.MarshalECPrivateKey, openssl ec).</summary>
        EcSec1,

        /// <summary>ECDSA P-256, "EC PARAMETERS" then "EC PRIVATE KEY" (openssl ecparam -genkey).</summary>
        EcSec1WithParameters,

        /// <summary>ECDSA P-256, PKCS#8 "PRIVATE KEY" (openssl genpkey -algorithm EC, .NET ExportPkcs8PrivateKeyPem).</summary>
        EcPkcs8,

        /// <summary>RSA, "ENCRYPTED PRIVATE KEY" (needs a passphrase: neither the docker CLI nor ContainerTools take one).</summary>
        RsaEncryptedPkcs8,
    }

    /// <summary>A certificate with its private key, as PEM texts.</summary>
    public sealed class IssuedCertificate : IDisposable
    {
        public IssuedCertificate(X509Certificate2 certificate, AsymmetricAlgorithm key)
        {
            Certificate = certificate;
            Key = key;
        }

        /// <summary>The certificate with its private key attached, as a server uses it.</summary>
        public X509Certificate2 Certificate { get; }

        public AsymmetricAlgorithm Key { get; }

        public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

        public string KeyPem(KeyFormat format)
        {
            switch (format)
            {
                case KeyFormat.RsaPkcs8:
                case KeyFormat.EcPkcs8:
                    return Key.ExportPkcs8PrivateKeyPem() + "\n";
                case KeyFormat.RsaPkcs1:
                    return ((RSA)Key).ExportRSAPrivateKeyPem() + "\n";
                case KeyFormat.RsaPkcs1Crlf:
                    return (((RSA)Key).ExportRSAPrivateKeyPem() + "\n").Replace("\n", "\r\n");
                case KeyFormat.EcSec1:
                    return ((ECDsa)Key).ExportECPrivateKeyPem() + "\n";
                case KeyFormat.EcSec1WithParameters:
                    // openssl ecparam -genkey writes the curve's OID (here prime256v1) in its own block first.
                    var curveOid = new byte[] { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
                    return PemEncoding.WriteString("EC PARAMETERS", curveOid) + "\n" + ((ECDsa)Key).ExportECPrivateKeyPem() + "\n";
                case KeyFormat.RsaEncryptedPkcs8:
                    return Key.ExportEncryptedPkcs8PrivateKeyPem("passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)) + "\n";
                default:
                    throw new ArgumentOutOfRangeException(nameof(format));
            }
        }

        public void Dispose()
        {
            Certificate.Dispose();
            Key.Dispose();
        }
    }

    /// <summary>A throw-away certificate authority (ECDSA P-256) issuing engine and client certificates, valid for a day.</summary>
    public sealed class TestCertificateAuthority : IDisposable
    {
        private static readonly Oid ServerAuthentication = new Oid("1.3.6.1.5.5.7.3.1");
        private static readonly Oid ClientAuthentication = new Oid("1.3.6.1.5.5.7.3.2");
        private readonly ECDsa _key;

        public TestCertificateAuthority(string name)
        {
            _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}, O=ContainerTools tests", _key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = DateTimeOffset.UtcNow;
            Certificate = request.CreateSelfSigned(now.AddMinutes(-10), now.AddDays(1));
        }

        public X509Certificate2 Certificate { get; }

        public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

        /// <summary>An engine certificate (serverAuth) for these IP addresses and DNS names, RSA 2048 as dockerd's usually are.</summary>
        public IssuedCertificate IssueServer(string commonName, params string[] names)
        {
            var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var ip))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(name);
                }
            }

            request.CertificateExtensions.Add(san.Build());
            return Issue(request, key, ServerAuthentication, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        }

        /// <summary>A client certificate (clientAuth) with an RSA 2048 or ECDSA P-256 key.</summary>
        public IssuedCertificate IssueClient(string commonName, bool ecdsa = false)
        {
            if (ecdsa)
            {
                var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return Issue(new CertificateRequest($"CN={commonName}", ec, HashAlgorithmName.SHA256), ec, ClientAuthentication, X509KeyUsageFlags.DigitalSignature);
            }

            var rsa = RSA.Create(2048);
            return Issue(new CertificateRequest($"CN={commonName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), rsa, ClientAuthentication,
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        }

        private IssuedCertificate Issue(CertificateRequest request, AsymmetricAlgorithm key, Oid usage, X509KeyUsageFlags keyUsage)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { usage }, false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            var now = DateTimeOffset.UtcNow;
            // Signed with the CA's ECDSA key whatever the subject's key is (RSA engine certificates under an EC CA are common).
            using var unsigned = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), now.AddHours(12), serial);
            using var withKey = key switch
            {
                RSA rsa => unsigned.CopyWithPrivateKey(rsa),
                ECDsa ec => unsigned.CopyWithPrivateKey(ec),
                _ => throw new ArgumentOutOfRangeException(nameof(key)),
            };
            // Through PKCS#12, so that every platform's TLS stack can use the key (SChannel needs a stored key).
            var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            return new IssuedCertificate(certificate, key);
        }

        public void Dispose()
        {
            Certificate.Dispose();
            _key.Dispose();
        }
    }

    /// <summary>Temporary folders of TLS files, laid out as the docker CLI lays them out, removed on Dispose.</summary>
    public sealed class TlsFolders : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ct-tls-" + Guid.NewGuid().ToString("N").Substring(0, 12));

        public TlsFolders()
        {
            Directory.CreateDirectory(_root);
        }

        public string Root => _root;

        /// <summary>A new folder under the root with ca.pem, cert.pem and key.pem as given (a null text writes no file).</summary>
        public string Create(string name, string? caPem, string? certPem, string? keyPem) => Write(Path.Combine(_root, name), caPem, certPem, keyPem);

        public static string Write(string folder, string? caPem, string? certPem, string? keyPem)
        {
            Directory.CreateDirectory(folder);
            if (caPem != null)
            {
                File.WriteAllText(Path.Combine(folder, "ca.pem"), caPem);
            }

            if (certPem != null)
            {
                File.WriteAllText(Path.Combine(folder, "cert.pem"), certPem);
            }

            if (keyPem != null)
            {
                File.WriteAllText(Path.Combine(folder, "key.pem"), keyPem);
            }

            return folder;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
