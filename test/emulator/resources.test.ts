// Resource groups, user-assigned identities, subscriptions and ARM's path and api-version rules
// (docs/arm-behavior.md; identity shapes from the Azure CLI's recordings).
import assert from "node:assert/strict";
import {
  createGroup,
  createIdentity,
  groupPath,
  howToScaleSetBody,
  httpCall,
  identityPath,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
} from "./support/harness";
import { SCALE_SET_API_VERSIONS } from "vmss-identity-emulator";

describe("emulator: resources, paths and api-versions", function () {
  let h: Harness;

  before(async function () {
    h = await startHarness({ opDurationMs: 0, subscriptionId: "44444444-4444-4444-8444-444444444444" });
  });

  beforeEach(function () {
    h.emulator.admin.reset();
  });

  after(async function () {
    await h.close();
  });

  it("GET /subscriptions lists the default subscription; GET /subscriptions/{guid} answers for any GUID", async function () {
    const list = await h.arm("GET", "/subscriptions", { apiVersion: "2022-12-01" });
    assert.equal(list.status, 200);
    assert.equal(list.body.value.length, 1);
    assert.deepEqual(
      (({ id, subscriptionId, tenantId, state, managedByTenants }) => ({
        id,
        subscriptionId,
        tenantId,
        state,
        managedByTenants,
      }))(list.body.value[0]),
      {
        id: "/subscriptions/44444444-4444-4444-8444-444444444444",
        subscriptionId: "44444444-4444-4444-8444-444444444444",
        tenantId: h.emulator.tenantId,
        state: "Enabled",
        managedByTenants: [],
      },
    );
    assert.equal(typeof list.body.value[0].displayName, "string");
    const other = await h.arm("GET", "/subscriptions/55555555-5555-4555-8555-555555555555", {
      apiVersion: "2022-12-01",
    });
    assert.equal(other.status, 200);
    assert.equal(other.body.subscriptionId, "55555555-5555-4555-8555-555555555555");
    const bad = await h.arm("GET", "/subscriptions/not-a-guid/resourcegroups", { apiVersion: "2021-04-01" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "InvalidSubscriptionId");
  });

  it("resource groups: 201 then 200, GET, HEAD, list, 409 for another location; paths are case-insensitive", async function () {
    const created = await h.arm("PUT", `/subscriptions/${h.sub}/resourcegroups/MyGroup`, {
      apiVersion: "2021-04-01",
      body: { location: "West US", tags: { a: "b" } },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      id: `/subscriptions/${h.sub}/resourceGroups/MyGroup`,
      name: "MyGroup",
      type: "Microsoft.Resources/resourceGroups",
      location: "westus",
      tags: { a: "b" },
      properties: { provisioningState: "Succeeded" },
    });
    const again = await h.arm("PUT", `/SUBSCRIPTIONS/${h.sub}/ResourceGroups/mygroup`, {
      apiVersion: "2019-10-01",
      body: { location: "westus" },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.name, "MyGroup", "the name keeps its first casing");
    const moved = await h.arm("PUT", groupPath(h.sub, "mygroup"), {
      apiVersion: "2021-04-01",
      body: { location: "eastus" },
    });
    assert.equal(moved.status, 409);
    assert.equal(moved.body.error.code, "InvalidResourceGroupLocation");
    assert.equal((await h.arm("HEAD", groupPath(h.sub, "MYGROUP"), { apiVersion: "2021-04-01" })).status, 204);
    assert.equal((await h.arm("HEAD", groupPath(h.sub, "nope"), { apiVersion: "2021-04-01" })).status, 404);
    const list = await h.arm("GET", `/subscriptions/${h.sub}/resourcegroups`, { apiVersion: "2021-04-01" });
    assert.deepEqual(
      list.body.value.map((group: { name: string }) => group.name),
      ["MyGroup"],
    );
  });

  it("deleting a resource group answers 202 + Location and deletes everything in it when the operation ends", async function () {
    await createGroup(h, "doomed");
    await createIdentity(h, "doomed", "id1");
    await writeAndWait(h, "PUT", scaleSetPath(h.sub, "doomed", "vmss"), { body: howToScaleSetBody(h.sub) });
    h.emulator.admin.setOperationDuration(600_000);
    const deleted = await h.arm("DELETE", groupPath(h.sub, "doomed"), { apiVersion: "2021-04-01" });
    assert.equal(deleted.status, 202);
    const location = deleted.headers.location;
    assert.match(
      location,
      new RegExp(`^${h.emulator.url}/subscriptions/${h.sub}/operationresults/[0-9a-f-]{36}\\?api-version=2021-04-01$`),
    );
    const poll = () => httpCall(location, { method: "GET", headers: { authorization: `Bearer ${h.token}` } });
    assert.equal((await poll()).status, 202);
    assert.equal(
      (await h.arm("GET", groupPath(h.sub, "doomed"), { apiVersion: "2021-04-01" })).body.properties.provisioningState,
      "Deleting",
    );
    const write = await h.arm("PUT", identityPath(h.sub, "doomed", "id2"), {
      apiVersion: "2023-01-31",
      body: { location: "westus" },
    });
    assert.equal(write.status, 409);
    assert.equal(write.body.error.code, "ResourceGroupBeingDeleted");

    h.emulator.admin.finishOperations();
    assert.equal((await poll()).status, 200);
    assert.equal((await h.arm("GET", groupPath(h.sub, "doomed"), { apiVersion: "2021-04-01" })).status, 404);
    assert.equal((await h.arm("GET", identityPath(h.sub, "doomed", "id1"), { apiVersion: "2023-01-31" })).status, 404);
    await createGroup(h, "doomed");
    assert.equal(
      (await h.arm("GET", scaleSetPath(h.sub, "doomed", "vmss"))).status,
      404,
      "a re-created group is empty",
    );
  });

  it("user-assigned identities: 201 with generated ids, id with lower-case resourcegroups, relative Location; 200 on replace keeps them", async function () {
    await createGroup(h, "rg");
    const created = await h.arm("PUT", identityPath(h.sub, "rg", "id1"), {
      apiVersion: "2023-01-31",
      body: { location: "westcentralus" },
    });
    assert.equal(created.status, 201);
    const expectedId = `/subscriptions/${h.sub}/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;
    assert.equal(created.headers.location, expectedId);
    assert.deepEqual(Object.keys(created.body), ["location", "tags", "id", "name", "type", "properties"]);
    assert.equal(created.body.id, expectedId);
    assert.equal(created.body.type, "Microsoft.ManagedIdentity/userAssignedIdentities");
    assert.equal(created.body.properties.tenantId, h.emulator.tenantId);
    assert.match(created.body.properties.principalId, /^[0-9a-f-]{36}$/);
    assert.match(created.body.properties.clientId, /^[0-9a-f-]{36}$/);

    const replaced = await h.arm("PUT", identityPath(h.sub, "RG", "ID1"), {
      apiVersion: "2024-11-30",
      body: { location: "westcentralus", tags: { x: "1" } },
    });
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.body.properties, created.body.properties);
    assert.equal(replaced.body.name, "id1");
    const old = await h.arm("GET", identityPath(h.sub, "rg", "id1"), { apiVersion: "2015-08-31-preview" });
    assert.match(old.body.properties.clientSecretUrl, /^https:\/\/control-westcentralus\.identity\.azure\.net\//);
    const list = await h.arm(
      "GET",
      `/subscriptions/${h.sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`,
      { apiVersion: "2023-01-31" },
    );
    assert.equal(list.body.value.length, 1);
    assert.equal((await h.arm("DELETE", identityPath(h.sub, "rg", "id1"), { apiVersion: "2023-01-31" })).status, 200);
    assert.equal((await h.arm("DELETE", identityPath(h.sub, "rg", "id1"), { apiVersion: "2023-01-31" })).status, 204);
    const missing = await h.arm("GET", identityPath(h.sub, "rg", "id1"), { apiVersion: "2023-01-31" });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "ResourceNotFound");
  });

  it("scale sets are listed per group and per subscription; provider paths match in any casing", async function () {
    await createGroup(h, "rg");
    await writeAndWait(h, "PUT", scaleSetPath(h.sub, "rg", "a"), { body: howToScaleSetBody(h.sub) });
    await writeAndWait(
      h,
      "PUT",
      `/subscriptions/${h.sub}/resourcegroups/RG/providers/microsoft.compute/VIRTUALMACHINESCALESETS/b`,
      {
        body: howToScaleSetBody(h.sub),
      },
    );
    const inGroup = await h.arm(
      "GET",
      `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets`,
    );
    assert.deepEqual(
      inGroup.body.value.map((vmss: { name: string }) => vmss.name),
      ["a", "b"],
    );
    assert.equal(
      inGroup.body.value[1].id,
      `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/b`,
    );
    const inSub = await h.arm("GET", `/subscriptions/${h.sub}/providers/Microsoft.Compute/virtualMachineScaleSets`);
    assert.equal(inSub.body.value.length, 2);
  });

  it("api-version: missing is 400 MissingApiVersionParameter; unsupported is 400 NoRegisteredProviderFound listing the supported ones", async function () {
    await createGroup(h, "rg", "eastus");
    const missing = await h.arm("GET", scaleSetPath(h.sub, "rg", "x"), { apiVersion: null });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.error, {
      code: "MissingApiVersionParameter",
      message: "The api-version query parameter (?api-version=) is required for all requests.",
    });
    const unsupported = await h.arm("GET", scaleSetPath(h.sub, "rg", "x"), { apiVersion: "2019-01-01" });
    assert.equal(unsupported.status, 400);
    assert.equal(unsupported.body.error.code, "NoRegisteredProviderFound");
    assert.ok(
      unsupported.body.error.message.startsWith(
        `No registered resource provider found for location 'eastus' and API version '2019-01-01' for type 'virtualMachineScaleSets'. The supported api-versions are '${SCALE_SET_API_VERSIONS.join(", ")}'.`,
      ),
      unsupported.body.error.message,
    );
    const identity = await h.arm("GET", identityPath(h.sub, "rg", "x"), { apiVersion: "2018-06-01" });
    assert.equal(identity.body.error.code, "NoRegisteredProviderFound");
    const malformed = await h.arm("GET", scaleSetPath(h.sub, "rg", "x"), { apiVersion: "latest" });
    assert.equal(malformed.body.error.code, "InvalidApiVersionParameter");
  });

  it("every supported scale-set api-version answers a GET", async function () {
    await createGroup(h, "rg");
    await writeAndWait(h, "PUT", scaleSetPath(h.sub, "rg", "vmss"), {
      body: howToScaleSetBody(h.sub, { type: "SystemAssigned" }),
    });
    for (const apiVersion of SCALE_SET_API_VERSIONS) {
      const result = await h.arm("GET", scaleSetPath(h.sub, "rg", "vmss"), { apiVersion });
      assert.equal(result.status, 200, apiVersion);
      assert.equal(result.body.identity.type, "SystemAssigned", apiVersion);
    }
  });

  it("paths the emulator does not serve are 404 with a message saying what it serves", async function () {
    const result = await h.arm(
      "GET",
      `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v`,
      { apiVersion: "2023-09-01" },
    );
    assert.equal(result.status, 404);
    assert.match(result.body.error.message, /does not serve 'GET \/subscriptions\/.*virtualNetworks\/v'/);
  });
});
