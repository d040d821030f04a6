/**
 * Each credential flow of provider/arm/credential.ts with the real @azure/identity against the emulator's token
 * endpoint over https: a client certificate (PEM file), an OIDC token, a token file read at every sign-in, GitHub's
 * request URL, and a bad assertion, which fails with Entra ID's code in the message.
 *
 * Run through scripts/run-tests.js, which makes the test CA and trusts it.
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createClientCertificate, startEmulator, type RunningEmulator } from "vmss-identity-emulator";
import { clearCredentialCache, getCredential, resolveCloud, type Cloud } from "../../provider/arm";

const CERT_APP = "55555555-5555-4555-8555-555555555555";
const OIDC_APP = "44444444-4444-4444-8444-444444444444";
const SUBJECT = "repo:contoso/infra:environment:prod";

describe("credential flows against the emulator (@azure/identity, https)", function () {
  let emulator: RunningEmulator;
  let cloud: Cloud;
  let dir: string;
  let certFile: string;

  const appidOf = async (env: NodeJS.ProcessEnv) => {
    const token = await getCredential(cloud, env).getToken(cloud.tokenScope);
    assert.ok(token);
    return JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString()).appid as string;
  };

  before(async function () {
    const caDir = process.env.VMSS_TEST_CA_DIR;
    if (!caDir) throw new Error("run through scripts/run-tests.js: it makes the test CA and trusts it");
    const [cert] = await Promise.all([createClientCertificate()]);
    emulator = await startEmulator({ tls: { caDir } });
    emulator.admin.registerApplication({ clientId: CERT_APP, certificates: [cert.certPem] });
    emulator.admin.registerApplication({
      clientId: OIDC_APP,
      federatedCredentials: [{ issuer: emulator.admin.oidcIssuerUrl(), subject: SUBJECT }],
    });
    cloud = resolveCloud({ endpoint: emulator.url }, {});
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "credential-flows-"));
    certFile = path.join(dir, "client.pem");
    fs.writeFileSync(certFile, cert.certPem + cert.keyPem, { mode: 0o600 });
  });

  afterEach(() => clearCredentialCache());

  after(async function () {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("signs in with a client certificate (ARM_CLIENT_CERTIFICATE_PATH)", async function () {
    const env = { ARM_TENANT_ID: emulator.tenantId, ARM_CLIENT_ID: CERT_APP, ARM_CLIENT_CERTIFICATE_PATH: certFile };
    assert.equal(await appidOf(env), CERT_APP);
  });

  it("a certificate file without its key, or a key the password does not open, is named plainly", async function () {
    const certOnly = path.join(dir, "cert-only.pem");
    fs.writeFileSync(certOnly, fs.readFileSync(certFile, "utf8").replace(/-----BEGIN PRIVATE KEY-----[\s\S]*$/, ""));
    const ids = { ARM_TENANT_ID: emulator.tenantId, ARM_CLIENT_ID: CERT_APP };
    await assert.rejects(
      getCredential(cloud, { ...ids, ARM_CLIENT_CERTIFICATE_PATH: certOnly }).getToken(cloud.tokenScope),
      (e: Error) => {
        assert.equal(
          e.message,
          `the client certificate file ${JSON.stringify(certOnly)} (ARM_CLIENT_CERTIFICATE_PATH) holds no private ` +
            "key, or its key is encrypted and no client certificate password is set",
        );
        return true;
      },
    );
    // The key encrypted with one password, the setting another: never the password in the message.
    const pem = fs.readFileSync(certFile, "utf8");
    const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]*-----END PRIVATE KEY-----/.exec(pem)![0];
    const encrypted = path.join(dir, "encrypted.pem");
    const sealed = createPrivateKey(keyPem).export({
      format: "pem",
      type: "pkcs8",
      cipher: "aes-256-cbc",
      passphrase: "the-right-one",
    });
    fs.writeFileSync(encrypted, pem.replace(keyPem, String(sealed)));
    const env = { ...ids, ARM_CLIENT_CERTIFICATE_PATH: encrypted, ARM_CLIENT_CERTIFICATE_PASSWORD: "Wrong-Pass-123" };
    await assert.rejects(getCredential(cloud, env).getToken(cloud.tokenScope), (e: Error) => {
      assert.match(
        e.message,
        /holds no private key, or the client certificate password \(ARM_CLIENT_CERTIFICATE_PASSWORD\) does not decrypt it$/,
      );
      assert.ok(!e.message.includes("Wrong-Pass-123"));
      return true;
    });
    clearCredentialCache();
    const token = await getCredential(cloud, { ...env, ARM_CLIENT_CERTIFICATE_PASSWORD: "the-right-one" }).getToken(
      cloud.tokenScope,
    );
    assert.ok(token, "the right password opens the key");
  });

  it("signs in with an OIDC token, a token file read anew, and GitHub's request URL", async function () {
    const ids = { ARM_TENANT_ID: emulator.tenantId, ARM_CLIENT_ID: OIDC_APP, ARM_USE_OIDC: "true" };
    const token = emulator.admin.mintOidcToken({ subject: SUBJECT });
    assert.equal(await appidOf({ ...ids, ARM_OIDC_TOKEN: token }), OIDC_APP);

    const file = path.join(dir, "token");
    fs.writeFileSync(file, `${emulator.admin.mintOidcToken({ subject: SUBJECT })}\n`);
    assert.equal(await appidOf({ ...ids, AZURE_FEDERATED_TOKEN_FILE: file }), OIDC_APP);

    emulator.admin.clearRequests();
    const requestUrl = `${emulator.admin.oidcIssuerUrl()}/token?api-version=2.0`;
    const env = {
      ...ids,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.admin.oidcRequestToken(SUBJECT),
      ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl,
    };
    assert.equal(await appidOf(env), OIDC_APP);
    const asked = emulator.admin.requests().filter((r) => r.path.startsWith("/_oidc/token"));
    // @azure/identity asks for an assertion when it builds the request and again when it sends it.
    assert.ok(asked.length >= 1, "the request URL was asked");
    assert.deepEqual(new Set(asked.map((r) => r.status)), new Set([200]));
  });

  it("a bad assertion fails with Entra ID's code, and the token never appears in the message", async function () {
    const expired = emulator.admin.mintOidcToken({
      subject: SUBJECT,
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
    });
    const env = {
      ARM_TENANT_ID: emulator.tenantId,
      ARM_CLIENT_ID: OIDC_APP,
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN: expired,
    };
    await assert.rejects(getCredential(cloud, env).getToken(cloud.tokenScope), (e: Error) => {
      assert.match(e.message, /AADSTS700024: Client assertion is not within its valid time range/);
      assert.equal(e.message.includes(expired), false);
      return true;
    });
    const wrongSubject = emulator.admin.mintOidcToken({ subject: "repo:contoso/other:ref:refs/heads/main" });
    await assert.rejects(
      getCredential(cloud, { ...env, ARM_OIDC_TOKEN: wrongSubject }).getToken(cloud.tokenScope),
      /AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:contoso\/other:ref:refs\/heads\/main'/,
    );
  });
});

describe("managed identity against the emulator's App Service-style endpoint (@azure/identity)", function () {
  let emulator: RunningEmulator;
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

  before(async function () {
    const caDir = process.env.VMSS_TEST_CA_DIR;
    if (!caDir) throw new Error("run through scripts/run-tests.js: it makes the test CA and trusts it");
    emulator = await startEmulator({ tls: { caDir } });
  });

  after(async function () {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    clearCredentialCache();
    await emulator.close();
  });

  it("signs in as the machine's identity with ARM_USE_MSI (ManagedIdentityCredential reads IDENTITY_ENDPOINT)", async function () {
    const msi = emulator.admin.managedIdentityEndpoint();
    // ManagedIdentityCredential reads the process environment itself, as on an App Service machine.
    process.env.IDENTITY_ENDPOINT = msi.endpoint;
    process.env.IDENTITY_HEADER = msi.header;
    const cloud = resolveCloud({ endpoint: emulator.url }, {});
    const token = await getCredential(cloud, { ARM_USE_MSI: "true" }).getToken(cloud.tokenScope);
    assert.ok(token);
    const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
    assert.equal(claims.appid, msi.clientId);
    const asked = emulator.admin.requests().filter((r) => r.path === "/msi/token");
    assert.deepEqual(
      asked.map((r) => r.status),
      [200],
    );
  });
});
