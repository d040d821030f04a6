// The permission model: denyAssign reproduces 403 LinkedAuthorizationFailed (no Managed Identity
// Operator role on an identity named in the request), denyWrite reproduces 403 AuthorizationFailed,
// both with the wording of docs/arm-behavior.md, "Errors", and neither changes anything.
import assert from "node:assert/strict";
import {
  createGroup,
  createIdentity,
  groupPath,
  howToScaleSetBody,
  identityId,
  identityPath,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
} from "./support/harness";

describe("emulator: permissions", function () {
  let h: Harness;
  let path: string;
  let objectId: string;
  const id = (name: string): string => identityId(h.sub, "rg", name);

  before(async function () {
    h = await startHarness({ opDurationMs: 0 });
    path = scaleSetPath(h.sub, "rg", "vmss");
    objectId = JSON.parse(Buffer.from(h.token.split(".")[1], "base64url").toString()).oid;
  });

  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
    await createIdentity(h, "rg", "ID1");
    await createIdentity(h, "rg", "ID2");
    await writeAndWait(h, "PUT", path, {
      body: howToScaleSetBody(h.sub, { type: "UserAssigned", userAssignedIdentities: { [id("ID1")]: {} } }),
    });
  });

  after(async function () {
    await h.close();
  });

  it("denyAssign: assigning that identity is 403 LinkedAuthorizationFailed with ARM's message; nothing changes", async function () {
    h.emulator.admin.denyAssign(h.emulator.clientId, id("ID2").toUpperCase());
    const before = h.emulator.admin.state();
    const result = await h.arm("PATCH", path, {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id("ID2")]: {} } } },
    });
    assert.equal(result.status, 403, result.text);
    assert.equal(result.body.error.code, "LinkedAuthorizationFailed");
    assert.equal(
      result.body.error.message,
      `The client '${objectId}' with object id '${objectId}' has permission to perform action 'Microsoft.Compute/virtualMachineScaleSets/write' on scope '/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss'; however, it does not have permission to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '${id("ID2").replace("/resourceGroups/", "/resourcegroups/")}' or the linked scope(s) are invalid.`,
    );
    assert.deepEqual(h.emulator.admin.state(), before);
  });

  it("denyAssign applies to removing that identity too, and to 2017-12-01 identityIds", async function () {
    h.emulator.admin.denyAssign(h.emulator.clientId, id("ID1"));
    const remove = await h.arm("PATCH", path, {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id("ID1")]: null, [id("ID2")]: {} } } },
    });
    assert.equal(remove.status, 403);
    const asArray = await h.arm("PATCH", path, {
      apiVersion: "2017-12-01",
      body: { identity: { type: "UserAssigned", identityIds: [id("ID1"), id("ID2")] } },
    });
    assert.equal(asArray.status, 403);
    assert.equal(asArray.body.error.code, "LinkedAuthorizationFailed");
  });

  it("denyAssign does not touch identities the request does not name, nor other clients", async function () {
    h.emulator.admin.denyAssign(h.emulator.clientId, id("ID1"));
    h.emulator.admin.denyAssign("another-client", id("ID2"));
    const { response, operation } = await writeAndWait(h, "PATCH", path, {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id("ID2")]: {} } } },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(operation.status, "Succeeded");
    // type SystemAssigned drops ID1 without naming it: no linked check (docs/arm-behavior.md, "PATCH merge rules", azure-cli#6845).
    const drop = await writeAndWait(h, "PATCH", path, { body: { identity: { type: "SystemAssigned" } } });
    assert.equal(drop.response.status, 200);
  });

  it("denyWrite on a scope: writes below it are 403 AuthorizationFailed, reads are not", async function () {
    h.emulator.admin.denyWrite(h.emulator.clientId, groupPath(h.sub, "RG"));
    const before = h.emulator.admin.state();
    const patch = await h.arm("PATCH", path, { body: { identity: { type: "None" } } });
    assert.equal(patch.status, 403);
    assert.equal(patch.body.error.code, "AuthorizationFailed");
    assert.equal(
      patch.body.error.message,
      `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action 'Microsoft.Compute/virtualMachineScaleSets/write' over scope '/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    const del = await h.arm("DELETE", path);
    assert.equal(del.status, 403);
    assert.match(del.body.error.message, /'Microsoft\.Compute\/virtualMachineScaleSets\/delete'/);
    const identityPut = await h.arm("PUT", identityPath(h.sub, "rg", "ID3"), {
      apiVersion: "2023-01-31",
      body: { location: "westus" },
    });
    assert.equal(identityPut.status, 403);
    assert.equal((await h.arm("GET", path)).status, 200);
    assert.deepEqual(h.emulator.admin.state(), before);
    const elsewhere = await h.arm("PUT", groupPath(h.sub, "rg2"), {
      apiVersion: "2021-04-01",
      body: { location: "westus" },
    });
    assert.equal(elsewhere.status, 201, "scopes are matched on whole segments: rg2 is not under rg");
  });

  it("resetPermissions allows everything again; bad input names the property", async function () {
    h.emulator.admin.denyWrite(h.emulator.clientId, `/subscriptions/${h.sub}`);
    h.emulator.admin.resetPermissions();
    assert.equal((await h.arm("PATCH", path, { body: { tags: {} } })).status, 200);
    assert.throws(
      () => h.emulator.admin.denyAssign(h.emulator.clientId, "ID1"),
      /denyAssign\.identityId: expected a user-assigned identity ID/,
    );
    assert.throws(
      () => h.emulator.admin.denyWrite("", "/subscriptions/x"),
      /denyWrite\.clientId: expected a non-empty string, got ""/,
    );
    assert.throws(
      () => h.emulator.admin.denyWrite("c", "rg"),
      /denyWrite\.scopeId: expected an ARM ID starting with \/subscriptions\//,
    );
  });
});
