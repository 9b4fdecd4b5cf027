using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace ContainerTools.Engine.Machines
{
    /// <summary>
    /// The TLS material of one machine, as docker-machine laid it out but with today's choices: a CA of the machine's
    /// own (ECDSA P-256), a server certificate (serverAuth) naming every name and address the engine is reached by, and
    /// a client certificate (clientAuth). Keys are PKCS#8 PEM, readable by dockerd, the docker CLI and TlsMaterial, and
    /// only by their owner.
    /// BouncyCastle makes them: the module already ships it (TlsMaterial), and the engine's netstandard2.0 surface
    /// has no CertificateRequest, so this works the same on PowerShell 5.1 and 7 without reflection.
    /// </summary>
    public static class MachinePki
    {
        public const string CaFile = "ca.pem";
        public const string CaKeyFile = "ca-key.pem";
        public const string ServerCertificateFile = "server-cert.pem";
        public const string ServerKeyFile = "server-key.pem";
        public const string ClientCertificateFile = "cert.pem";
        public const string ClientKeyFile = "key.pem";

        private static readonly SecureRandom Random = new SecureRandom();

        /// <summary>True when every file the engine and its clients need is there.</summary>
        public static bool IsComplete(string tlsFolder) =>
            File.Exists(Path.Combine(tlsFolder, CaFile)) && File.Exists(Path.Combine(tlsFolder, ServerCertificateFile)) &&
            File.Exists(Path.Combine(tlsFolder, ServerKeyFile)) && File.Exists(Path.Combine(tlsFolder, ClientCertificateFile)) &&
            File.Exists(Path.Combine(tlsFolder, ClientKeyFile));

        /// <summary>Makes the CA (when missing) and issues the server and client certificates anew (the server's names may have changed).</summary>
        public static void Write(string tlsFolder, string machineName, IEnumerable<string> serverNames)
        {
            OwnerOnly.CreateDirectory(tlsFolder);
            var caCertPath = Path.Combine(tlsFolder, CaFile);
            var caKeyPath = Path.Combine(tlsFolder, CaKeyFile);
            AsymmetricCipherKeyPair caKey;
            X509Certificate ca;
            if (File.Exists(caCertPath) && File.Exists(caKeyPath))
            {
                ca = new X509CertificateParser().ReadCertificate(File.ReadAllBytes(caCertPath));
                caKey = new AsymmetricCipherKeyPair(ca.GetPublicKey(), ReadKey(caKeyPath));
            }
            else
            {
                caKey = NewKey();
                var generator = Start(new X509Name($"CN=ContainerTools machine {machineName} CA,O=ContainerTools"), null, caKey.Public, DateTime.UtcNow.AddYears(10));
                generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
                generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
                generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(caKey.Public));
                ca = generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", caKey.Private, Random));
                OwnerOnly.WriteFile(caKeyPath, Pem(caKey.Private));
                OwnerOnly.WriteFile(caCertPath, Pem(ca));
            }

            var serverKey = NewKey();
            var server = Start(new X509Name($"CN={machineName}"), ca, serverKey.Public, DateTime.UtcNow.AddYears(3));
            var names = new List<Asn1Encodable>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in serverNames)
            {
                if (string.IsNullOrEmpty(name) || !seen.Add(name))
                {
                    continue;
                }

                names.Add(IPAddress.TryParse(name, out _) ? new GeneralName(GeneralName.IPAddress, name) : new GeneralName(GeneralName.DnsName, name));
            }

            server.AddExtension(X509Extensions.SubjectAlternativeName, false, new DerSequence(names.ToArray()));
            server.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
            AddLeafExtensions(server, ca, caKey, serverKey);
            var serverCertificate = server.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", caKey.Private, Random));

            var clientKey = NewKey();
            var client = Start(new X509Name($"CN=ContainerTools client of {machineName}"), ca, clientKey.Public, DateTime.UtcNow.AddYears(3));
            client.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth));
            AddLeafExtensions(client, ca, caKey, clientKey);
            var clientCertificate = client.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", caKey.Private, Random));

            OwnerOnly.WriteFile(Path.Combine(tlsFolder, ServerKeyFile), Pem(serverKey.Private));
            OwnerOnly.WriteFile(Path.Combine(tlsFolder, ServerCertificateFile), Pem(serverCertificate));
            OwnerOnly.WriteFile(Path.Combine(tlsFolder, ClientKeyFile), Pem(clientKey.Private));
            OwnerOnly.WriteFile(Path.Combine(tlsFolder, ClientCertificateFile), Pem(clientCertificate));
        }

        private static void AddLeafExtensions(X509V3CertificateGenerator generator, X509Certificate ca, AsymmetricCipherKeyPair caKey, AsymmetricCipherKeyPair key)
        {
            generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
            generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.KeyAgreement));
            generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.Public));
            generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(ca));
        }

        private static X509V3CertificateGenerator Start(X509Name subject, X509Certificate? issuer, AsymmetricKeyParameter publicKey, DateTime notAfter)
        {
            var generator = new X509V3CertificateGenerator();
            var serial = new byte[16];
            Random.NextBytes(serial);
            serial[0] &= 0x7F;
            generator.SetSerialNumber(new BigInteger(1, serial));
            generator.SetSubjectDN(subject);
            generator.SetIssuerDN(issuer?.SubjectDN ?? subject);
            // A little in the past: clocks of the host and a VM's guest are rarely exact.
            generator.SetNotBefore(DateTime.UtcNow.AddHours(-1));
            generator.SetNotAfter(notAfter);
            generator.SetPublicKey(publicKey);
            return generator;
        }

        private static AsymmetricCipherKeyPair NewKey()
        {
            var generator = new ECKeyPairGenerator("EC");
            generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, Random));
            return generator.GenerateKeyPair();
        }

        private static AsymmetricKeyParameter ReadKey(string path)
        {
            using var reader = new StringReader(File.ReadAllText(path));
            var pem = new PemReader(reader).ReadObject();
            return pem switch
            {
                AsymmetricCipherKeyPair pair => pair.Private,
                AsymmetricKeyParameter key => key,
                _ => throw new InvalidSpecException("InvalidMachineCertificateAuthority", $"'{path}' holds no private key. Remove the machine and create it again.", path),
            };
        }

        private static string Pem(object value)
        {
            using var writer = new StringWriter();
            var pem = new PemWriter(writer);
            if (value is AsymmetricKeyParameter key)
            {
                pem.WriteObject(new Pkcs8Generator(key));
            }
            else
            {
                pem.WriteObject(value);
            }

            pem.Writer.Flush();
            return writer.ToString().Replace("\r\n", "\n");
        }
    }
}
