// The emulator's own X.509 toolkit: the DER encoder, the CA and leaf certificates it mints with
// node:crypto, ensureCa (also when several processes race), and https served with them.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { Agent } from "undici";
import { startEmulator } from "../../emulator";
import { ensureCa, loadCa } from "../../emulator/ca-store";
import { createCertificateAuthority, issueServerCertificate } from "../../emulator/certificates";
import * as der from "../../emulator/der";
import { httpCall } from "./support/harness";

const hex = (buffer: Buffer): string => buffer.toString("hex");

describe("emulator: DER encoding", function () {
  it("encodes integers as positive two's complement, minimal length", function () {
    assert.equal(hex(der.integer(0)), "020100");
    assert.equal(hex(der.integer(127)), "02017f");
    assert.equal(hex(der.integer(128)), "02020080");
    assert.equal(hex(der.integer(Buffer.from([0, 0, 0x01, 0x02]))), "02020102");
    assert.equal(hex(der.integer(Buffer.from([0xff]))), "020200ff");
  });

  it("encodes object identifiers (ecdsa-with-SHA256, commonName)", function () {
    assert.equal(hex(der.objectId("1.2.840.10045.4.3.2")), "06082a8648ce3d040302");
    assert.equal(hex(der.objectId("2.5.4.3")), "0603550403");
  });

  it("uses the long length form from 128 bytes on", function () {
    assert.equal(hex(der.octetString(Buffer.alloc(127)).subarray(0, 2)), "047f");
    assert.equal(hex(der.octetString(Buffer.alloc(128)).subarray(0, 3)), "048180");
    assert.equal(hex(der.octetString(Buffer.alloc(300)).subarray(0, 4)), "0482012c");
  });

  it("encodes times as UTCTime before 2050 and GeneralizedTime after (RFC 5280)", function () {
    assert.equal(der.time(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).toString("latin1"), "\x17\x0d260102030405Z");
    assert.equal(der.time(new Date(Date.UTC(2050, 0, 2, 3, 4, 5))).toString("latin1"), "\x18\x0f20500102030405Z");
  });

  it("encodes named bits without trailing zero bits (keyUsage)", function () {
    assert.equal(hex(der.namedBits([0, 5, 6])), "03020186");
    assert.equal(hex(der.namedBits([0])), "03020780");
  });
});

describe("emulator: certificates", function () {
  it("a CA and a leaf for localhost, 127.0.0.1 and ::1 that the CA verifies", function () {
    const ca = createCertificateAuthority();
    const leaf = issueServerCertificate(ca, ["localhost", "127.0.0.1", "::1"]);
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

  it("ensureCa creates the CA once (key 0600) and returns the same files afterwards", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-ca-"));
    try {
      const { caPath } = ensureCa(path.join(dir, "nested"));
      const first = fs.readFileSync(caPath, "utf8");
      assert.equal(fs.statSync(path.join(dir, "nested", "ca-key.pem")).mode & 0o777, 0o600);
      assert.equal(ensureCa(path.join(dir, "nested")).caPath, caPath);
      assert.equal(fs.readFileSync(caPath, "utf8"), first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ensureCa from four processes at once yields one CA whose key matches its certificate", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-ca-race-"));
    const caDir = path.join(dir, "ca");
    const script = `require("ts-node/register/transpile-only"); const { ensureCa } = require(${JSON.stringify(path.resolve(__dirname, "../../emulator/ca-store"))}); process.stdout.write(require("fs").readFileSync(ensureCa(${JSON.stringify(caDir)}).caPath, "utf8"));`;
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
      const ca = loadCa(caDir);
      const leaf = new X509Certificate(issueServerCertificate(ca, ["localhost"]).certPem);
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
