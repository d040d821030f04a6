/**
 * The real Pulumi engine on the examples, against the emulator: one scenario per section of Azure's how-to, each a
 * sequence of program versions (config changes) with `pulumi preview --json`, `up`, a no-change preview, refresh and
 * destroy, asserting what the emulator holds after each step.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { PulumiProject, stepOf, type PreviewDigest } from "../support/pulumiProject";
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

const ROOT = path.resolve(__dirname, "../..");
const RECIPES = path.join(ROOT, "examples/recipes");
const VMSS_IDENTITY = "pulumi-nodejs:dynamic/pulumi-vmss-identity:VmssManagedIdentity";
const ADMIN_PASSWORD = "Recipe-Passw0rd!x";

function cli(): string {
  const cliPath = process.env.PULUMI_CLI;
  if (!cliPath) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
  return cliPath;
}

async function project(world: World, recipe: string): Promise<PulumiProject> {
  return PulumiProject.create({
    cli: cli(),
    env: world.env,
    worldDir: world.dir,
    stateDir: path.join(world.dir, "state"),
    programDir: path.join(RECIPES, recipe),
    projectName: recipe,
    inProcess: true,
  });
}

/** Identities a preview step adds and removes, from the recorded state to the new inputs (lower-cased). */
function identityDelta(preview: PreviewDigest, name: string): { op: string; added: string[]; removed: string[] } {
  const step = stepOf(preview, VMSS_IDENTITY, name);
  assert.ok(step, `no preview step for ${name}: ${JSON.stringify(preview.steps.map((s) => s.urn))}`);
  const before = ((step.oldState?.outputs?.userAssignedIdentities as string[] | undefined) ?? []).map((s) =>
    s.toLowerCase(),
  );
  const after = ((step.newState?.inputs?.userAssignedIdentities as string[] | undefined) ?? []).map((s) =>
    s.toLowerCase(),
  );
  return {
    op: step.op,
    added: after.filter((id) => !before.includes(id)).sort(),
    removed: before.filter((id) => !after.includes(id)).sort(),
  };
}

