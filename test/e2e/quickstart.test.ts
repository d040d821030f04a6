/**
 * The quickstart (the demo's stack) under the real Pulumi engine against the emulator:
 * 1. `up` creates the resource group, two identities, the scale set with its system identity (one PUT) and adds both
 *    user identities (one PATCH); the outputs carry the principal IDs the emulator holds.
 * 2. A second preview has no changes.
 * 3. A capacity change updates the scale set in place (one PATCH without `identity`): every identity stays.
 * 4. The demo's follow-up change (one identity dropped) previews as exactly that removal, and `up` applies it.
 * 5. `destroy` removes everything the stack made.
 * Steps 1 and 2 run the program through the language host, as `npm run demo` does; the others in the test process.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { PulumiProject, stepOf } from "../support/pulumiProject";
import { identityOf, startWorld, userIds, type World } from "../support/world";

const ROOT = path.resolve(__dirname, "../..");

describe("e2e: the quickstart stack", function () {
  this.timeout(300_000);
  let world: World;
  after(async () => world?.close());

  it("comes up with the system identity and two user identities, previews a removal exactly, and destroys cleanly", async () => {
    world = await startWorld();
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    const stack = await PulumiProject.create({
      cli,
      env: world.env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: path.join(ROOT, "examples/quickstart"),
      projectName: "quickstart",
    });
    await stack.configure({}, { adminPassword: "Quickstart-Passw0rd!" });
    await stack.up();

    const scaleSetId = `/subscriptions/${world.subscriptionId}/resourceGroups/quickstart-rg/providers/Microsoft.Compute/virtualMachineScaleSets/myVMSS`;
    const identityIdOf = (name: string) =>
      `/subscriptions/${world.subscriptionId}/resourcegroups/quickstart-rg/providers/microsoft.managedidentity/userassignedidentities/${name}`;
    const state = await identityOf(world, scaleSetId);
    assert.equal(state.system, true);
    assert.deepEqual(userIds(state), [identityIdOf("app-identity"), identityIdOf("ops-identity")]);
    const outputs = await stack.outputs();
    assert.equal(outputs.identityType, "SystemAssigned, UserAssigned");
    assert.equal(outputs.systemPrincipalId, state.principalId);
    assert.deepEqual(
      outputs.userPrincipalIds,
      ["app-identity", "ops-identity"].map((n) => state.user.get(identityIdOf(n))?.principalId),
    );
    await stack.must(["preview", "--expect-no-changes"]);

    // The language host (scripts/pulumi-language-nodejs, as `npm run demo` runs it) has run the program twice; the
    // later commands run it in this process (test/support/inProcessHost.ts), a language host's CPU less each.
    stack.runProgramInProcess();
    await stack.configure({ capacity: "2" });
    const resize = await stack.preview();
    assert.deepEqual(resize.changeSummary, { same: 7, update: 1 });
    assert.equal(stepOf(resize, "pulumi-nodejs:dynamic/pulumi-vmss-identity:ScaleSet", "vmss-scaleset")?.op, "update");
    world.emulator.admin.clearRequests();
    await stack.up();
    const writes = world.emulator.admin.requests().filter((r) => r.method === "PUT" || r.method === "PATCH");
    assert.deepEqual(
      writes.map((r) => `${r.method} ${r.path.split("/").pop()}`),
      ["PATCH myVMSS"],
    );
    const resized = await world.arm.request<{ sku: { capacity: number } }>({
      method: "GET",
      path: scaleSetId,
      apiVersion: "2024-11-01",
    });
    assert.equal(resized.body.sku.capacity, 2);
    const kept = await identityOf(world, scaleSetId);
    assert.equal(kept.principalId, state.principalId, "the system identity survived the update");
    assert.deepEqual(userIds(kept), userIds(state));

    await stack.configure({ assignSecondIdentity: "false" });
    const preview = await stack.preview();
    const step = stepOf(preview, "pulumi-nodejs:dynamic/pulumi-vmss-identity:VmssManagedIdentity", "team-identities");
    assert.equal(step?.op, "update");
    assert.deepEqual(preview.changeSummary, { same: 7, update: 1 });
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [identityIdOf("app-identity")]);

    await stack.destroy();
    await assert.rejects(identityOf(world, scaleSetId), (e: Error & { statusCode?: number }) => e.statusCode === 404);
    const { resourceGroups, identities, scaleSets } = world.emulator.admin.state();
    assert.deepEqual([resourceGroups.length, identities.length, scaleSets.length], [0, 0, 0], "destroy left resources");
  });
});
