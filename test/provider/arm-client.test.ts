/**
 * ArmClient against the ARM emulator over https, with the real @azure/identity (a client secret credential chosen by
 * getCredential from AZURE_* variables, against the emulator's token endpoint) and undici. Each test drives one
 * fault of the emulator and reads the emulator's request log to show what went over the wire.
 *
 * Run through scripts/run-tests.js (npm run test:provider), which makes the test CA and trusts it.
 */
import assert from "node:assert/strict";
import { Agent } from "undici";
import { startEmulator, type RunningEmulator } from "vmss-identity-emulator";
import {
  ArmClient,
  clearCredentialCache,
  getCredential,
  isArmError,
  resolveCloud,
  type ArmError,
  type RetryEvent,
} from "../../provider/arm";

const COMPUTE_API = "2024-11-01";

async function rejection(promise: Promise<unknown>): Promise<ArmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isArmError(error), `expected an ArmError, got ${String(error)}`);
  return error;
}

describe("ArmClient against the emulator (https, @azure/identity, undici)", () => {
  let emulator: RunningEmulator;
  let agent: Agent;
  let client: ArmClient;
  let retries: RetryEvent[];
  let vmss: string;

  const log = () => emulator.admin.requests();
  const armCalls = (method: string, path: string) =>
    log().filter((r) => r.kind === "arm" && r.method === method && r.path.toLowerCase() === path.toLowerCase());
  const tokenRequests = () => log().filter((r) => r.kind === "token");

  before(async function () {
    const caDir = process.env.VMSS_TEST_CA_DIR;
    if (!caDir || !process.env.NODE_EXTRA_CA_CERTS) {
      throw new Error("run through scripts/run-tests.js (npm run test:provider): it makes the test CA and trusts it");
    }
    emulator = await startEmulator({ tls: { caDir }, opDurationMs: 20 });
  });

  after(async () => {
    await emulator.close();
  });

  beforeEach(async () => {
    emulator.admin.reset();
    clearCredentialCache();
    retries = [];
    // The production path: cloud from an explicit endpoint, credential chosen from the environment.
    const cloud = resolveCloud({ endpoint: emulator.url }, {});
    const credential = getCredential(cloud, {
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: emulator.clientId,
      AZURE_CLIENT_SECRET: emulator.clientSecret,
    });
    agent = new Agent({ connect: { ca: emulator.caPem } });
    client = new ArmClient({
      cloud,
      credential,
      dispatcher: agent,
      pollIntervalMs: 0,
      // Server waits scaled by 1/1000 (a Retry-After of 3 s becomes 3 ms): the decision stays visible in the retry
      // events, the test stays fast. Backoff is short but real, so a 409 outlasts a 200 ms operation.
      retry: { retryAfterScale: 0.001, baseDelayMs: 40, maxRetries: 8 },
      onRetry: (event) => retries.push(event),
    });
    const rg = `/subscriptions/${emulator.subscriptionId}/resourceGroups/rg-transport`;
    await client.execute({ method: "PUT", path: rg, apiVersion: "2021-04-01", body: { location: "eastus" } });
    vmss = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-transport`;
    await client.execute({
      method: "PUT",
      path: vmss,
      apiVersion: COMPUTE_API,
      body: {
        location: "eastus",
        sku: { name: "Standard_D1_v2", tier: "Standard", capacity: 1 },
        properties: { upgradePolicy: { mode: "Manual" } },
      },
    });
    emulator.admin.clearRequests();
  });

  afterEach(async () => {
    await client.close();
    await agent.close();
  });

  const enableSystemIdentity = () =>
    client.execute<{ identity?: { type: string; principalId?: string } }>({
      method: "PATCH",
      path: vmss,
      apiVersion: COMPUTE_API,
      body: { identity: { type: "SystemAssigned" } },
      idempotent: true, // a computed target: the caller says it may be sent twice
    });

  it("makes exactly one token request for many calls, concurrent and sequential", async () => {
    // beforeEach already used the token; a fresh credential cache makes this test count from zero.
    clearCredentialCache();
    const cloud = resolveCloud({ endpoint: emulator.url }, {});
    const fresh = new ArmClient({
      cloud,
      credential: getCredential(cloud, {
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: emulator.clientId,
        AZURE_CLIENT_SECRET: emulator.clientSecret,
      }),
      dispatcher: agent,
    });
    await Promise.all(
      Array.from({ length: 25 }, () => fresh.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API })),
    );
    for (let i = 0; i < 25; i++) await fresh.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    assert.equal(armCalls("GET", vmss).length, 50);
    assert.equal(tokenRequests().length, 1);
    // With instance discovery on, MSAL would have asked login.microsoftonline.com first and failed offline; here the
    // credential only fetched the OpenID configuration of the emulator's authority.
    assert.deepEqual(
      log()
        .filter((r) => r.kind === "discovery")
        .map((r) => r.path),
      [`/${emulator.tenantId}/v2.0/.well-known/openid-configuration`],
    );
  });

  it("follows a PATCH's Azure-AsyncOperation and returns the final GET of the scale set", async () => {
    const response = await enableSystemIdentity();
    assert.equal(response.body.identity?.type, "SystemAssigned");
    assert.match(response.body.identity?.principalId ?? "", /^[0-9a-f-]{36}$/);
    const calls = log().filter((r) => r.kind === "arm");
    assert.equal(calls[0].method, "PATCH");
    assert.ok(calls.slice(1, -1).every((r) => r.method === "GET" && /\/operations\//i.test(r.path)));
    assert.ok(calls.length >= 3, "at least one operation poll");
    assert.equal(calls.at(-1)?.path.toLowerCase(), vmss.toLowerCase());
  });

  it("honours a 429's Retry-After, then succeeds", async () => {
    emulator.admin.injectFault({
      method: "GET",
      pathPattern: "virtualMachineScaleSets",
      count: 2,
      kind: "throttle",
      retryAfterSeconds: 3,
    });
    const response = await client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    assert.equal(response.status, 200);
    assert.deepEqual(
      armCalls("GET", vmss).map((r) => r.status),
      [429, 429, 200],
    );
    // 3 s from Retry-After, scaled by 1/1000: the server's value, not the backoff's.
    assert.deepEqual(
      retries.map((r) => [r.reason, r.delayMs]),
      [
        ["throttled (HTTP 429)", 3],
        ["throttled (HTTP 429)", 3],
      ],
    );
    // The pacer's hold on the throttled budget is scaled alike: not two waits of 3 s.
    const times = armCalls("GET", vmss).map((r) => r.time);
    assert.ok(times[2] - times[0] < 3000, `the retries came ${times[2] - times[0]} ms after the first GET`);
  });

  it("retries a 503 on PATCH and completes the operation", async () => {
    emulator.admin.injectFault({
      method: "PATCH",
      pathPattern: "virtualMachineScaleSets",
      count: 2,
      kind: "status",
      status: 503,
    });
    const response = await enableSystemIdentity();
    assert.equal(response.body.identity?.type, "SystemAssigned");
    assert.deepEqual(
      armCalls("PATCH", vmss).map((r) => r.status),
      [503, 503, 200],
    );
  });

  it("retries a PATCH whose connection was dropped", async () => {
    emulator.admin.injectFault({ method: "PATCH", pathPattern: "virtualMachineScaleSets", count: 1, kind: "drop" });
    const response = await enableSystemIdentity();
    assert.equal(response.body.identity?.type, "SystemAssigned");
    assert.deepEqual(
      armCalls("PATCH", vmss).map((r) => r.status),
      [0, 200],
    );
    assert.match(retries[0].reason, /^connection failed \(/);
  });

  it("surfaces a failed operation as an ArmError with the operation's code, and the change is rolled back", async () => {
    emulator.admin.failNextOperations({ count: 1, code: "InternalExecutionError", message: "boom" });
    const error = await rejection(enableSystemIdentity());
    assert.deepEqual(
      [error.code, error.armMessage, error.method, error.path],
      ["InternalExecutionError", "boom", "PATCH", vmss],
    );
    assert.equal(error.requestId, armCalls("PATCH", vmss)[0].requestId);
    const after = await client.request<{ identity?: unknown }>({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    assert.equal(after.body.identity, undefined);
  });

  it("gets a fresh token once after ARM says the token expired, with one new token request", async () => {
    await client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    const tokensBefore = tokenRequests().length;
    emulator.admin.expireTokens();
    await client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    await client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    assert.deepEqual(
      armCalls("GET", vmss).map((r) => [r.status, r.errorCode]),
      [
        [200, undefined],
        [401, "ExpiredAuthenticationToken"],
        [200, undefined],
        [200, undefined],
      ],
    );
    assert.equal(tokenRequests().length - tokensBefore, 1);
  });

  it("renews once for a burst of requests rejected with a revoked token", async () => {
    await client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API });
    const tokensBefore = tokenRequests().length;
    emulator.admin.revokeTokens();
    await Promise.all(
      Array.from({ length: 10 }, () => client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API })),
    );
    assert.equal(tokenRequests().length - tokensBefore, 1);
    assert.equal(armCalls("GET", vmss).filter((r) => r.status === 200).length, 11);
  });

  it("waits out a 409 Conflict from a write during a running operation", async () => {
    emulator.admin.setOperationDuration(200);
    // Start an operation and do not wait for it.
    await client.request({
      method: "PATCH",
      path: vmss,
      apiVersion: COMPUTE_API,
      body: { identity: { type: "SystemAssigned" } },
    });
    const response = await client.execute<{ tags?: Record<string, string> }>({
      method: "PATCH",
      path: vmss,
      apiVersion: COMPUTE_API,
      body: { tags: { team: "a" } },
    });
    assert.deepEqual(response.body.tags, { team: "a" });
    const statuses = armCalls("PATCH", vmss).map((r) => [r.status, r.errorCode]);
    assert.deepEqual(statuses[0], [200, undefined]);
    assert.deepEqual(statuses[1], [409, "Conflict"]);
    assert.deepEqual(statuses.at(-1), [200, undefined]);
    assert.ok(retries.some((r) => r.reason === "another operation is running (HTTP 409 Conflict)"));
  });

  it("deletes through the operation and then reports 404 as an ArmError", async () => {
    const deleted = await client.execute({ method: "DELETE", path: vmss, apiVersion: COMPUTE_API });
    assert.ok(deleted.status >= 200 && deleted.status < 300);
    const error = await rejection(client.request({ method: "GET", path: vmss, apiVersion: COMPUTE_API }));
    assert.deepEqual([error.code, error.statusCode], ["ResourceNotFound", 404]);
    assert.ok(error.requestId, "the request id is kept");
  });
});
