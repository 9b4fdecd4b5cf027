using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace ContainerTools.Engine.Connection
{
    /// <summary>A TLS file that cannot be used, and why (in words for the user, without the crypto stack).</summary>
    internal sealed class TlsMaterialException : Exception
    {
        public TlsMaterialException(string path, string problem, Exception? inner = null)
            : base(Path.GetFileName(path) + ": " + problem, inner)
        {
            FilePath = path;
        }

        public string FilePath { get; }
    }

    /// <summary>
    /// Reads the PEM files the docker CLI reads (ca.pem, cert.pem, key.pem), in every layout openssl, Go
    /// (docker-machine, the docker CLI) and .NET write: certificates as CERTIFICATE blocks, keys as PKCS#8
    /// "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY" (with or without openssl's
    /// "EC PARAMETERS" block before it), any line endings. One implementation for every runtime the module
    /// runs on (PowerShell 5.1 and 7): Docker.DotNet.X509 loads PEM differently per target framework and its
    /// netstandard2.0 build rejects openssl's EC keys.
    /// </summary>
    internal static class TlsMaterial
    {
        private static readonly Regex PemBlock = new Regex(
            @"-----BEGIN (?<label>[A-Z0-9 ]+)-----(?<body>.*?)-----END \k<label>-----",
            RegexOptions.Singleline | RegexOptions.CultureInvariant);

        /// <summary>The client certificate of cert.pem (its first certificate) with the private key of key.pem.</summary>
        public static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
        {
            var certificateDer = ReadBlocks(certificatePath).FirstOrDefault(b => b.Label == "CERTIFICATE")?.Der
                ?? throw new TlsMaterialException(certificatePath, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            BcCertificate certificate;
            try
            {
                certificate = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(certificateDer)
                    ?? throw new TlsMaterialException(certificatePath, "its certificate could not be read");
            }
            catch (Exception e) when (!(e is TlsMaterialException))
            {
                throw new TlsMaterialException(certificatePath, "its certificate is corrupt (" + Detail(e) + ")", e);
            }

            var key = ReadPrivateKey(keyPath);
            if (!Matches(key, certificate.GetPublicKey()))
            {
                throw new TlsMaterialException(keyPath, $"its private key does not belong to the certificate in {Path.GetFileName(certificatePath)} ({certificate.SubjectDN})");
            }

            // A PKCS#12 blob is the one way every runtime (including .NET Framework) pairs a certificate with a key.
            var password = Guid.NewGuid().ToString("N");
            var store = new Pkcs12StoreBuilder()
                .SetKeyAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
                .SetCertAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
                .Build();
            store.SetKeyEntry("client", new AsymmetricKeyEntry(key), new[] { new X509CertificateEntry(certificate) });
            using var pfx = new MemoryStream();
            store.Save(pfx, password.ToCharArray(), new SecureRandom());
            try
            {
                return new X509Certificate2(pfx.ToArray(), password, X509KeyStorageFlags.DefaultKeySet);
            }
            catch (CryptographicException e)
            {
                throw new TlsMaterialException(keyPath, "this system cannot use the key with the certificate (" + Detail(e) + ")", e);
            }
        }

        /// <summary>Every certificate of ca.pem (a bundle may hold several, as for the docker CLI).</summary>
        public static X509Certificate2Collection LoadAuthorities(string caPath)
        {
            var result = new X509Certificate2Collection();
            foreach (var block in ReadBlocks(caPath).Where(b => b.Label == "CERTIFICATE"))
            {
                try
                {
                    result.Add(new X509Certificate2(block.Der));
                }
                catch (CryptographicException e)
                {
                    throw new TlsMaterialException(caPath, "a certificate in it is corrupt (" + Detail(e) + ")", e);
                }
            }

            if (result.Count == 0)
            {
                throw new TlsMaterialException(caPath, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }

            return result;
        }

        private static AsymmetricKeyParameter ReadPrivateKey(string keyPath)
        {
            var blocks = ReadBlocks(keyPath);
            var keyBlock = blocks.FirstOrDefault(b => b.Label == "PRIVATE KEY" || b.Label == "RSA PRIVATE KEY" || b.Label == "EC PRIVATE KEY");
            if (keyBlock == null)
            {
                if (blocks.Any(b => b.Label == "ENCRYPTED PRIVATE KEY"))
                {
                    throw new TlsMaterialException(keyPath, "its private key is encrypted; the docker CLI and ContainerTools need it unencrypted (openssl pkey -in key.pem -out plain-key.pem writes it so: use that file as key.pem)");
                }

                throw new TlsMaterialException(keyPath, "it holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
            }

            if (keyBlock.Encrypted)
            {
                throw new TlsMaterialException(keyPath, "its private key is encrypted; the docker CLI and ContainerTools need it unencrypted (openssl pkey -in key.pem -out plain-key.pem writes it so: use that file as key.pem)");
            }

            AsymmetricKeyParameter key;
            try
            {
                PrivateKeyInfo info;
                switch (keyBlock.Label)
                {
                    case "RSA PRIVATE KEY":
                        info = new PrivateKeyInfo(new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance),
                            RsaPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(keyBlock.Der)));
                        break;
                    case "EC PRIVATE KEY":
                        var ec = ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(keyBlock.Der));
                        // The curve is in the key (openssl, Go) or, rarely, only in a separate EC PARAMETERS block.
                        Asn1Encodable? curve = ec.Parameters;
                        var parameters = blocks.FirstOrDefault(b => b.Label == "EC PARAMETERS");
                        if (curve == null && parameters != null)
                        {
                            curve = Asn1Object.FromByteArray(parameters.Der);
                        }

                        if (curve == null)
                        {
                            throw new TlsMaterialException(keyPath, "its EC private key does not name its curve");
                        }

                        info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, curve), ec);
                        break;
                    default:
                        info = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(keyBlock.Der));
                        break;
                }

                key = PrivateKeyFactory.CreateKey(info);
            }
            catch (Exception e) when (!(e is TlsMaterialException))
            {
                throw new TlsMaterialException(keyPath, "its private key is corrupt (" + Detail(e) + ")", e);
            }

            if (!(key is RsaPrivateCrtKeyParameters) && !(key is ECPrivateKeyParameters))
            {
                throw new TlsMaterialException(keyPath, $"its private key is of a kind TLS client certificates cannot use here ({key.GetType().Name}); use an RSA or ECDSA key");
            }

            return key;
        }

        private static bool Matches(AsymmetricKeyParameter privateKey, AsymmetricKeyParameter publicKey)
        {
            switch (privateKey)
            {
                case RsaPrivateCrtKeyParameters rsa when publicKey is RsaKeyParameters pub:
                    return rsa.Modulus.Equals(pub.Modulus) && rsa.PublicExponent.Equals(pub.Exponent);
                case ECPrivateKeyParameters ec when publicKey is ECPublicKeyParameters pub:
                    return ec.Parameters.G.Multiply(ec.D).Normalize().Equals(pub.Q.Normalize());
                default:
                    return false;
            }
        }

        private static string Detail(Exception e) => e.Message.Trim().TrimEnd('.');

        private sealed class Block
        {
            public Block(string label, byte[] der, bool encrypted)
            {
                Label = label;
                Der = der;
                Encrypted = encrypted;
            }

            public string Label { get; }

            public byte[] Der { get; }

            /// <summary>An old-style openssl encrypted key (Proc-Type: 4,ENCRYPTED header).</summary>
            public bool Encrypted { get; }
        }

        private static List<Block> ReadBlocks(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (FileNotFoundException e)
            {
                throw new TlsMaterialException(path, "the file does not exist", e);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new TlsMaterialException(path, "the file cannot be read (" + Detail(e) + ")", e);
            }

            var blocks = new List<Block>();
            foreach (Match match in PemBlock.Matches(text))
            {
                var label = match.Groups["label"].Value;
                var body = match.Groups["body"].Value;
                var encrypted = false;
                var base64 = new StringBuilder(body.Length);
                foreach (var rawLine in body.Split('\n'))
                {
                    var line = rawLine.Trim();
                    if (line.IndexOf(':') >= 0)
                    {
                        // RFC 1421 headers (Proc-Type, DEK-Info) of legacy openssl keys.
                        encrypted |= line.StartsWith("Proc-Type:", StringComparison.OrdinalIgnoreCase) && line.IndexOf("ENCRYPTED", StringComparison.OrdinalIgnoreCase) >= 0;
                        continue;
                    }

                    base64.Append(line);
                }

                byte[] der;
                try
                {
                    der = Convert.FromBase64String(base64.ToString());
                }
                catch (FormatException e)
                {
                    throw new TlsMaterialException(path, $"its {label} block is not valid base64", e);
                }

                if (der.Length == 0)
                {
                    throw new TlsMaterialException(path, $"its {label} block is empty");
                }

                blocks.Add(new Block(label, der, encrypted));
            }

            if (blocks.Count == 0)
            {
                throw new TlsMaterialException(path, text.IndexOf("-----BEGIN ", StringComparison.Ordinal) >= 0
                    ? "its PEM block is incomplete (no matching -----END ...----- line)"
                    : "it is not a PEM file (no -----BEGIN ...----- block)");
            }

            return blocks;
        }
    }
}
