/**
 * The provider plugin under the real engine, driven by a Pulumi YAML program (a language the dynamic resource cannot
 * serve), against the emulator:
 * 1. `up` adds two identities to a scale set that already has one someone else assigned, which stays.
 * 2. `preview --diff` of a program that drops one identity shows exactly that removal; `up` applies it.
 * 3. `preview --diff` of exclusive mode shows the foreign identity's removal; `up` applies it.
 * 4. Someone assigns the foreign identity again: `refresh` records it, and the next preview shows exclusive mode
 *    removing it.
 * 5. `destroy` removes what the stack owns.
 * 6. `pulumi import` in a second stack adopts what is on the scale set; the code it prints, used as the program,
 *    previews with no change; `destroy` removes the adopted user identity and keeps the system identity on.
 *
 * The plugin is found as a user finds it after `npm install -g pulumi-vmss-identity`: the package's
 * `pulumi-resource-vmss-identity` executable linked into a folder on PATH. The endpoint comes from the provider's
 * configuration (`vmss-identity:endpoint`), the credential from the environment.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { yamlProjectInWorld } from "../support/pulumiProject";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  identityOf,
  patchIdentity,
  startWorld,
  userIds,
  type World,
  pluginOnPath,
} from "../support/world";

const TYPE = "vmss-identity:index:VmssManagedIdentity";

/** A Pulumi YAML program with one VmssManagedIdentity. */
function program(name: string, properties: Record<string, unknown>): string {
  return [
    `name: ${name}`,
    "runtime: yaml",
    "resources:",
    "  ids:",
    `    type: ${TYPE}`,
    `    properties: ${JSON.stringify(properties)}`,
    "outputs:",
    "  identityType: ${ids.identityType}",
    "  others: ${ids.otherUserAssignedIdentities}",
    "",
  ].join("\n");
}