describe("e2e: the how-to's recipes under the real Pulumi engine", function () {
  this.timeout(300_000);
  let world: World;
  let id1: string;
  let id2: string;
  let foreign: string;

  before(async () => {
    world = await startWorld();
    await createResourceGroup(world, "myResourceGroup");
    id1 = await createIdentity(world, "myResourceGroup", "ID1");
    id2 = await createIdentity(world, "myResourceGroup", "ID2");
    foreign = await createIdentity(world, "myResourceGroup", "assigned-by-someone-else");
  });
  after(async () => world?.close());

  it("assigns and removes user-assigned identities on an existing scale set (2018-06-01+ dictionary), with previews that show the delta", async () => {
    const scaleSetId = await createScaleSet(world, "myResourceGroup", "existing-dict", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const stack = await project(world, "user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1] });

    world.emulator.admin.clearRequests();
    const first = await stack.preview();
    assert.deepEqual(identityDelta(first, "user-identities"), {
      op: "create",
      added: [id1.toLowerCase()],
      removed: [],
    });
    // Preview runs check and diff only: not one request reached the emulator, not even for a token.
    assert.deepEqual(world.emulator.admin.requests(), [], "preview talked to ARM");

    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [foreign, id1].map((s) => s.toLowerCase()).sort());

    await stack.configure({ identities: [id1, id2] });
    world.emulator.admin.clearRequests();
    assert.deepEqual(identityDelta(await stack.preview(), "user-identities"), {
      op: "update",
      added: [id2.toLowerCase()],
      removed: [],
    });
    assert.deepEqual(world.emulator.admin.requests(), [], "preview talked to ARM");
    await stack.up();
    assert.deepEqual(
      userIds(await identityOf(world, scaleSetId)),
      [foreign, id1, id2].map((s) => s.toLowerCase()).sort(),
    );

    await stack.configure({ identities: [id1] });
    assert.deepEqual(identityDelta(await stack.preview(), "user-identities"), {
      op: "update",
      added: [],
      removed: [id2.toLowerCase()],
    });
    await stack.up();
    const after = await identityOf(world, scaleSetId);
    assert.deepEqual(userIds(after), [foreign, id1].map((s) => s.toLowerCase()).sort());

    // No perpetual diff, also when the program spells `resourcegroups` and the service answers `resourceGroups`.
    await stack.configure({ identities: [id1.replace(/resourceGroups/i, "resourcegroups")] });
    await stack.must(["preview", "--expect-no-changes"]);
    await stack.configure({ identities: [id1.replace(/resourcegroups/i, "resourceGroups")] });
    await stack.must(["preview", "--expect-no-changes"]);

    await stack.destroy();
    assert.deepEqual(
      userIds(await identityOf(world, scaleSetId)),
      [foreign.toLowerCase()],
      "destroy kept only the foreign identity",
    );
  });

  it("uses the identityIds array with api-version 2017-12-01, keeping identities it does not own", async () => {
    const scaleSetId = await createScaleSet(world, "myResourceGroup", "existing-ids", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const stack = await project(world, "user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1, id2], apiVersion: "2017-12-01" });
    world.emulator.admin.clearRequests();
    await stack.up();
    const patches = world.emulator.admin.requests().filter((r) => r.method === "PATCH");
    assert.equal(patches.length, 1);
    assert.equal(patches[0].apiVersion, "2017-12-01");
    assert.deepEqual(
      userIds(await identityOf(world, scaleSetId)),
      [foreign, id1, id2].map((s) => s.toLowerCase()).sort(),
    );

    await stack.configure({ identities: [id1] });
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [foreign, id1].map((s) => s.toLowerCase()).sort());
    await stack.must(["preview", "--expect-no-changes"]);
    await stack.destroy();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [foreign.toLowerCase()]);
  });

  it("enables and disables the system-assigned identity on an existing scale set, keeping its user identities", async () => {
    const scaleSetId = await createScaleSet(world, "myResourceGroup", "existing-system", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const stack = await project(world, "system-assigned-existing");
    await stack.configure({ scaleSetId, systemAssigned: "true" });
    await stack.up();
    const enabled = await identityOf(world, scaleSetId);
    assert.equal(enabled.system, true);
    assert.deepEqual(userIds(enabled), [foreign.toLowerCase()]);
    const outputs = await stack.outputs();
    assert.equal(outputs.principalId, enabled.principalId);
    assert.equal(outputs.identityType, "SystemAssigned, UserAssigned");
    await stack.must(["preview", "--expect-no-changes"]);

    await stack.configure({ systemAssigned: "false" });
    const preview = await stack.preview();
    assert.equal(stepOf(preview, VMSS_IDENTITY, "system-identity")?.op, "update");
    await stack.up();
    const disabled = await identityOf(world, scaleSetId);
    assert.equal(disabled.system, false);
    assert.deepEqual(userIds(disabled), [foreign.toLowerCase()]);
    await stack.must(["preview", "--expect-no-changes"]);
    await stack.destroy();
  });

  it("shows an identity removed behind Pulumi's back on refresh, and the next up restores it", async () => {
    const scaleSetId = await createScaleSet(world, "myResourceGroup", "drift");
    const stack = await project(world, "user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1, id2] });
    await stack.up();
    await patchIdentity(world, scaleSetId, { type: "UserAssigned", userAssignedIdentities: { [id2]: null } });

    const refreshed = await stack.run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    assert.notEqual(refreshed.code, 0, "refresh must report the drift");
    await stack.refresh();
    assert.deepEqual(identityDelta(await stack.preview(), "user-identities"), {
      op: "update",
      added: [id2.toLowerCase()],
      removed: [],
    });
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [id1, id2].map((s) => s.toLowerCase()).sort());
    await stack.must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    await stack.destroy();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), []);
  });

  it("warns when it adopts identities that were already assigned, and removes them on destroy as their owner", async () => {
    const scaleSetId = await createScaleSet(world, "myResourceGroup", "adopt", {
      type: "UserAssigned",
      userAssignedIdentities: { [id1]: {} },
    });
    const stack = await project(world, "user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1, id2] });
    world.emulator.admin.clearRequests();
    const up = await stack.up();
    assert.match(up.stdout, /now owns identities that were already assigned/);
    assert.ok(up.stdout.toLowerCase().includes(id1.toLowerCase()), up.stdout);
    assert.equal(world.emulator.admin.requests().filter((r) => r.method === "PATCH").length, 1);
    await stack.destroy();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), []);
  });

  it("lands two VmssManagedIdentity resources on one scale set in one up", async () => {
    const scaleSetId = await createScaleSet(world, "myResourceGroup", "two-owners");
    const stack = await project(world, "two-owners");
    await stack.configure({ scaleSetId, appIdentities: [id1], opsIdentities: [id2] });
    await stack.up();
    const state = await identityOf(world, scaleSetId);
    assert.equal(state.system, true);
    assert.deepEqual(userIds(state), [id1, id2].map((s) => s.toLowerCase()).sort());
    await stack.must(["preview", "--expect-no-changes"]);
    await stack.destroy();
    const after = await identityOf(world, scaleSetId);
    assert.equal(after.system, false);
    assert.deepEqual(userIds(after), []);
  });

  it("replaces the resource when scaleSetId changes: the new scale set gets the identities, the old one is cleaned", async () => {
    const oldId = await createScaleSet(world, "myResourceGroup", "move-from");
    const newId = await createScaleSet(world, "myResourceGroup", "move-to", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const stack = await project(world, "user-assigned-existing");
    await stack.configure({ scaleSetId: oldId, identities: [id1] });
    await stack.up();
    await stack.configure({ scaleSetId: newId });
    const preview = await stack.preview();
    const ops = preview.steps.filter((s) => s.urn.endsWith("::user-identities")).map((s) => s.op);
    assert.ok(ops.includes("replace") || ops.includes("create-replacement"), `ops: ${ops.join(",")}`);
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, oldId)), []);
    assert.deepEqual(userIds(await identityOf(world, newId)), [foreign, id1].map((s) => s.toLowerCase()).sort());
    await stack.destroy();
    assert.deepEqual(userIds(await identityOf(world, newId)), [foreign.toLowerCase()]);
  });

  it("creates a scale set with its system-assigned identity in one PUT and keeps the admin password out of the state file", async () => {
    const stack = await project(world, "system-assigned-at-creation");
    await stack.configure({ resourceGroupName: "myResourceGroup" }, { adminPassword: ADMIN_PASSWORD });
    world.emulator.admin.clearRequests();
    await stack.up();
    const writes = world.emulator.admin.requests().filter((r) => r.method === "PUT" || r.method === "PATCH");
    assert.deepEqual(
      writes.map((r) => r.method),
      ["PUT"],
      "creation is exactly one PUT and the identity child sends no PATCH",
    );
    const outputs = await stack.outputs();
    const state = await identityOf(world, String(outputs.scaleSetId));
    assert.equal(state.system, true);
    assert.equal(outputs.principalId, state.principalId);
    const raw = stack.rawState();
    assert.ok(!raw.includes(ADMIN_PASSWORD), "the admin password is in the state file");
    assert.ok(!raw.includes(world.emulator.clientSecret), "the client secret is in the state file");
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(raw), "something like a bearer token is in the state file");
    await stack.must(["preview", "--expect-no-changes"]);
    await stack.destroy();
  });

  for (const apiVersion of ["2018-06-01", "2017-12-01"]) {
    it(`creates a scale set with a user-assigned identity in one PUT (api-version ${apiVersion})`, async () => {
      const stack = await project(world, "user-assigned-at-creation");
      await stack.configure(
        { resourceGroupName: "myResourceGroup", identityId: id1, apiVersion },
        { adminPassword: ADMIN_PASSWORD },
      );
      world.emulator.admin.clearRequests();
      await stack.up();
      const puts = world.emulator.admin.requests().filter((r) => r.method === "PUT");
      assert.equal(puts.length, 1);
      assert.equal(puts[0].apiVersion, apiVersion);
      const outputs = await stack.outputs();
      assert.deepEqual(userIds(await identityOf(world, String(outputs.scaleSetId))), [id1.toLowerCase()]);
      await stack.must(["preview", "--expect-no-changes"]);
      await stack.destroy();
    });
  }
});
