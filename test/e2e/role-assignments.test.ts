/**
 * The role-assignments recipe under the real Pulumi engine, against the emulator at ARM's replication delay (30 s):
 * a scale set created with its system identity and a user identity, and two role assignments made on the first `up`
 * (principalType); the preview names them with no request; an assignment deleted behind Pulumi's back is found by
 * refresh and restored by up; a failed up (a scope that does not exist) takes no access away, so the program put back
 * finds it in place; turning the system identity off deletes its assignment before the PATCH; destroy
 * leaves none. One stack for every step (an engine run costs ~2.5 s of CPU).
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { PulumiProject } from "../support/pulumiProject";
import { createIdentity, createResourceGroup, identityOf, startWorld, type World } from "../support/world";

const RECIPE = path.resolve(__dirname, "../../examples/recipes/role-assignments");
const ADMIN_PASSWORD = "Recipe-Passw0rd!x";

describe("e2e: role assignments owned with the identity (recipe role-assignments)", function () {
  this.timeout(300_000);
  let world: World;
  let stack: PulumiProject;
  let storage: string;
  let vault: string;
  const assignments = () => world.emulator.admin.state().roleAssignments ?? [];
  const planLines = (preview: { diagnostics?: { message: string }[] }) =>
    (preview.diagnostics ?? []).map((d) => d.message).filter((m) => m.includes("role assignments for"));

  before(async () => {
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    world = await startWorld(); // the emulator's default replication delay: 30 s, as ARM
    const rg = await createResourceGroup(world, "myResourceGroup");
    storage = `${rg}/providers/Microsoft.Storage/storageAccounts/mydata`;
    vault = `${rg}/providers/Microsoft.KeyVault/vaults/myvault`;
    const userIdentityId = await createIdentity(world, "myResourceGroup", "reader");
    stack = await PulumiProject.create({
      cli,
      env: world.env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: RECIPE,
      projectName: "role-assignments",
      inProcess: true,
    });
    await stack.configure(
      { resourceGroupName: "myResourceGroup", userIdentityId, storageAccountId: storage, keyVaultId: vault },
      { adminPassword: ADMIN_PASSWORD },
    );
  });
  after(async () => world?.close());

  it("preview names both assignments with no request; the first up makes them for principals seconds old", async () => {
    world.emulator.admin.clearRequests();
    const preview = await stack.preview();
    assert.deepEqual(world.emulator.admin.requests(), [], "preview talked to ARM");
    const [line] = planLines(preview);
    assert.match(
      line ?? "",
      /add Storage Blob Data Reader on .*storageAccounts\/mydata for the system-assigned identity/,
    );
    assert.match(line ?? "", /Key Vault Secrets User on .*vaults\/myvault for .*userAssignedIdentities\/reader/);

    await stack.up();
    const outputs = await stack.outputs();
    const held = assignments();
    assert.deepEqual(
      held.map((a) => a.principalType),
      ["ServicePrincipal", "ServicePrincipal"],
    );
    const state = await identityOf(world, String(outputs.scaleSetId));
    assert.deepEqual(
      held.map((a) => [a.scope, a.principalId]).sort(),
      [
        [storage, state.principalId],
        [vault, state.user.values().next().value?.principalId],
      ].sort(),
    );
    assert.deepEqual(
      (outputs.roleAssignmentIds as string[]).map((id) => id.toLowerCase()).sort(),
      held.map((a) => `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`.toLowerCase()).sort(),
    );
    assert.ok(
      !world.emulator.admin.requests().some((r) => r.errorCode === "PrincipalNotFound"),
      "no PrincipalNotFound on the way",
    );
    await stack.must(["preview", "--expect-no-changes"]);
  });

  it("an assignment deleted behind Pulumi's back: refresh finds it, up makes it again under the same name", async () => {
    const [gone] = assignments().filter((a) => a.scope === vault);
    await world.arm.request({
      method: "DELETE",
      path: `${vault}/providers/Microsoft.Authorization/roleAssignments/${gone.name}`,
      apiVersion: "2022-04-01",
    });
    await stack.refresh();
    assert.match(planLines(await stack.preview()).join("\n"), /add Key Vault Secrets User on .*myvault/);
    await stack.up();
    assert.ok(assignments().some((a) => a.scope === vault && a.name === gone.name));
  });

  it("a failed up takes away no access: a scope that does not exist fails, the program put back finds the assignment in place", async () => {
    const [before] = assignments().filter((a) => a.scope === vault);
    const nowhere = vault.replace("/resourceGroups/myResourceGroup/", "/resourceGroups/nope/");
    await stack.configure({ keyVaultId: nowhere });
    world.emulator.admin.clearRequests();
    await assert.rejects(stack.up(), /ResourceGroupNotFound/, "the up fails");
    assert.ok(
      !world.emulator.admin.requests().some((r) => r.method === "DELETE"),
      "nothing deleted before the additions succeeded",
    );
    await stack.configure({ keyVaultId: vault });
    await stack.up();
    assert.ok(
      assignments().some((a) => a.scope === vault && a.name === before.name),
      "the Key Vault assignment is in place",
    );
    await stack.must(["preview", "--expect-no-changes"]);
  });

  it("turning the system identity off deletes its assignment before the PATCH; destroy leaves none", async () => {
    await stack.configure({ systemAssigned: "false" });
    assert.match(planLines(await stack.preview()).join("\n"), /remove Storage Blob Data Reader on .*mydata/);
    world.emulator.admin.clearRequests();
    await stack.up();
    const writes = world.emulator.admin
      .requests()
      .filter((r) => r.method === "DELETE" || r.method === "PATCH")
      .map((r) => `${r.method} ${r.path.includes("roleAssignments") ? "roleAssignment" : "scaleSet"}`);
    assert.deepEqual(writes, ["DELETE roleAssignment", "PATCH scaleSet"]);
    assert.deepEqual(
      assignments().map((a) => a.scope),
      [vault],
      "no assignment left whose principal is gone",
    );
    world.emulator.admin.clearRequests();
    await stack.destroy();
    const deletes = world.emulator.admin
      .requests()
      .filter((r) => r.method === "DELETE" || r.method === "PATCH")
      .map((r) => `${r.method} ${r.path.includes("roleAssignments") ? "roleAssignment" : "scaleSet"}`);
    assert.deepEqual(deletes, ["DELETE roleAssignment", "PATCH scaleSet", "DELETE scaleSet"]);
    assert.deepEqual(assignments(), []);
  });
});
