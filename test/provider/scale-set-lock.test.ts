// The process-wide write lock per scale set (provider/scaleSetLock.ts): ScaleSet's PATCH and VmssManagedIdentity's
// read-modify-write on the same scale set never overlap inside one process, so neither meets ARM's 409 Conflict, even
// with retries off. The control case shows the emulator does answer 409 when two writes overlap, so the test could
// fail. Real HTTPS, real @azure/identity token, real undici, against the emulator (operations take 300 ms).
import assert from "node:assert/strict";
import * as path from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { Agent } from "undici";
import { startEmulator, type RunningEmulator } from "vmss-identity-emulator";
import { ArmClient, isArmError, resolveCloud } from "../../provider/arm";
import { armIdKey } from "../../provider/identity";
import { scaleSetWriteLocks, withScaleSetWriteLock } from "../../provider/scaleSetLock";
import * as identityRuntime from "../../provider/runtime";
import * as scaleSetRuntime from "../../components/scaleSetRuntime";

const ROOT = path.resolve(__dirname, "../..");
const RG = "lockRg";

describe("one write lock per scale set, taken by every write", function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let client: ArmClient;
  let sub: string;
  let id1: string;

  const scaleSetId = (name: string) =>
    `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
  const conflicts = () => emulator.admin.requests().filter((r) => r.status === 409).length;

  async function createScaleSet(name: string): Promise<Record<string, unknown>> {
    const { inputs, failures } = scaleSetRuntime.check(
      {},
      {
        subscriptionId: sub,
        resourceGroupName: RG,
        scaleSetName: name,
        location: "eastus",
        sku: { name: "Standard_D1_v2", tier: "Standard", capacity: 2 },
        upgradePolicy: { mode: "Manual" },
        extraProperties: { orchestrationMode: "Flexible" },
      },
    );
    assert.deepEqual(failures, []);
    return (await scaleSetRuntime.create(inputs, { client })).outs as unknown as Record<string, unknown>;
  }

  before(async () => {
    emulator = await startEmulator({
      tls: { caDir: process.env.VMSS_TEST_CA_DIR ?? path.join(ROOT, ".test-tls") },
      opDurationMs: 300,
    });
    sub = emulator.subscriptionId;
    client = new ArmClient({
      cloud: resolveCloud({ endpoint: emulator.url }),
      credential: new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
        authorityHost: emulator.url,
        disableInstanceDiscovery: true,
      }),
      dispatcher: new Agent({ connect: { ca: emulator.caPem } }),
      pollIntervalMs: 20,
      retry: { maxRetries: 0 },
    });
    await client.request({
      method: "PUT",
      path: `/subscriptions/${sub}/resourceGroups/${RG}`,
      apiVersion: "2021-04-01",
      body: { location: "eastus" },
    });
    id1 = (
      await client.request<{ id: string }>({
        method: "PUT",
        path: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1`,
        apiVersion: "2023-01-31",
        body: { location: "eastus" },
      })
    ).body.id;
  });

  after(async () => {
    await client?.close();
    await emulator?.close();
  });

  it("control: two writes that overlap meet 409 Conflict (retries off)", async () => {
    await createScaleSet("control");
    const before = conflicts();
    const results = await Promise.allSettled([
      client.execute({
        method: "PATCH",
        path: scaleSetId("control"),
        apiVersion: "2024-11-01",
        body: { tags: { a: "1" } },
      }),
      client.execute({
        method: "PATCH",
        path: scaleSetId("control"),
        apiVersion: "2024-11-01",
        body: { tags: { b: "2" } },
      }),
    ]);
    const failed = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(failed.length, 1);
    assert.ok(isArmError(failed[0]) && failed[0].statusCode === 409, String(failed[0]));
    assert.equal(conflicts(), before + 1);
  });

  it("ScaleSet's capacity PATCH and VmssManagedIdentity's identity PATCH on one scale set both land, without a 409", async () => {
    const outs = await createScaleSet("shared");
    const before = conflicts();
    const news = { ...outs, sku: { name: "Standard_D1_v2", tier: "Standard", capacity: 5 } };
    await Promise.all([
      scaleSetRuntime.update(outs, news, { client }),
      identityRuntime.create(
        { scaleSetId: scaleSetId("shared"), userAssignedIdentities: [id1], mode: "additive" },
        { client },
      ),
      scaleSetRuntime.update(outs, { ...news, tags: { owner: "lock-test" } }, { client }),
    ]);
    assert.equal(conflicts(), before, "a write met 409 Conflict");
    const stored = (
      await client.request<{
        sku: { capacity: number };
        identity?: { userAssignedIdentities?: object };
        tags?: object;
      }>({
        method: "GET",
        path: scaleSetId("shared"),
        apiVersion: "2024-11-01",
      })
    ).body;
    assert.equal(stored.sku.capacity, 5);
    assert.deepEqual(Object.keys(stored.identity?.userAssignedIdentities ?? {}).map(armIdKey), [armIdKey(id1)]);
    assert.deepEqual(stored.tags, { owner: "lock-test" });
    assert.equal(scaleSetWriteLocks().size, 0, "every lock was released");
  });

  it("the lock is per scale set (case-insensitive) and shared by every copy of the module", async () => {
    const order: string[] = [];
    const slow = (label: string) => async () => {
      order.push(`${label} start`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push(`${label} end`);
    };
    // A second copy of the module, as a deserialised dynamic provider loads it, uses the same locks.
    const modulePath = require.resolve("../../provider/scaleSetLock");
    const cached = require.cache[modulePath];
    delete require.cache[modulePath];
    const copy = require("../../provider/scaleSetLock") as typeof import("../../provider/scaleSetLock");
    require.cache[modulePath] = cached;
    assert.notEqual(copy.withScaleSetWriteLock, withScaleSetWriteLock);
    await Promise.all([
      withScaleSetWriteLock(scaleSetId("a"), slow("a1")),
      copy.withScaleSetWriteLock(scaleSetId("a").toUpperCase(), slow("a2")),
    ]);
    assert.deepEqual(order, ["a1 start", "a1 end", "a2 start", "a2 end"]);
    order.length = 0;
    await Promise.all([
      withScaleSetWriteLock(scaleSetId("b"), slow("b")),
      withScaleSetWriteLock(scaleSetId("c"), slow("c")),
    ]);
    assert.deepEqual(order.slice(0, 2).sort(), ["b start", "c start"], "other scale sets do not wait");
  });
});
