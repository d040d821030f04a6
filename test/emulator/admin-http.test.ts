// The HTTP admin API under /_emulator/: no token, loopback only, the same powers as EmulatorAdmin,
// and input validation with messages naming the property, the value and what was expected.
import assert from "node:assert/strict";
import { isLoopback } from "vmss-identity-emulator";
import {
  createGroup,
  fetchToken,
  groupPath,
  howToScaleSetBody,
  httpCall,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
} from "./support/harness";

describe("emulator: the admin HTTP API", function () {
  let h: Harness;

  before(async function () {
    h = await startHarness({ opDurationMs: 0 });
  });

  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
  });

  after(async function () {
    await h.close();
  });

  const admin = (method: string, path: string, body?: unknown) =>
    httpCall(`${h.emulator.url}/_emulator${path}`, {
      method: method as "GET",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("GET /info names the emulator without its secret; GET /requests and DELETE /requests mirror the log", async function () {
    const info = await admin("GET", "/info");
    assert.equal(info.status, 200);
    assert.deepEqual(info.body, {
      url: h.emulator.url,
      tenantId: h.emulator.tenantId,
      clientId: h.emulator.clientId,
      subscriptionId: h.sub,
    });
    assert.ok(!info.text.includes(h.emulator.clientSecret));
    const requests = await admin("GET", "/requests");
    assert.deepEqual(requests.body.value, JSON.parse(JSON.stringify(h.emulator.admin.requests())));
    assert.ok(requests.body.value.length > 0);
    assert.equal((await admin("DELETE", "/requests")).status, 204);
    assert.deepEqual(h.emulator.admin.requests(), [], "admin requests are not logged");
  });

  it("POST /faults arms a fault, GET /faults lists it, DELETE /faults disarms", async function () {
    const armed = await admin("POST", "/faults", { kind: "status", status: 503, method: "GET", count: 2 });
    assert.equal(armed.status, 201);
    assert.equal(typeof armed.body.id, "number");
    assert.equal((await admin("GET", "/faults")).body.value[0].remaining, 2);
    assert.equal((await h.arm("GET", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01" })).status, 503);
    assert.equal((await admin("DELETE", "/faults")).status, 204);
    assert.equal((await h.arm("GET", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01" })).status, 200);
  });

  it("operation controls: duration, finish, fail-next, retry-after", async function () {
    const path = scaleSetPath(h.sub, "rg", "vmss");
    assert.equal((await admin("PUT", "/operation-duration", { ms: 600000 })).status, 204);
    assert.equal((await admin("PUT", "/retry-after", { seconds: 4 })).status, 204);
    const created = await h.arm("PUT", path, { body: howToScaleSetBody(h.sub) });
    assert.equal(created.headers["retry-after"], "4");
    assert.equal((await h.arm("GET", path)).body.properties.provisioningState, "Creating");
    assert.equal((await admin("POST", "/operations/finish")).status, 204);
    assert.equal((await h.arm("GET", path)).body.properties.provisioningState, "Succeeded");
    assert.equal((await admin("PUT", "/operation-duration", { ms: 0 })).status, 204);
    assert.equal((await admin("POST", "/operations/fail-next", { count: 1, code: "Boom" })).status, 204);
    const { operation } = await writeAndWait(h, "PATCH", path, { body: { tags: {} } });
    assert.equal(operation.status, "Failed");
    assert.equal(operation.error.code, "Boom");
  });

  it("identity and permission switches: key-casing, unassigned-removal, deny-assign, deny-write, DELETE /permissions", async function () {
    assert.equal((await admin("PUT", "/key-casing", { casing: "lowercase" })).status, 204);
    assert.equal((await admin("PUT", "/unassigned-removal", { mode: "ignore" })).status, 204);
    const identity = `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-x`;
    assert.equal(
      (await admin("POST", "/permissions/deny-assign", { clientId: h.emulator.clientId, identityId: identity })).status,
      204,
    );
    assert.equal(
      (
        await admin("POST", "/permissions/deny-write", {
          clientId: h.emulator.clientId,
          scopeId: groupPath(h.sub, "rg"),
        })
      ).status,
      204,
    );
    const denied = await h.arm("PUT", scaleSetPath(h.sub, "rg", "vmss"), { body: howToScaleSetBody(h.sub) });
    assert.equal(denied.status, 403);
    assert.equal((await admin("DELETE", "/permissions")).status, 204);
    assert.equal(
      (await h.arm("PUT", scaleSetPath(h.sub, "rg", "vmss"), { body: howToScaleSetBody(h.sub) })).status,
      201,
    );
  });

  it("write bucket and tokens: PUT /write-bucket, POST /tokens/expire and /tokens/revoke", async function () {
    assert.equal((await admin("PUT", "/write-bucket", { capacity: 1, refillPerSecond: 0 })).status, 204);
    assert.equal(
      (await h.arm("PATCH", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01", body: { tags: {} } })).status,
      200,
    );
    assert.equal(
      (await h.arm("PATCH", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01", body: { tags: {} } })).status,
      429,
    );
    assert.equal((await admin("PUT", "/write-bucket", null)).status, 204);
    assert.equal((await admin("POST", "/tokens/expire")).status, 204);
    const expired = await h.arm("GET", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01" });
    assert.equal(expired.body.error.code, "ExpiredAuthenticationToken");
    assert.equal((await admin("POST", "/tokens/revoke")).status, 204);
    const revoked = await h.arm("GET", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01" });
    assert.equal(revoked.body.error.code, "InvalidAuthenticationToken");
    h.token = await fetchToken(h.emulator);
  });

  it("GET /state shows the resources; POST /reset empties them", async function () {
    const state = await admin("GET", "/state");
    assert.deepEqual(
      state.body.resourceGroups.map((group: { name: string }) => group.name),
      ["rg"],
    );
    assert.equal((await admin("POST", "/reset")).status, 204);
    assert.deepEqual((await admin("GET", "/state")).body.resourceGroups, []);
  });

  it("bad input is 400 with a message naming the property, the value and the expectation; unknown paths 404", async function () {
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "/faults", { kind: "throttle", count: "3" }, /fault\.count: expected an integer >= 1, got "3"/],
      ["PUT", "/operation-duration", { ms: -5 }, /setOperationDuration\.ms: expected an integer >= 0, got -5/],
      [
        "PUT",
        "/key-casing",
        { casing: "upper" },
        /setKeyCasing\.casing: expected one of "canonical", "lowercase", "resourcegroups", got "upper"/,
      ],
      [
        "PUT",
        "/write-bucket",
        { capacity: 0, refillPerSecond: 1 },
        /writeBucket\.capacity: expected an integer >= 1, got 0/,
      ],
      [
        "POST",
        "/operations/fail-next",
        { count: 1, code: 5 },
        /failNextOperations\.code: expected a non-empty string, got 5/,
      ],
      [
        "PUT",
        "/unassigned-removal",
        { mode: "maybe" },
        /setUnassignedRemoval\.mode: expected one of "reject", "ignore", got "maybe"/,
      ],
    ];
    for (const [method, path, body, message] of cases) {
      const result = await admin(method, path, body);
      assert.equal(result.status, 400, `${method} ${path}`);
      assert.equal(result.body.error.code, "InvalidAdminRequest");
      assert.match(result.body.error.message, message);
    }
    const notJson = await httpCall(`${h.emulator.url}/_emulator/faults`, { method: "POST", body: "{" });
    assert.equal(notJson.status, 400);
    assert.equal((await admin("GET", "/nothing-here")).status, 404);
    assert.deepEqual(h.emulator.admin.faults(), [], "nothing was armed");
  });

  it("is served to loopback peers only", function () {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"])
      assert.equal(isLoopback(address), true, address);
    for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "192.168.1.1", "fe80::1", undefined])
      assert.equal(isLoopback(address), false, String(address));
  });
});
