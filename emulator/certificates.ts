// X.509 v3 certificates (RFC 5280) for the emulator's https mode, built with @peculiar/x509 (a maintained X.509
// library over WebCrypto): one self-signed CA, and a leaf for the loopback names signed by it.
// ECDSA P-256 keys: fast to generate at every start, and cheap TLS handshakes for the benchmarks.
import type * as X509 from "@peculiar/x509";
import { KeyObject, createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";

/** A certificate with its private key, both PEM-encoded. */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
}

const ORGANIZATION = "pulumi-vmss-identity";
const DAY_MS = 24 * 60 * 60 * 1000;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

let x509Library: typeof X509 | undefined;

/**
 * @peculiar/x509, loaded at the first certificate: with its ASN.1 schemas it takes most of an emulator's start-up
 * (about 170 ms of 250), which a plain-http emulator (the CLI without --tls, each of the 100 restarts in
 * test/emulator/state-durability.test.ts) never needs.
 */
function library(): typeof X509 {
  if (x509Library === undefined) {
    // It needs a Reflect metadata polyfill loaded before it (its README, "Reflect Polyfill Required").
    require("reflect-metadata");
    x509Library = require("@peculiar/x509") as typeof X509;
    // The library takes its WebCrypto implementation from this provider; Node's is the one to use.
    x509Library.cryptoProvider.set(webcrypto);
  }
  return x509Library;
}

/**
 * Creates a self-signed certificate authority valid for 10 years (from one day ago, to absorb clock skew).
 * @param commonName subject CN of the CA.
 */
export async function createCertificateAuthority(
  commonName = "vmss-identity-emulator local CA",
): Promise<CertificateWithKey> {
  const x509 = library();
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: exportKey(keys.privateKey) };
}

/**
 * Issues a TLS server certificate signed by `ca`, valid for one year (from one hour ago).
 * @param ca the issuing CA (PEM certificate and key).
 * @param hosts DNS names and IP addresses (v4 or v6) to put in subjectAltName; the first is the CN.
 */
export async function issueServerCertificate(ca: CertificateWithKey, hosts: string[]): Promise<CertificateWithKey> {
  if (hosts.length === 0) throw new RangeError("issueServerCertificate: hosts must name at least one DNS name or IP");
  const x509 = library();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    "pkcs8",
    createPrivateKey(ca.keyPem).export({ type: "pkcs8", format: "der" }),
    ALGORITHM,
    false,
    ["sign"],
  );
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    // The leaf's issuer is the CA's subject, byte for byte (RFC 5280 §4.1.2.4).
    issuer: caCert.subjectName,
    subject: distinguishedName(hosts[0]),
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((host) => ({ type: isIP(host) !== 0 ? ("ip" as const) : ("dns" as const), value: host })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await authorityKeyIdentifier(caCert),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: exportKey(keys.privateKey) };
}

// The leaf's authority key ID is the CA's own subject key ID when it has one (RFC 5280 §4.2.1.1): a CA kept in a
// --tls-dir by an earlier version computed that ID its own way, and a mismatch breaks chain building.
async function authorityKeyIdentifier(caCert: X509.X509Certificate): Promise<X509.AuthorityKeyIdentifierExtension> {
  const x509 = library();
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski !== null
    ? new x509.AuthorityKeyIdentifierExtension(ski.keyId)
    : x509.AuthorityKeyIdentifierExtension.create(caCert);
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
}

// Positive and never zero, as RFC 5280 §4.1.2.2 requires; 16 random octets.
function serialNumber(): string {
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  serial[0] |= 0x01;
  return serial.toString("hex");
}

function distinguishedName(commonName: string): X509.Name {
  return new (library().Name)([{ "2.5.4.10": [ORGANIZATION] }, { "2.5.4.3": [commonName] }]);
}

function exportKey(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: "pkcs8", format: "pem" }).toString();
}

const CLIENT_ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};

/**
 * A self-signed RSA client certificate for a service principal's certificate credential (valid for 30 days from one
 * hour ago): Entra ID's client assertions are RS256/PS256-signed, and @azure/identity reads the certificate and its
 * key from one PEM file (`certPem + keyPem`).
 * @param commonName subject CN.
 */
export async function createClientCertificate(commonName = "vmss-identity client"): Promise<CertificateWithKey> {
  const x509 = library();
  const keys = (await webcrypto.subtle.generateKey(CLIENT_ALGORITHM, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 30 * DAY_MS),
    signingAlgorithm: CLIENT_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: exportKey(keys.privateKey) };
}
