// The real @azure/identity ClientSecretCredential gets a token from the https emulator, set up as
// docs/emulator.md says it must be: authorityHost = the emulator's URL,
// disableInstanceDiscovery, and a CA trusted through NODE_EXTRA_CA_CERTS. Node reads that variable
// only at process start, so the credential runs in a child `node` started with it set, against an
// emulator whose CA was created first with ensureCa (the caDir approach of docs/emulator.md).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Agent } from "undici";
import { ensureCa, startEmulator, type RunningEmulator } from "vmss-identity-emulator";
import { httpCall } from "./support/harness";

const CHILD = `
const { ClientSecretCredential } = require("@azure/identity");
const credential = new ClientSecretCredential(process.env.T_TENANT, process.env.T_CLIENT, process.env.T_SECRET, {
  authorityHost: process.env.T_AUTHORITY,
  disableInstanceDiscovery: true,
});
(async () => {
  const first = await credential.getToken("https://management.azure.com/.default");
  const second = await credential.getToken("https://management.azure.com/.default");
  process.stdout.write(JSON.stringify({ token: first.token, expiresOnTimestamp: first.expiresOnTimestamp, same: first.token === second.token }));
})().catch((error) => {
  process.stderr.write(String(error && error.message));
  process.exit(1);
});
`;

function runChild(
  emulator: RunningEmulator,
  extraCa: string | undefined,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    T_TENANT: emulator.tenantId,
    T_CLIENT: emulator.clientId,
    T_SECRET: emulator.clientSecret,
    T_AUTHORITY: emulator.url,
  };
  if (extraCa !== undefined) env.NODE_EXTRA_CA_CERTS = extraCa;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-e", CHILD],
      { cwd: path.resolve(__dirname, "../.."), env, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe("emulator: @azure/identity ClientSecretCredential against the https emulator", function () {
  let caDir: string;
  let emulator: RunningEmulator;
  let dispatcher: Agent;

  before(async function () {
    caDir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-ca-test-"));
    await ensureCa(caDir);
    emulator = await startEmulator({ tls: { caDir }, clientSecret: "a-secret-for-the-child" });
    dispatcher = new Agent({ connect: { ca: emulator.caPem } });
  });

  after(async function () {
    await dispatcher.close();
    await emulator.close();
    fs.rmSync(caDir, { recursive: true, force: true });
  });

  it("gets a token (one token request, the second getToken is cached) that ARM calls accept", async function () {
    assert.equal(emulator.caPath, path.join(caDir, "ca.pem"));
    assert.ok(emulator.url.startsWith("https://127.0.0.1:"));
    const child = await runChild(emulator, emulator.caPath);
    assert.equal(child.code, 0, child.stderr);
    const result = JSON.parse(child.stdout) as { token: string; expiresOnTimestamp: number; same: boolean };
    assert.equal(result.same, true);
    assert.ok(result.expiresOnTimestamp > Date.now() + 3000 * 1000);

    const requests = emulator.admin.requests();
    assert.deepEqual(
      requests.map((entry) => [entry.kind, entry.method, entry.status]),
      [
        ["discovery", "GET", 200],
        ["token", "POST", 200],
      ],
    );
    assert.equal(requests[0].path, `/${emulator.tenantId}/v2.0/.well-known/openid-configuration`);

    const arm = await httpCall(`${emulator.url}/subscriptions?api-version=2022-12-01`, {
      method: "GET",
      headers: { authorization: `Bearer ${result.token}` },
      dispatcher,
    });
    assert.equal(arm.status, 200, arm.text);
    assert.equal(arm.body.value[0].subscriptionId, emulator.subscriptionId);
  });

  it("fails without the CA: the certificate really is self-signed, nothing is trusted by accident", async function () {
    emulator.admin.clearRequests();
    const child = await runChild(emulator, undefined);
    assert.notEqual(child.code, 0);
    // MSAL reports the failed TLS handshake as endpoints_resolution_error; the emulator saw no request.
    assert.match(child.stderr, /endpoints_resolution_error|certificate/i);
    assert.deepEqual(emulator.admin.requests(), []);
  });

  it("a second emulator started with the same caDir reuses the CA the child already trusts", async function () {
    const before = fs.readFileSync(path.join(caDir, "ca.pem"), "utf8");
    const second = await startEmulator({ tls: { caDir }, clientSecret: "another" });
    try {
      assert.equal(second.caPem, before);
      const child = await runChild(second, second.caPath);
      assert.equal(child.code, 0, child.stderr);
    } finally {
      await second.close();
    }
  });
});
