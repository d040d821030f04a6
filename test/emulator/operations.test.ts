// Long-running operations as docs/arm-behavior.md, "Long-running operations" describes them, the 409s
// while one runs, failed operations that roll back, and ETag / If-Match by api-version.
// Operations are held open with setOperationDuration(long) and ended with finishOperations(), so no
// assertion depends on timing.
import assert from "node:assert/strict";
import {
  canonicalIdentityId,
  createGroup,
  createIdentity,
  howToScaleSetBody,
  httpCall,
  identityId,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
} from "./support/harness";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+00:00$/;

describe("emulator: long-running operations", function () {
  let h: Harness;
  let path: string;
  let id1: { principalId: string; clientId: string };
  let id2: { principalId: string; clientId: string };
  const id = (name: string): string => identityId(h.sub, "rg", name);
  const key = (name: string): string => canonicalIdentityId(h.sub, "rg", name);

  before(async function () {
    h = await startHarness({ opDurationMs: 0 });
    path = scaleSetPath(h.sub, "rg", "vmss");
  });

  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
    id1 = (await createIdentity(h, "rg", "ID1")).properties;
    id2 = (await createIdentity(h, "rg", "ID2")).properties;
  });

  after(async function () {
    await h.close();
  });

  async function createScaleSet(identity: unknown, apiVersion = "2024-11-01"): Promise<void> {
    const { operation } = await writeAndWait(h, "PUT", path, { body: howToScaleSetBody(h.sub, identity), apiVersion });
    assert.equal(operation.status, "Succeeded");
  }

  it("PUT creates with 201 Creating and a subscription-level Azure-AsyncOperation, no Location; a second PUT replaces with 200 Updating", async function () {
    h.emulator.admin.setRetryAfter(3);
    const created = await h.arm("PUT", path, {
      body: howToScaleSetBody(h.sub, { type: "SystemAssigned" }),
      apiVersion: "2023-09-01",
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.properties.provisioningState, "Creating");
    assert.equal(created.headers.location, undefined);
    const url = created.headers["azure-asyncoperation"];
    const match = new RegExp(
      `^${h.emulator.url}/subscriptions/${h.sub}/providers/Microsoft\\.Compute/locations/eastus/operations/([0-9a-f-]{36})\\?api-version=2023-09-01$`,
    ).exec(url);
    assert.ok(match, url);
    assert.equal(created.headers["x-ms-request-id"], match[1], "x-ms-request-id is the operation ID");
    assert.equal(created.headers["retry-after"], "3");
    assert.equal(
      created.body.properties.virtualMachineProfile.osProfile.adminPassword,
      undefined,
      "the password is write-only",
    );
    assert.deepEqual(Object.keys(created.body).slice(0, 6), ["name", "id", "type", "location", "identity", "sku"]);
    await h.waitForOperation(url);

    const replaced = await h.arm("PUT", path, { body: howToScaleSetBody(h.sub), apiVersion: "2023-09-01" });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.properties.provisioningState, "Updating");
    assert.equal(replaced.body.identity, undefined, "PUT replaces the identity exactly as sent");
  });

  it("while a PATCH runs: new identities show {}, GET shows Updating, polls show InProgress, writes get 409 Conflict", async function () {
    await createScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id("ID1")]: {} } });
    h.emulator.admin.setOperationDuration(600_000);
    const patched = await h.arm("PATCH", path, {
      body: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [id("ID2")]: {} } } },
    });
    assert.equal(patched.status, 200, "PATCH answers 200, never 202");
    assert.equal(patched.headers.location, undefined);
    assert.equal(patched.body.properties.provisioningState, "Updating");
    const identity = patched.body.identity;
    assert.equal(identity.type, "SystemAssigned, UserAssigned");
    assert.match(identity.principalId, /^[0-9a-f-]{36}$/, "a newly enabled system identity has its principal at once");
    assert.equal(identity.tenantId, h.emulator.tenantId);
    assert.deepEqual(identity.userAssignedIdentities, {
      [key("ID1")]: { principalId: id1.principalId, clientId: id1.clientId },
      [key("ID2")]: {},
    });

    const during = await h.arm("GET", path);
    assert.equal(during.body.properties.provisioningState, "Updating");
    assert.deepEqual(during.body.identity.userAssignedIdentities[key("ID2")], {});

    const url = patched.headers["azure-asyncoperation"];
    const poll = await httpCall(url, { method: "GET", headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(poll.status, 200);
    assert.deepEqual(Object.keys(poll.body), ["startTime", "status", "name"]);
    assert.equal(poll.body.status, "InProgress");
    assert.match(poll.body.startTime, TIMESTAMP);

    const conflict =
      "The request failed due to conflict with a concurrent request. To resolve it, please refer to https://aka.ms/activitylog to get more details on the conflicting requests.";
    for (const [method, body] of [
      ["PATCH", { tags: { a: "b" } }],
      ["PUT", howToScaleSetBody(h.sub)],
      ["DELETE", undefined],
    ] as const) {
      const result = await h.arm(method, path, body === undefined ? {} : { body });
      assert.equal(result.status, 409, `${method}: ${result.text}`);
      assert.equal(result.body.error.code, "Conflict");
      assert.equal(result.body.error.message, conflict);
    }

    h.emulator.admin.finishOperations();
    const done = await httpCall(url, { method: "GET", headers: { authorization: `Bearer ${h.token}` } });
    assert.deepEqual(Object.keys(done.body), ["startTime", "endTime", "status", "name"]);
    assert.equal(done.body.status, "Succeeded");
    assert.match(done.body.endTime, TIMESTAMP);
    const after = await h.arm("GET", path);
    assert.equal(after.body.properties.provisioningState, "Succeeded");
    assert.deepEqual(after.body.identity.userAssignedIdentities[key("ID2")], {
      principalId: id2.principalId,
      clientId: id2.clientId,
    });
    assert.deepEqual(after.body.tags, undefined, "the 409ed PATCH changed nothing");
  });

  it("removing an identity drops it from the PATCH response at once", async function () {
    await createScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id("ID1")]: {}, [id("ID2")]: {} } });
    const patched = await h.arm("PATCH", path, {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id("ID1").toLowerCase()]: null } } },
    });
    assert.deepEqual(
      Object.keys(patched.body.identity.userAssignedIdentities),
      [key("ID2")],
      "keys match case-insensitively",
    );
  });

  it("re-enabling the system identity after removing it gives a new principalId", async function () {
    await createScaleSet({ type: "SystemAssigned" });
    const first = (await h.arm("GET", path)).body.identity.principalId;
    await writeAndWait(h, "PATCH", path, { body: { identity: { type: "None" } } });
    const { response } = await writeAndWait(h, "PATCH", path, { body: { identity: { type: "SystemAssigned" } } });
    assert.match(response.body.identity.principalId, /^[0-9a-f-]{36}$/);
    assert.notEqual(response.body.identity.principalId, first);
  });

  it("DELETE answers 202 with Location (monitor=true) and Azure-AsyncOperation; writes during it get 409 OperationNotAllowed", async function () {
    await createScaleSet({ type: "SystemAssigned" });
    h.emulator.admin.setOperationDuration(600_000);
    const deleted = await h.arm("DELETE", path);
    assert.equal(deleted.status, 202);
    assert.equal(deleted.text, "");
    const asyncUrl = deleted.headers["azure-asyncoperation"];
    const location = deleted.headers.location;
    assert.match(
      location,
      /\/providers\/Microsoft\.Compute\/locations\/eastus\/operations\/[0-9a-f-]{36}\?monitor=true&api-version=2024-11-01$/,
    );
    assert.equal(location.replace("monitor=true&", ""), asyncUrl);

    const during = await h.arm("GET", path);
    assert.equal(during.body.properties.provisioningState, "Deleting");
    const patch = await h.arm("PATCH", path, { body: { identity: { type: "None" } } });
    assert.equal(patch.status, 409);
    assert.equal(patch.body.error.code, "OperationNotAllowed");
    assert.equal(
      patch.body.error.message,
      "Operation 'Update Virtual Machine Scale Set' is not allowed on Virtual Machine Scale Set 'vmss' since it is marked for deletion. For more information on your operations, please refer to https://aka.ms/activitylog.",
    );
    const monitorRunning = await httpCall(location, { method: "GET", headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(monitorRunning.status, 202);
    const again = await h.arm("DELETE", path);
    assert.equal(again.status, 202, "a repeated DELETE is accepted");
    assert.equal(again.headers["azure-asyncoperation"], asyncUrl);

    h.emulator.admin.finishOperations();
    const monitorDone = await httpCall(location, { method: "GET", headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(monitorDone.status, 200);
    assert.equal(monitorDone.text, "");
    assert.equal((await h.arm("GET", path)).status, 404);
    assert.equal((await h.arm("DELETE", path)).status, 204, "DELETE of a missing resource answers 204");
  });

  it("failNextOperations: the PATCH operation ends Failed with its error and the identity is rolled back", async function () {
    await createScaleSet({ type: "UserAssigned", userAssignedIdentities: { [id("ID1")]: {} } });
    const before = (await h.arm("GET", path)).body;
    h.emulator.admin.failNextOperations({
      count: 1,
      code: "QuotaExceeded",
      message: "Operation could not be completed.",
    });
    const { response, operation } = await writeAndWait(h, "PATCH", path, {
      body: {
        identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [id("ID2")]: {} } },
        tags: { t: "1" },
      },
    });
    assert.deepEqual(response.body.identity.userAssignedIdentities[key("ID2")], {});
    assert.equal(operation.status, "Failed");
    assert.deepEqual(operation.error, { code: "QuotaExceeded", message: "Operation could not be completed." });
    const after = (await h.arm("GET", path)).body;
    assert.equal(after.properties.provisioningState, "Failed");
    assert.deepEqual(after.identity, before.identity, "identity rolled back");
    assert.equal(after.tags, undefined, "other changes rolled back too");

    const next = await writeAndWait(h, "PATCH", path, {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id("ID2")]: {} } } },
    });
    assert.equal(next.operation.status, "Succeeded", "only `count` operations fail");
  });

  it("failNextOperations without a code uses InternalExecutionError; a failed create leaves the scale set Failed", async function () {
    h.emulator.admin.failNextOperations({ count: 1 });
    const { response, operation } = await writeAndWait(h, "PUT", path, { body: howToScaleSetBody(h.sub) });
    assert.equal(response.status, 201);
    assert.equal(operation.status, "Failed");
    assert.equal(operation.error.code, "InternalExecutionError");
    const after = await h.arm("GET", path);
    assert.equal(after.body.properties.provisioningState, "Failed");
  });

  it("a PATCH without identity keeps it; properties merge-patch, tags are replaced", async function () {
    await createScaleSet({ type: "SystemAssigned" });
    await writeAndWait(h, "PATCH", path, { body: { tags: { a: "1", b: "2" } } });
    const { response } = await writeAndWait(h, "PATCH", path, {
      body: { tags: { c: "3" }, properties: { upgradePolicy: { mode: "Automatic" }, overprovision: null } },
    });
    assert.deepEqual(response.body.tags, { c: "3" });
    assert.equal(response.body.properties.upgradePolicy.mode, "Automatic");
    assert.equal(response.body.properties.overprovision, undefined);
    assert.equal(response.body.properties.virtualMachineProfile.osProfile.computerNamePrefix, "myVMSS");
    assert.equal(response.body.identity.type, "SystemAssigned");
  });

  describe("ETag and If-Match", function () {
    it("no etag below 2024-03-01 (the service answered without one at 2023-09-01)", async function () {
      await createScaleSet({ type: "SystemAssigned" });
      const result = await h.arm("GET", path, { apiVersion: "2023-09-01" });
      assert.equal(result.headers.etag, undefined);
      assert.equal(result.body.etag, undefined);
      const ignored = await h.arm("PATCH", path, {
        apiVersion: "2023-09-01",
        headers: { "if-match": '"999"' },
        body: { tags: {} },
      });
      assert.equal(ignored.status, 200, "If-Match is not part of the API before 2024-03-01");
    });

    it("from 2024-03-01: ETag header equals body etag, +1 per write, already new in the PATCH response", async function () {
      await createScaleSet({ type: "SystemAssigned" }, "2024-03-01");
      const first = await h.arm("GET", path, { apiVersion: "2024-03-01" });
      assert.equal(first.headers.etag, '"1"');
      assert.equal(first.body.etag, '"1"');
      const patched = await h.arm("PATCH", path, { apiVersion: "2026-03-01", body: { tags: { x: "y" } } });
      assert.equal(patched.headers.etag, '"2"');
      assert.equal(patched.body.etag, '"2"');
    });

    it("If-Match with another etag is 412 PreconditionFailed and changes nothing; the current etag or * succeed", async function () {
      await createScaleSet({ type: "SystemAssigned" });
      const before = h.emulator.admin.state();
      const stale = await h.arm("PATCH", path, {
        headers: { "if-match": '"7"' },
        body: { identity: { type: "None" } },
      });
      assert.equal(stale.status, 412, stale.text);
      assert.equal(stale.body.error.code, "PreconditionFailed");
      assert.deepEqual(h.emulator.admin.state(), before);
      const current = await writeAndWait(h, "PATCH", path, {
        headers: { "if-match": '"1"' },
        body: { tags: { a: "b" } },
      });
      assert.equal(current.response.status, 200);
      const star = await writeAndWait(h, "PATCH", path, { headers: { "if-match": "*" }, body: { tags: {} } });
      assert.equal(star.response.status, 200);
      const missing = await h.arm("PATCH", scaleSetPath(h.sub, "rg", "other"), {
        headers: { "if-match": "*" },
        body: {},
      });
      assert.equal(missing.status, 404);
    });

    it("If-None-Match: * creates once, then 412; other If-None-Match values are 400", async function () {
      const created = await writeAndWait(h, "PUT", path, {
        headers: { "if-none-match": "*" },
        body: howToScaleSetBody(h.sub),
      });
      assert.equal(created.response.status, 201);
      const again = await h.arm("PUT", path, { headers: { "if-none-match": "*" }, body: howToScaleSetBody(h.sub) });
      assert.equal(again.status, 412);
      assert.equal(again.body.error.code, "PreconditionFailed");
      const other = await h.arm("PUT", path, { headers: { "if-none-match": '"1"' }, body: howToScaleSetBody(h.sub) });
      assert.equal(other.status, 400);
      assert.equal(other.body.error.target, "If-None-Match");
    });
  });
});
