// The emulator's X.509 toolkit (certificates made with @peculiar/x509): the encoding of the CA and leaf it mints,
// what Node's own X.509 parser reads in them, ensureCa (also when several processes race), and https served with them.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate, webcrypto } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import "reflect-metadata"; // @peculiar/x509 needs it loaded first
import * as x509 from "@peculiar/x509";
import { Agent } from "undici";
import {
  createCertificateAuthority,
  ensureCa,
  issueServerCertificate,
  loadCa,
  startEmulator,
} from "vmss-identity-emulator";
import { httpCall } from "./support/harness";

const hex = (buffer: Buffer): string => buffer.toString("hex");
const utcTime = (date: Date): string => date.toISOString().slice(2, 19).replace(/[-T:]/g, "") + "Z"; // YYMMDDHHMMSSZ

describe("emulator: certificate encoding (DER, RFC 5280)", function () {
  it("a CA: long length form, ecdsa-with-SHA256, positive 16-octet serial, UTCTime validity, critical keyUsage", async function () {
    const cert = new X509Certificate((await createCertificateAuthority()).certPem);
    const raw = cert.raw;
    assert.equal(hex(raw.subarray(0, 2)), "3082", "SEQUENCE with a two-octet length");
    assert.equal(raw.readUInt16BE(2), raw.length - 4, "the length covers the whole certificate");
    assert.ok(hex(raw).includes("06082a8648ce3d040302"), "signature algorithm ecdsa-with-SHA256");
    assert.match(cert.serialNumber, /^(0[1-9A-F]|[1-7][0-9A-F])[0-9A-F]{30}$/, "positive, never zero, 16 octets");
    const notBefore = new Date(cert.validFrom);
    assert.ok(raw.includes(Buffer.from(`\x17\x0d${utcTime(notBefore)}`, "latin1")), "UTCTime before 2050");
    // keyUsage (2.5.29.15), critical, digitalSignature + keyCertSign + cRLSign without trailing zero bits: 03 02 01 86
    assert.ok(hex(raw).includes("0603551d0f0101ff040403020186"), "keyUsage");
    // basicConstraints (2.5.29.19), critical, cA TRUE, pathLenConstraint 0
    assert.ok(hex(raw).includes("0603551d130101ff040830060101ff020100"), "basicConstraints");
  });

  it("a leaf: keyUsage digitalSignature only (03 02 07 80), serverAuth, the CA's key as authority key", async function () {
    const ca = await createCertificateAuthority();
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate((await issueServerCertificate(ca, ["localhost"])).certPem);
    assert.ok(hex(leaf.raw).includes("0603551d0f0101ff040403020780"), "keyUsage");
    assert.deepEqual(leaf.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
    assert.equal(leaf.issuer, caCert.subject);
    assert.equal(leaf.subject, "O=pulumi-vmss-identity\nCN=localhost");
  });
});

describe("emulator: certificates", function () {
  it("a leaf names a kept CA's own subject key ID as its authority key, whatever way that ID was computed", async function () {
    // A CA kept in a --tls-dir by an earlier version, whose subject key ID is not the one computed today.
    const keys = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const keptSki = "0102030405060708090a0b0c0d0e0f1011121314";
    const kept = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=kept CA",
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
        new x509.SubjectKeyIdentifierExtension(keptSki),
      ],
    });
    const keyDer = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
    const ca = {
      certPem: kept.toString("pem"),
      keyPem: `-----BEGIN ${"PRIVATE KEY"}-----\n${keyDer.toString("base64")}\n-----END ${"PRIVATE KEY"}-----\n`,
    };
    const leaf = new X509Certificate((await issueServerCertificate(ca, ["127.0.0.1"])).certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.ok(hex(leaf.raw).includes(keptSki), "the authority key ID is the CA's own");
    assert.ok(leaf.checkIssued(caCert), "OpenSSL's issuer check (subject and key IDs) passes");
    assert.ok(leaf.verify(caCert.publicKey));
  });

  it("a CA and a leaf for localhost, 127.0.0.1 and ::1 that the CA verifies", async function () {
    const ca = await createCertificateAuthority();
    const leaf = await issueServerCertificate(ca, ["localhost", "127.0.0.1", "::1"]);
    const caCert = new X509Certificate(ca.certPem);
    const leafCert = new X509Certificate(leaf.certPem);
    assert.equal(caCert.ca, true);
    assert.equal(leafCert.ca, false);
    assert.equal(caCert.verify(caCert.publicKey), true, "self-signed");
    assert.equal(leafCert.checkIssued(caCert), true);
    assert.equal(leafCert.verify(caCert.publicKey), true);
    assert.equal(leafCert.checkHost("localhost"), "localhost");
    assert.equal(leafCert.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(leafCert.checkIP("::1"), "::1");
    assert.equal(leafCert.checkHost("example.com"), undefined);
    assert.ok(new Date(leafCert.validTo).getTime() > Date.now() + 300 * 86_400_000);
  });

  it("ensureCa creates the CA once (key 0600) and returns the same files afterwards", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-ca-"));
    try {
      const { caPath } = await ensureCa(path.join(dir, "nested"));
      const first = fs.readFileSync(caPath, "utf8");
      assert.equal(fs.statSync(path.join(dir, "nested", "ca-key.pem")).mode & 0o777, 0o600);
      assert.equal((await ensureCa(path.join(dir, "nested"))).caPath, caPath);
      assert.equal(fs.readFileSync(caPath, "utf8"), first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ensureCa from four processes at once yields one CA whose key matches its certificate", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-ca-race-"));
    const caDir = path.join(dir, "ca");
    const script = `require("vmss-identity-emulator").ensureCa(${JSON.stringify(caDir)}).then(({ caPath }) => process.stdout.write(require("fs").readFileSync(caPath, "utf8")));`;
    try {
      const outputs = await Promise.all(
        [1, 2, 3, 4].map(
          () =>
            new Promise<string>((resolve, reject) =>
              execFile(
                process.execPath,
                ["-e", script],
                { cwd: path.resolve(__dirname, "../..") },
                (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(stderr))),
              ),
            ),
        ),
      );
      assert.equal(new Set(outputs).size, 1, "every process sees the same CA");
      const ca = await loadCa(caDir);
      const leaf = new X509Certificate((await issueServerCertificate(ca, ["localhost"])).certPem);
      assert.equal(
        leaf.verify(new X509Certificate(ca.certPem).publicKey),
        true,
        "the key on disk belongs to the certificate",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves https that clients trusting the CA accept for IP and DNS names, and others refuse", async function () {
    const emulator = await startEmulator({ tls: true });
    const caDir = path.dirname(emulator.caPath ?? "");
    const trusting = new Agent({ connect: { ca: emulator.caPem } });
    try {
      const ok = await httpCall(`${emulator.url}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`, {
        method: "GET",
        dispatcher: trusting,
      });
      assert.equal(ok.status, 200);
      assert.ok(ok.body.token_endpoint.startsWith("https://127.0.0.1:"));
      await assert.rejects(
        httpCall(`${emulator.url}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`, { method: "GET" }),
        (error: Error & { code?: string; cause?: { code?: string } }) =>
          /CERT|SELF_SIGNED|certificate/i.test(`${error.code} ${error.cause?.code} ${error.message}`),
      );
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = tls.connect(
          { host: "127.0.0.1", port: emulator.port, servername: "localhost", ca: emulator.caPem },
          () => {
            resolve(socket.authorized);
            socket.end();
          },
        );
        socket.on("error", reject);
      });
      assert.equal(authorized, true, "the DNS name localhost verifies too");
    } finally {
      await trusting.close();
      await emulator.close();
    }
    assert.equal(fs.existsSync(caDir), false, "a throw-away CA is removed on close");
  });
});
