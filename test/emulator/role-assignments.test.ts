// Microsoft.Authorization over real HTTP: the built-in role definitions, and role assignments at every scope with
// ARM's rules (docs/arm-behavior.md, "Role assignments"): PrincipalNotFound during the replication delay unless
// principalType is given, RoleAssignmentExists, RoleAssignmentUpdateNotPermitted, AuthorizationFailed, the forced
// PrincipalNotFound fault, the list filters, and assignments that outlive their principal.
import assert from "node:assert/strict";
import {
  createGroup,
  createIdentity,
  groupPath,
  howToScaleSetBody,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
  type Json,
} from "./support/harness";

const API = "2022-04-01";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const NAME_A = "0a3b6c9f-1111-4a2b-8c3d-000000000001";
const NAME_B = "0a3b6c9f-1111-4a2b-8c3d-000000000002";
const NAME_C = "0a3b6c9f-1111-4a2b-8c3d-000000000003";
const compact = (guid: string): string => guid.replace(/-/g, "");

describe("emulator: role assignments and role definitions (Microsoft.Authorization)", function () {
  let h: Harness;
  let rg: string;
  let storage: string;
  let roleId: (guid: string) => string;
  const assignmentPath = (scope: string, name: string): string =>
    `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
  const body = (role: string, principalId: string, principalType?: string): Json => ({
    properties: { roleDefinitionId: roleId(role), principalId, ...(principalType ? { principalType } : {}) },
  });
  const put = (scope: string, name: string, payload: Json, apiVersion = API) =>
    h.arm("PUT", assignmentPath(scope, name), { apiVersion, body: payload });

  before(async function () {
    // A 1 s delay: long enough to meet, short enough to wait out once.
    h = await startHarness({ opDurationMs: 0, principalReplicationDelayMs: 1000 });
    rg = groupPath(h.sub, "rg");
    storage = `${rg}/providers/Microsoft.Storage/storageAccounts/data`;
    roleId = (guid) => `/subscriptions/${h.sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  });

  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
  });

  after(async function () {
    await h?.close();
  });

  it("role definitions: the built-in roles with Azure's GUIDs, by ID at any scope and by roleName filter", async function () {
    const byName = await h.arm(
      "GET",
      `${rg}/providers/Microsoft.Authorization/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Storage Blob Data Reader'")}`,
      { apiVersion: API },
    );
    assert.equal(byName.status, 200, byName.text);
    assert.deepEqual(
      byName.body.value.map((d: Json) => [d.name, d.id, d.properties.type]),
      [[BLOB_READER, roleId(BLOB_READER), "BuiltInRole"]],
    );
    const all = await h.arm("GET", `/subscriptions/${h.sub}/providers/Microsoft.Authorization/roleDefinitions`, {
      apiVersion: API,
    });
    const names = new Map(all.body.value.map((d: Json) => [d.properties.roleName, d.name]));
    for (const [role, guid] of [
      ["Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"],
      ["Contributor", CONTRIBUTOR],
      ["Reader", READER],
      ["User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"],
      ["Managed Identity Operator", "f1a07417-d97a-45cb-824c-7a7467783830"],
      ["Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
      ["Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"],
      ["Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2"],
    ]) {
      assert.equal(names.get(role), guid, role);
    }
    const tenantLevel = await h.arm("GET", `/providers/Microsoft.Authorization/roleDefinitions/${READER}`, {
      apiVersion: API,
    });
    assert.equal(tenantLevel.status, 200, tenantLevel.text);
    assert.equal(tenantLevel.body.id, `/providers/Microsoft.Authorization/roleDefinitions/${READER}`);
    const missing = await h.arm("GET", `${rg}/providers/Microsoft.Authorization/roleDefinitions/${NAME_A}`, {
      apiVersion: API,
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "RoleDefinitionDoesNotExist");
    const badVersion = await h.arm("GET", `${rg}/providers/Microsoft.Authorization/roleAssignments`, {
      apiVersion: "2024-11-01",
    });
    assert.equal(badVersion.status, 400);
    assert.equal(badVersion.body.error.code, "NoRegisteredProviderFound");
  });

  it("a new identity's principal: PrincipalNotFound without principalType until it replicates, 201 at once with it", async function () {
    const identity = await createIdentity(h, "rg", "ID1");
    const principalId: string = identity.properties.principalId;
    const early = await put(rg, NAME_A, body(READER, principalId));
    assert.equal(early.status, 400, early.text);
    assert.equal(early.body.error.code, "PrincipalNotFound");
    assert.equal(
      early.body.error.message,
      `Principal ${compact(principalId)} does not exist in the directory ${h.emulator.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
    assert.equal(h.emulator.admin.state().roleAssignments?.length, 0, "nothing created");

    const typed = await put(rg, NAME_A, body(READER, principalId, "ServicePrincipal"));
    assert.equal(typed.status, 201, typed.text);
    assert.deepEqual(
      {
        ...typed.body,
        properties: { ...typed.body.properties, createdOn: "t", updatedOn: "t", createdBy: "c", updatedBy: "c" },
      },
      {
        properties: {
          roleDefinitionId: roleId(READER),
          principalId,
          principalType: "ServicePrincipal",
          scope: rg,
          condition: null,
          conditionVersion: null,
          createdOn: "t",
          updatedOn: "t",
          createdBy: "c",
          updatedBy: "c",
          delegatedManagedIdentityResourceId: null,
          description: null,
        },
        id: assignmentPath(rg, NAME_A),
        type: "Microsoft.Authorization/roleAssignments",
        name: NAME_A,
      },
    );
    // 2015-07-01 has no principalType property: ARM ignores it there, so the replication delay still applies.
    const old = await put(storage, NAME_B, body(CONTRIBUTOR, principalId, "ServicePrincipal"), "2015-07-01");
    assert.equal(old.status, 400);
    assert.equal(old.body.error.code, "PrincipalNotFound");

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const late = await put(storage, NAME_B, body(CONTRIBUTOR, principalId), "2015-07-01");
    assert.equal(late.status, 201, late.text);
    assert.deepEqual(Object.keys(late.body.properties), ["roleDefinitionId", "principalId", "scope"]);
    const read = await h.arm("GET", assignmentPath(storage, NAME_B), { apiVersion: API });
    assert.equal(read.body.properties.principalType, "ServicePrincipal", "ARM fills in the principal's kind");
  });

  it("unknown principals, wrong principalType, duplicates under another name and updates are refused as ARM does", async function () {
    const unknown = await put(rg, NAME_A, body(READER, "9d1c5f60-0000-4000-8000-000000000000", "ServicePrincipal"));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "PrincipalNotFound");

    const caller: string = JSON.parse(Buffer.from(h.token.split(".")[1], "base64url").toString()).oid;
    const userType = await put(rg, NAME_A, body(READER, caller, "User"));
    assert.equal(userType.status, 400);
    assert.equal(userType.body.error.code, "UnmatchedPrincipalType");

    assert.equal((await put(rg, NAME_A, body(READER, caller, "ServicePrincipal"))).status, 201);
    const again = await put(rg, NAME_A, { properties: { ...body(READER, caller).properties, description: "why" } });
    assert.equal(again.status, 200, "the same assignment again: 200, description updated");
    assert.equal(again.body.properties.description, "why");

    const duplicate = await put(
      rg.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
      NAME_B,
      body(READER, caller),
    );
    assert.equal(duplicate.status, 409, duplicate.text);
    assert.equal(duplicate.body.error.code, "RoleAssignmentExists");
    assert.equal(
      duplicate.body.error.message,
      `The role assignment already exists. The ID of the existing role assignment is ${compact(NAME_A)}.`,
    );

    const changed = await put(rg, NAME_A, body(CONTRIBUTOR, caller));
    assert.equal(changed.status, 409);
    assert.equal(changed.body.error.code, "RoleAssignmentUpdateNotPermitted");
    assert.equal(
      changed.body.error.message,
      "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    );

    const notGuid = await put(rg, "reader-for-app", body(READER, caller));
    assert.equal(notGuid.body.error.code, "InvalidRoleAssignmentId");
    const badRole = await put(rg, NAME_C, body(NAME_C, caller));
    assert.equal(badRole.status, 400);
    assert.equal(badRole.body.error.code, "RoleDefinitionDoesNotExist");
    const noGroup = await put(groupPath(h.sub, "nowhere"), NAME_C, body(READER, caller));
    assert.equal(noGroup.body.error.code, "ResourceGroupNotFound");
    assert.equal(h.emulator.admin.state().roleAssignments?.length, 1);
  });

  it("the caller needs roleAssignments/write at the scope: 403 AuthorizationFailed; the forced fault beats principalType", async function () {
    const caller: string = JSON.parse(Buffer.from(h.token.split(".")[1], "base64url").toString()).oid;
    h.emulator.admin.denyWrite(h.emulator.clientId, `${rg}/providers/Microsoft.Authorization/roleAssignments`);
    const denied = await put(rg, NAME_A, body(READER, caller, "ServicePrincipal"));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, "AuthorizationFailed");
    assert.match(
      denied.body.error.message,
      /perform action 'Microsoft\.Authorization\/roleAssignments\/write' over scope/,
    );
    h.emulator.admin.resetPermissions();

    h.emulator.admin.forcePrincipalNotFound(1);
    const forced = await put(rg, NAME_A, body(READER, caller, "ServicePrincipal"));
    assert.equal(forced.body.error.code, "PrincipalNotFound");
    assert.equal((await put(rg, NAME_A, body(READER, caller, "ServicePrincipal"))).status, 201, "one hit only");
  });

  it("lists: at, above and below without a filter; atScope() at and above; principalId eq anywhere; DELETE 200 then 204", async function () {
    const caller: string = JSON.parse(Buffer.from(h.token.split(".")[1], "base64url").toString()).oid;
    const identity = await createIdentity(h, "rg", "ID1");
    const other: string = identity.properties.principalId;
    const sub = `/subscriptions/${h.sub}`;
    assert.equal((await put(sub, NAME_A, body(READER, caller, "ServicePrincipal"))).status, 201);
    assert.equal((await put(rg, NAME_B, body(CONTRIBUTOR, other, "ServicePrincipal"))).status, 201);
    assert.equal((await put(storage, NAME_C, body(BLOB_READER, other, "ServicePrincipal"))).status, 201);
    const list = async (scope: string, filter?: string): Promise<string[]> => {
      const query = filter === undefined ? "" : `?$filter=${encodeURIComponent(filter)}`;
      const result = await h.arm("GET", `${scope}/providers/Microsoft.Authorization/roleAssignments${query}`, {
        apiVersion: API,
      });
      assert.equal(result.status, 200, result.text);
      return result.body.value.map((a: Json) => a.name).sort();
    };
    assert.deepEqual(await list(rg), [NAME_A, NAME_B, NAME_C]);
    assert.deepEqual(await list(rg, "atScope()"), [NAME_A, NAME_B]);
    assert.deepEqual(await list(storage, "atScope()"), [NAME_A, NAME_B, NAME_C]);
    assert.deepEqual(await list(sub, `principalId eq '${other}'`), [NAME_B, NAME_C]);
    assert.deepEqual(await list(storage, `atScope() and assignedTo('${other}')`), [NAME_B, NAME_C]);

    const removed = await h.arm("DELETE", assignmentPath(storage, NAME_C), { apiVersion: API });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.name, NAME_C);
    assert.equal((await h.arm("DELETE", assignmentPath(storage, NAME_C), { apiVersion: API })).status, 204);
    const gone = await h.arm("GET", assignmentPath(storage, NAME_C), { apiVersion: API });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, "RoleAssignmentNotFound");
  });

  it("an assignment outlives its principal: turning the system identity off leaves it, GET still shows it", async function () {
    const vmss = scaleSetPath(h.sub, "rg", "vmss");
    await writeAndWait(h, "PUT", vmss, { body: howToScaleSetBody(h.sub, { type: "SystemAssigned" }) });
    const principalId = h.emulator.admin.state().scaleSets[0].identity?.system?.principalId as string;
    assert.equal((await put(vmss, NAME_A, body(READER, principalId, "ServicePrincipal"))).status, 201);
    await writeAndWait(h, "PATCH", vmss, { body: { identity: { type: "None" } } });
    const orphan = await h.arm("GET", assignmentPath(vmss, NAME_A), { apiVersion: API });
    assert.equal(orphan.status, 200);
    assert.equal(orphan.body.properties.principalId, principalId);
    const recreate = await put(rg, NAME_B, body(READER, principalId, "ServicePrincipal"));
    assert.equal(recreate.body.error.code, "PrincipalNotFound", "the principal is gone from the directory");
  });

  it("admin HTTP: PUT /_emulator/replication-delay and POST /_emulator/principal-not-found validate their input", async function () {
    const admin = (method: string, path: string, payload: unknown) =>
      fetch(`${h.emulator.url}/_emulator${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
    assert.equal((await admin("PUT", "/replication-delay", { ms: 0 })).status, 204);
    const bad = await admin("PUT", "/replication-delay", { ms: -1 });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as Json).error.message,
      /setReplicationDelay\.ms: expected an integer >= 0, got -1/,
    );
    assert.equal((await admin("POST", "/principal-not-found", { count: 2 })).status, 204);
    const identity = await createIdentity(h, "rg", "ID9");
    const first = await put(rg, NAME_A, body(READER, identity.properties.principalId));
    assert.equal(first.body.error.code, "PrincipalNotFound", "forced");
    await put(rg, NAME_A, body(READER, identity.properties.principalId));
    const third = await put(rg, NAME_A, body(READER, identity.properties.principalId));
    assert.equal(third.status, 201, "delay 0 and the two forced failures spent");
  });
});