describe("e2e: the provider plugin under a Pulumi YAML program", function () {
  this.timeout(600_000);
  let world: World;
  after(async () => world?.close());

  it("comes up, previews removals in detail, refreshes, imports and destroys", async () => {
    world = await startWorld();
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    const { VMSS_IDENTITY_ARM_ENDPOINT: _fromConfigInstead, ...env } = world.env;
    env.PATH = `${pluginOnPath(world)}${path.delimiter}${env.PATH}`;

    const rgScope = await createResourceGroup(world, "rg");
    const [id1, id2, foreign] = await Promise.all(
      ["app-identity", "ops-identity", "policy-identity"].map((n) => createIdentity(world, "rg", n)),
    );
    const scaleSetId = await createScaleSet(world, "rg", "vmss", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const canonical = (id: string) => id.replace("/resourcegroups/", "/resourceGroups/");

    const projectFile = (properties: Record<string, unknown>) => program("yaml-ids", { scaleSetId, ...properties });
    const stack = await yamlProjectInWorld(world, {
      cli,
      env,
      projectName: "yaml-ids",
      // With a role assignment for a user identity: through the plugin, made after the PATCH that assigns it.
      projectFile: projectFile({
        userAssignedIdentities: [id1, id2],
        roleAssignments: [{ identity: id1, role: "Reader", scope: rgScope }],
      }),
    });
    const write = (text: string) => fs.writeFileSync(path.join(stack.dir, "Pulumi.yaml"), text);
    await stack.configure({ "vmss-identity:endpoint": world.emulator.url });

    // 1. up
    await stack.up();
    assert.deepEqual(
      userIds(await identityOf(world, scaleSetId)),
      [id1, id2, foreign].map((s) => s.toLowerCase()).sort(),
    );
    const outputs = await stack.outputs();
    assert.equal(outputs.identityType, "UserAssigned");
    assert.deepEqual(outputs.others, [canonical(foreign)]);
    const [assignment] = world.emulator.admin.state().roleAssignments ?? [];
    assert.equal(assignment?.scope, rgScope);
    assert.equal(assignment?.principalType, "ServicePrincipal");
    await stack.must(["preview", "--expect-no-changes"]);

    // 2. one identity dropped
    write(projectFile({ userAssignedIdentities: [id2] }));
    const removal = await stack.must(["preview", "--diff"]);
    logDiff("an identity removed", removal.stdout);
    assert.match(removal.stdout, /~ userAssignedIdentities: \[\s+- \[0\]: "[^"]*\/app-identity"\s+\]/);
    assert.doesNotMatch(removal.stdout, /policy-identity/);
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [id2, foreign].map((s) => s.toLowerCase()).sort());
    assert.deepEqual(world.emulator.admin.state().roleAssignments, [], "app-identity's assignment went with it");

    // 3. exclusive mode removes the foreign identity
    write(projectFile({ userAssignedIdentities: [id2], mode: "exclusive" }));
    const exclusive = await stack.must(["preview", "--diff"]);
    logDiff("exclusive mode removing a foreign identity", exclusive.stdout);
    // Not an input, so the display shows the property going: with the foreign identity named.
    assert.match(exclusive.stdout, /- otherUserAssignedIdentities: \[\s+-\s+\[0\]: "[^"]*\/policy-identity"\s+\]/);
    assert.match(exclusive.stdout, /~ mode\s*: "additive" => "exclusive"/);
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [id2.toLowerCase()]);
    await stack.must(["preview", "--expect-no-changes"]);

    // 4. the foreign identity comes back behind Pulumi's back: refresh records it, exclusive mode removes it
    await patchIdentity(world, scaleSetId, { type: "UserAssigned", userAssignedIdentities: { [foreign]: {} } });
    await stack.refresh();
    // Stack outputs keep the program's last values; the resource's state holds what refresh read.
    const exported = JSON.parse((await stack.must(["stack", "export"])).stdout) as {
      deployment: { resources: { type: string; outputs: Record<string, unknown> }[] };
    };
    const refreshed = exported.deployment.resources.find((r) => r.type === TYPE);
    assert.deepEqual(refreshed?.outputs.otherUserAssignedIdentities, [canonical(foreign)]);
    const drift = await stack.must(["preview", "--diff"]);
    logDiff("exclusive mode removing a foreign identity found by refresh", drift.stdout);
    assert.match(drift.stdout, /- otherUserAssignedIdentities: \[\s+-\s+\[0\]: "[^"]*\/policy-identity"\s+\]/);
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), [id2.toLowerCase()]);

    // 5. destroy
    await stack.destroy();
    assert.equal((await identityOf(world, scaleSetId)).user.size, 0);

    // 6. import into a second stack what someone set up by hand
    await patchIdentity(world, scaleSetId, {
      type: "SystemAssigned, UserAssigned",
      userAssignedIdentities: { [id1]: {} },
    });
    const before = await identityOf(world, scaleSetId);
    const adopter = await yamlProjectInWorld(world, {
      cli,
      env,
      projectName: "yaml-adopt",
      projectFile: "name: yaml-adopt\nruntime: yaml\n",
    });
    await adopter.configure({ "vmss-identity:endpoint": world.emulator.url });
    const generated = path.join(adopter.dir, "generated.yaml");
    await adopter.must([
      "import",
      TYPE,
      "ids",
      `${scaleSetId.toLowerCase()}#managedIdentity`,
      "--yes",
      "--protect=false",
      "--out",
      generated,
    ]);
    const code = fs.readFileSync(generated, "utf8");
    console.log(`      pulumi import generated:\n${indent(code)}`);
    // Pulumi YAML's short form of the token (`index` left out) is what the generator writes.
    assert.match(code, /type: vmss-identity:(index:)?VmssManagedIdentity\n/);
    assert.match(code, /systemAssigned: true/);
    assert.ok(code.includes(canonical(id1)), "the adopted identity is declared");
    fs.writeFileSync(path.join(adopter.dir, "Pulumi.yaml"), `name: yaml-adopt\nruntime: yaml\n${code}`);
    await adopter.must(["preview", "--expect-no-changes"]);
    await adopter.destroy();
    const after = await identityOf(world, scaleSetId);
    assert.equal(after.user.size, 0, "the adopted user identity is removed");
    assert.equal(after.system, true, "the system identity found on is kept on");
    assert.equal(after.principalId, before.principalId);
  });
});

