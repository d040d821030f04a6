/**
 * The VmssManagedIdentity provider (the functions the dynamic provider process runs) against the emulator over real
 * HTTP, with the real @azure/identity ClientSecretCredential on the emulator's https token endpoint and undici.
 * Each ARM fault the emulator can produce must end in the right final state on the scale set.
 */
import assert from "node:assert/strict";
import { ClientSecretCredential } from "@azure/identity";
import { Agent } from "undici";
import { ArmClient, renewableCredential, resolveCloud } from "../../provider/arm";
import * as runtime from "../../provider/runtime";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  identityOf,
  patchIdentity,
  startWorld,
  userIds,
  type World,
} from "../support/world";

type Props = Record<string, unknown>;

describe("VmssManagedIdentity provider against the emulator", function () {
  this.timeout(60_000);
  let world: World;
  let id1: string;
  let id2: string;
  let id3: string;
  let counter = 0;
  const warnings: string[] = [];
  const infos: string[] = [];
  const ctx = () => ({ client: world.arm, warn: (m: string) => warnings.push(m), info: (m: string) => infos.push(m) });
  const inputs = (news: Props): Props => {
    const checked = runtime.check({}, news);
    assert.deepEqual(checked.failures, []);
    return checked.inputs;
  };
  const freshScaleSet = (identity?: Props) => createScaleSet(world, "rg", `vmss${++counter}`, identity);
  const lower = (...ids: string[]) => ids.map((s) => s.toLowerCase()).sort();
  const patches = () => world.emulator.admin.requests().filter((r) => r.method === "PATCH");

  before(async () => {
    world = await startWorld();
    await createResourceGroup(world, "rg");
    id1 = await createIdentity(world, "rg", "id1");
    id2 = await createIdentity(world, "rg", "id2");
    id3 = await createIdentity(world, "rg", "id3");
  });
  after(async () => world?.close());
  beforeEach(() => {
    world.emulator.admin.clearRequests();
    world.emulator.admin.clearFaults();
    warnings.length = 0;
    infos.length = 0;
  });

  it("check and diff make no ARM call and need no credential", () => {
    const news = inputs({
      scaleSetId:
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.compute/virtualmachinescalesets/x",
      userAssignedIdentities: [id1],
    });
    const result = runtime.diff(
      { ...news, userAssignedIdentities: [id1.toUpperCase().replace("/SUBSCRIPTIONS", "/subscriptions")] },
      news,
    );
    assert.equal(result.changes, false);
    assert.equal(world.emulator.admin.requests().length, 0);
  });

  it("create GETs, PATCHes only the delta, follows the operation and reads back principal IDs", async () => {
    const scaleSetId = await freshScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id3]: {} } });
    world.emulator.admin.clearRequests();
    const { outs } = await runtime.create(
      inputs({ scaleSetId, userAssignedIdentities: [id1, id2], systemAssigned: true }),
      ctx(),
    );
    const log = world.emulator.admin.requests();
    assert.equal(log.filter((r) => r.method === "PATCH").length, 1);
    // One scale set GET per change: the PATCH response and the operation say the rest; the principal IDs of the
    // identities it added come from the identities themselves (docs/arm-behavior.md, "Long-running operations").
    const gets = (pattern: RegExp) => log.filter((r) => r.method === "GET" && pattern.test(r.path)).length;
    assert.equal(gets(/virtualMachineScaleSets\/[^/]+$/i), 1);
    assert.equal(gets(/userAssignedIdentities\/[^/]+$/i), 2);
    const state = await identityOf(world, scaleSetId);
    assert.equal(state.system, true);
    assert.deepEqual(userIds(state), lower(id1, id2, id3));
    assert.equal(outs.identityType, "SystemAssigned, UserAssigned");
    assert.equal(outs.principalId, state.principalId);
    assert.deepEqual(
      outs.otherUserAssignedIdentities.map((s) => s.toLowerCase()),
      lower(id3),
    );
    assert.deepEqual(
      outs.userIdentities.map((u) => [u.id.toLowerCase(), u.principalId, u.clientId]),
      [id1, id2].map((id) => {
        const info = state.user.get(id.toLowerCase());
        return [id.toLowerCase(), info?.principalId, info?.clientId];
      }),
    );
    assert.ok(outs.userIdentities.every((u) => typeof u.principalId === "string" && u.principalId.length > 0));
  });

  it("create adopts identities already there with a warning and sends no PATCH when nothing changes", async () => {
    const scaleSetId = await freshScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id1]: {} } });
    world.emulator.admin.clearRequests();
    await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
    assert.equal(patches().length, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /already assigned/);
    assert.ok(warnings[0].toLowerCase().includes(id1.toLowerCase()));
  });

  it("update applies the delta between declarations; delete removes only what the resource owns", async () => {
    const scaleSetId = await freshScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id3]: {} } });
    const first = await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
    const second = await runtime.update(
      first.outs as unknown as Props,
      inputs({ scaleSetId, userAssignedIdentities: [id2] }),
      ctx(),
    );
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id2, id3));
    await runtime.remove(second.outs as unknown as Props, ctx());
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id3));
  });

  it("delete of a resource whose scale set is gone succeeds; read reports it gone", async () => {
    const scaleSetId = await freshScaleSet();
    const { outs } = await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
    await world.arm.execute({ method: "DELETE", path: scaleSetId, apiVersion: "2024-11-01" });
    assert.equal(await runtime.read(outs as unknown as Props, ctx()), undefined);
    await runtime.remove(outs as unknown as Props, ctx());
  });

  it("read reports drift truthfully, and diff then asks for an update", async () => {
    const scaleSetId = await freshScaleSet();
    const news = inputs({ scaleSetId, userAssignedIdentities: [id1, id2], systemAssigned: true });
    const { outs } = await runtime.create(news, ctx());
    await patchIdentity(world, scaleSetId, {
      type: "SystemAssigned, UserAssigned",
      userAssignedIdentities: { [id2]: null },
    });
    const refreshed = await runtime.read(outs as unknown as Props, ctx());
    assert.ok(refreshed);
    assert.deepEqual(
      refreshed.userAssignedIdentities.map((s) => s.toLowerCase()),
      lower(id1),
    );
    assert.equal(runtime.diff(refreshed as unknown as Props, news).changes, true);
    assert.equal(runtime.diff(outs as unknown as Props, news).changes, false);
  });

  it("keeps a system identity that was already on: a warning on create, still on after delete", async () => {
    const scaleSetId = await freshScaleSet({ type: "SystemAssigned" });
    const principalBefore = (await identityOf(world, scaleSetId)).principalId;
    const { outs } = await runtime.create(
      inputs({ scaleSetId, systemAssigned: true, userAssignedIdentities: [id1] }),
      ctx(),
    );
    assert.equal(outs.systemAssignedOwned, false);
    assert.ok(
      warnings.some((w) => w.includes("system-assigned identity") && w.includes(principalBefore ?? "?")),
      warnings.join("\n"),
    );
    // The creation's plan said "turn the system-assigned identity on": up says what it did instead.
    const canonicalId1 = id1.replace("/resourcegroups/", "/resourceGroups/");
    assert.deepEqual(infos.splice(0), [
      `VmssManagedIdentity created on ${scaleSetId}: added ${canonicalId1}; kept the system-assigned identity on ` +
        "(it was already on)",
    ]);
    await runtime.remove(outs as unknown as Props, ctx());
    // The deletion says what it did, in either door.
    assert.deepEqual(infos, [
      `VmssManagedIdentity deleted from ${scaleSetId}: removed ${canonicalId1}; kept the system-assigned identity on (it was ` +
        "on before this resource)",
    ]);
    const after = await identityOf(world, scaleSetId);
    assert.equal(after.system, true);
    assert.equal(after.principalId, principalBefore);
    assert.deepEqual(userIds(after), []);
  });

  it("turns off on delete a system identity it turned on", async () => {
    const scaleSetId = await freshScaleSet();
    const { outs } = await runtime.create(inputs({ scaleSetId, systemAssigned: true }), ctx());
    assert.equal(outs.systemAssignedOwned, true);
    assert.deepEqual(infos.splice(0), [], "creating did what the plan said: nothing more to say");
    await runtime.remove(outs as unknown as Props, ctx());
    assert.deepEqual(infos, [
      `VmssManagedIdentity deleted from ${scaleSetId}: no identity to remove; turned the system-assigned identity off`,
    ]);
    assert.equal((await identityOf(world, scaleSetId)).system, false);
  });

  it("exclusive mode without systemAssigned has no perpetual diff and removes foreign identities", async () => {
    const scaleSetId = await freshScaleSet({
      type: "SystemAssigned, UserAssigned",
      userAssignedIdentities: { [id3]: {} },
    });
    const news = inputs({ scaleSetId, userAssignedIdentities: [id1], mode: "exclusive" });
    assert.equal(news.systemAssigned, false);
    const { outs } = await runtime.create(news, ctx());
    const state = await identityOf(world, scaleSetId);
    assert.equal(state.system, false);
    assert.deepEqual(userIds(state), lower(id1));
    assert.equal(runtime.diff(outs as unknown as Props, news).changes, false);
    const refreshed = await runtime.read(outs as unknown as Props, ctx());
    assert.equal(runtime.diff(refreshed as unknown as Props, news).changes, false);
  });

  it("a 404 that is not ARM's ResourceNotFound never counts as a deleted scale set", async () => {
    const scaleSetId = await freshScaleSet();
    const { outs } = await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
    const elsewhere = new ArmClient({
      cloud: resolveCloud({
        endpoint: `${world.emulator.url}/not-arm`,
        tokenScope: "https://management.azure.com/.default",
      }),
      credential: renewableCredential(
        () =>
          new ClientSecretCredential(world.emulator.tenantId, world.emulator.clientId, world.emulator.clientSecret, {
            authorityHost: world.emulator.url,
            disableInstanceDiscovery: true,
          }),
      ),
      dispatcher: new Agent({ connect: { ca: world.emulator.caPem } }),
      retry: { maxRetries: 0 },
    });
    try {
      await assert.rejects(runtime.read(outs as unknown as Props, { client: elsewhere }), /404/);
      await assert.rejects(runtime.remove(outs as unknown as Props, { client: elsewhere }), /404/);
    } finally {
      await elsewhere.close();
    }
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1), "the identity must still be there");
  });

  it("serialises two resources on one scale set so that both land", async () => {
    const scaleSetId = await freshScaleSet();
    await Promise.all([
      runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx()),
      runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id2], systemAssigned: true }), ctx()),
    ]);
    const state = await identityOf(world, scaleSetId);
    assert.equal(state.system, true);
    assert.deepEqual(userIds(state), lower(id1, id2));
    assert.equal(world.emulator.admin.requests().filter((r) => r.status === 409).length, 0);
  });

  describe("ARM faults end in the right final state", () => {
    const cases: { name: string; fault: Props }[] = [
      {
        name: "429 with Retry-After on the PATCH",
        fault: { method: "PATCH", count: 1, kind: "throttle", retryAfterSeconds: 1 },
      },
      { name: "503 on the GET", fault: { method: "GET", count: 2, kind: "status", status: 503 } },
      { name: "a dropped connection on the PATCH", fault: { method: "PATCH", count: 1, kind: "drop" } },
      {
        name: "412 PreconditionFailed on the PATCH",
        fault: { method: "PATCH", count: 1, kind: "status", status: 412 },
      },
    ];
    for (const { name, fault } of cases) {
      it(name, async () => {
        const scaleSetId = await freshScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id3]: {} } });
        world.emulator.admin.injectFault({ ...fault, pathPattern: scaleSetId.split("/").pop() } as never);
        await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
        assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1, id3));
      });
    }

    it("409 Conflict while another writer's operation runs is waited out", async () => {
      const scaleSetId = await freshScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id3]: {} } });
      world.emulator.admin.setOperationDuration(400);
      try {
        // Another writer's PATCH whose operation is still running when ours arrives (request(), not execute()).
        await world.arm.request({
          method: "PATCH",
          path: scaleSetId,
          apiVersion: "2024-11-01",
          body: { tags: { by: "other" } },
        });
        await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
      } finally {
        world.emulator.admin.setOperationDuration(20);
      }
      assert.ok(
        world.emulator.admin.requests().some((r) => r.status === 409),
        "no 409 was met",
      );
      assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1, id3));
    });

    it("a failed operation is reported with ARM's code and leaves the scale set as it was", async () => {
      const scaleSetId = await freshScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id3]: {} } });
      world.emulator.admin.failNextOperations({ count: 1 });
      await assert.rejects(runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx()), (e: Error) => {
        const code = (e as Error & { code?: string }).code;
        assert.ok(e.message.includes(scaleSetId), e.message);
        assert.ok(typeof code === "string" && code.length > 0 && e.message.includes(code), e.message);
        assert.match(e.message, /request id [0-9a-f-]{36}/);
        return true;
      });
      assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id3));
    });

    it("an expired token is refreshed once and the change lands", async () => {
      const scaleSetId = await freshScaleSet();
      await identityOf(world, scaleSetId);
      world.emulator.admin.expireTokens();
      await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1] }), ctx());
      assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1));
    });

    it("identity keys answered fully lower-cased are neither a diff nor a second owner", async () => {
      const scaleSetId = await freshScaleSet();
      world.emulator.admin.setKeyCasing("lowercase");
      try {
        const news = inputs({ scaleSetId, userAssignedIdentities: [id1] });
        const { outs } = await runtime.create(news, ctx());
        const refreshed = await runtime.read(outs as unknown as Props, ctx());
        assert.ok(refreshed);
        assert.equal(runtime.diff(refreshed as unknown as Props, news).changes, false);
        assert.deepEqual(refreshed.otherUserAssignedIdentities, []);
        assert.equal(refreshed.userAssignedIdentities[0], outs.userAssignedIdentities[0]);
      } finally {
        world.emulator.admin.setKeyCasing("canonical");
      }
    });

    it("LinkedAuthorizationFailed names the missing role and the identity, and changes nothing", async () => {
      const scaleSetId = await freshScaleSet();
      world.emulator.admin.denyAssign(world.emulator.clientId, id2);
      try {
        await assert.rejects(
          runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id2] }), ctx()),
          (e: Error) => {
            assert.match(e.message, /LinkedAuthorizationFailed/);
            assert.match(e.message, /Managed Identity Operator/);
            assert.ok(e.message.toLowerCase().includes(id2.toLowerCase()), e.message);
            return true;
          },
        );
      } finally {
        world.emulator.admin.resetPermissions();
      }
      assert.deepEqual(userIds(await identityOf(world, scaleSetId)), []);
    });
  });
});
