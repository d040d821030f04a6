// X.509 v3 certificates (RFC 5280) for the emulator's https mode, built with node:crypto and the
// DER encoder next door: one self-signed CA, and a leaf for the loopback names signed by it.
// ECDSA P-256 keys: fast to generate at every start, and cheap TLS handshakes for the benchmarks.
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { isIP } from "node:net";
import * as der from "./der";

/** A certificate with its private key, both PEM-encoded. */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
}

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

const ORGANIZATION = "pulumi-vmss-identity";
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a self-signed certificate authority valid for 10 years (from one day ago, to absorb clock skew).
 * @param commonName subject CN of the CA.
 */
export function createCertificateAuthority(commonName = "vmss-identity-emulator local CA"): CertificateWithKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const name = distinguishedName(commonName);
  const keyId = keyIdentifier(publicKey);
  const now = Date.now();
  const tbs = tbsCertificate({
    issuer: name,
    subject: name,
    publicKey,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.integer(0))),
      // digitalSignature(0), keyCertSign(5), cRLSign(6)
      extension(OID.keyUsage, true, der.namedBits([0, 5, 6])),
      extension(OID.subjectKeyIdentifier, false, der.octetString(keyId)),
    ],
  });
  return { certPem: toPem("CERTIFICATE", signTbs(tbs, privateKey)), keyPem: exportKey(privateKey) };
}

/**
 * Issues a TLS server certificate signed by `ca`, valid for one year (from one hour ago).
 * @param ca the issuing CA (PEM certificate and key).
 * @param hosts DNS names and IP addresses (v4 or v6) to put in subjectAltName; the first is the CN.
 */
export function issueServerCertificate(ca: CertificateWithKey, hosts: string[]): CertificateWithKey {
  if (hosts.length === 0) throw new RangeError("issueServerCertificate: hosts must name at least one DNS name or IP");
  const caKey = createPrivateKey(ca.keyPem);
  const caPublic = createPublicKey(caKey);
  const issuer = distinguishedNameOf(ca.certPem);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const now = Date.now();
  const altNames = hosts.map((host) =>
    isIP(host) ? der.implicitPrimitive(7, ipBytes(host)) : der.implicitPrimitive(2, Buffer.from(host, "ascii")),
  );
  const tbs = tbsCertificate({
    issuer,
    subject: distinguishedName(hosts[0]),
    publicKey,
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 365 * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, der.sequence()),
      extension(OID.keyUsage, true, der.namedBits([0])),
      extension(OID.extKeyUsage, false, der.sequence(der.objectId(OID.serverAuth))),
      extension(OID.subjectAltName, false, der.sequence(...altNames)),
      extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(publicKey))),
      extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, keyIdentifier(caPublic)))),
    ],
  });
  return { certPem: toPem("CERTIFICATE", signTbs(tbs, caKey)), keyPem: exportKey(privateKey) };
}

interface TbsInput {
  issuer: Buffer;
  subject: Buffer;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}

function tbsCertificate(input: TbsInput): Buffer {
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive, as RFC 5280 §4.1.2.2 requires
  serial[0] |= 0x01; // never zero
  return der.sequence(
    der.explicit(0, der.integer(2)), // version v3
    der.integer(serial),
    der.sequence(der.objectId(OID.ecdsaWithSha256)),
    input.issuer,
    der.sequence(der.time(input.notBefore), der.time(input.notAfter)),
    input.subject,
    input.publicKey.export({ type: "spki", format: "der" }),
    der.explicit(3, der.sequence(...input.extensions)),
  );
}

function signTbs(tbs: Buffer, key: KeyObject): Buffer {
  // node:crypto returns ECDSA signatures DER-encoded (Ecdsa-Sig-Value), which is what X.509 carries.
  const signature = sign("sha256", tbs, key);
  return der.sequence(tbs, der.sequence(der.objectId(OID.ecdsaWithSha256)), der.bitString(signature));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? der.sequence(der.objectId(oid), der.boolean(true), der.octetString(value))
    : der.sequence(der.objectId(oid), der.octetString(value));
}

function distinguishedName(commonName: string): Buffer {
  return der.sequence(
    der.setOf(der.sequence(der.objectId(OID.organization), der.utf8String(ORGANIZATION))),
    der.setOf(der.sequence(der.objectId(OID.commonName), der.utf8String(commonName))),
  );
}

// The leaf's issuer must equal the CA's subject byte for byte; the CA is always one of ours, so
// rebuilding the name from its CN gives the same encoding.
function distinguishedNameOf(certPem: string): Buffer {
  const subject = new X509Certificate(certPem).subject;
  const cn = /^CN=(.*)$/m.exec(subject)?.[1];
  if (cn === undefined) throw new Error("CA certificate has no CN in its subject");
  return distinguishedName(cn);
}

function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split(".").map(Number));
  // Expand an IPv6 address (with at most one "::") to 16 octets.
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

function exportKey(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

function toPem(label: string, derBytes: Buffer): string {
  const lines = derBytes.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