describe("e2e: ScaleSetWithIdentity from a Pulumi YAML program, built by the plugin's Construct", function () {
  this.timeout(600_000);
  let world: World;
  after(async () => world?.close());

  it("creates the scale set with its identities, keeps the password out of state, updates in place, destroys", async () => {
    world = await startWorld();
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    const env = { ...world.env, PATH: `${pluginOnPath(world)}${path.delimiter}${world.env.PATH}` };
    const rgScope = await createResourceGroup(world, "rg");
    const identity = await createIdentity(world, "rg", "app-identity");
    const properties = {
      resourceGroupName: "rg",
      scaleSetName: "comp-vmss",
      location: "eastus",
      sku: { name: "Standard_D1_v2", tier: "Standard", capacity: 1 },
      upgradePolicy: { mode: "Manual" },
      systemAssigned: true,
      userAssignedIdentities: [identity],
      // Passed on by Construct to the identity child, which then goes before the scale set on destroy.
      roleAssignments: [{ identity: "system", role: "Reader", scope: rgScope }],
      virtualMachineProfile: {
        osProfile: { computerNamePrefix: "comp", adminUsername: "azureuser", adminPassword: "${adminPassword}" },
      },
    };
    const componentProgram = (props: Record<string, unknown>) =>
      [
        "name: yaml-component",
        "runtime: yaml",
        "config:",
        "  adminPassword:",
        "    type: string",
        "    secret: true",
        "resources:",
        "  vmss:",
        "    type: vmss-identity:index:ScaleSetWithIdentity",
        `    properties: ${JSON.stringify(props)}`,
        "outputs:",
        "  principalId: ${vmss.principalId}",
        "  scaleSetId: ${vmss.scaleSetId}",
        "  userIdentities: ${vmss.userIdentities}",
        "",
      ].join("\n");
    const stack = await yamlProjectInWorld(world, {
      cli,
      env,
      projectName: "yaml-component",
      projectFile: componentProgram(properties),
    });
    const password = "Component-Passw0rd!";
    await stack.configure({}, { adminPassword: password });
    await stack.up();

    const scaleSetId = `/subscriptions/${world.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/comp-vmss`;
    const state = await identityOf(world, scaleSetId);
    assert.equal(state.system, true);
    assert.deepEqual(userIds(state), [identity.toLowerCase()]);
    const outputs = await stack.outputs();
    assert.equal(outputs.scaleSetId, scaleSetId);
    assert.equal(outputs.principalId, state.principalId);
    assert.deepEqual(
      (outputs.userIdentities as { principalId: string }[]).map((u) => u.principalId),
      [state.user.get(identity.toLowerCase())?.principalId],
    );
    const puts = world.emulator.admin.requests().filter((r) => r.method === "PUT" && r.path.endsWith("/comp-vmss"));
    assert.equal(puts.length, 1, "one PUT creates the scale set with its identities");
    assert.deepEqual(
      (world.emulator.admin.state().roleAssignments ?? []).map((a) => [a.principalId, a.scope]),
      [[state.principalId, rgScope]],
    );
    assert.ok(!stack.rawState().includes(password), "the admin password is not in the state file");
    await stack.must(["preview", "--expect-no-changes"]);

    // Capacity up and the user identity dropped: the scale set child PATCHes the sku (never the identity), the
    // identity child PATCHes the removal, and the system identity keeps its principal.
    fs.writeFileSync(
      path.join(stack.dir, "Pulumi.yaml"),
      componentProgram({ ...properties, sku: { ...properties.sku, capacity: 2 }, userAssignedIdentities: [] }),
    );
    const change = await stack.must(["preview", "--diff"]);
    assert.match(change.stdout, /~ userAssignedIdentities: \[\s+- \[0\]: "[^"]*\/app-identity"\s+\]/);
    world.emulator.admin.clearRequests();
    await stack.up();
    const writes = world.emulator.admin.requests().filter((r) => r.method === "PUT" || r.method === "PATCH");
    assert.deepEqual(
      writes.map((r) => `${r.method} ${r.path.split("/").pop()}`),
      ["PATCH comp-vmss", "PATCH comp-vmss"],
    );
    const resized = await world.arm.request<{ sku: { capacity: number } }>({
      method: "GET",
      path: scaleSetId,
      apiVersion: "2024-11-01",
    });
    assert.equal(resized.body.sku.capacity, 2);
    const changed = await identityOf(world, scaleSetId);
    assert.deepEqual([changed.system, changed.principalId, changed.user.size], [true, state.principalId, 0]);

    await stack.destroy();
    await assert.rejects(identityOf(world, scaleSetId), (e: Error & { statusCode?: number }) => e.statusCode === 404);
    assert.deepEqual(world.emulator.admin.state().roleAssignments, [], "destroy leaves no role assignment");
  });
});

function indent(text: string): string {
  return text.replace(/^/gm, "        ");
}

/** The diffs go to the test log: they are the user-visible proof of the detailed diff. */
function logDiff(title: string, text: string): void {
  console.log(`      pulumi preview --diff (${title}):\n${indent(text.trimEnd())}`);
}
