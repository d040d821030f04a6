// Switchable faults and accounting: injected 429 / 5xx / dropped connections for the next N matching
// requests, the subscription write bucket, the x-ms-ratelimit-remaining-* headers, identity key casing
// in responses, and the request log tests and benchmarks read.
import assert from "node:assert/strict";
import {
  createGroup,
  createIdentity,
  groupPath,
  howToScaleSetBody,
  httpCall,
  identityId,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
} from "./support/harness";

describe("emulator: faults, throttling and the request log", function () {
  let h: Harness;
  const rgPath = (): string => groupPath(h.sub, "rg");

  before(async function () {
    h = await startHarness({ opDurationMs: 0, retryAfterSeconds: 7 });
  });

  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
  });

  after(async function () {
    await h.close();
  });

  it("throttle: the next N matching requests get 429 with Retry-After, then requests pass again", async function () {
    h.emulator.admin.injectFault({ kind: "throttle", method: "get", pathPattern: "/resourcegroups/rg$", count: 2 });
    for (let i = 0; i < 2; i++) {
      const result = await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" });
      assert.equal(result.status, 429);
      assert.equal(result.headers["retry-after"], "7", "defaults to the emulator's retryAfterSeconds");
      assert.equal(result.body.error.code, "OperationNotAllowed");
      assert.equal(result.body.error.details[0].code, "TooManyRequests");
    }
    assert.equal((await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" })).status, 200);
    assert.deepEqual(h.emulator.admin.faults(), []);
  });

  it("faults match method and path pattern (case-insensitive) and leave other requests alone", async function () {
    h.emulator.admin.injectFault({
      kind: "throttle",
      method: "PUT",
      pathPattern: "RESOURCEGROUPS/RG",
      count: 1,
      retryAfterSeconds: 1,
    });
    assert.equal((await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" })).status, 200, "other method");
    assert.equal(
      (await h.arm("PUT", groupPath(h.sub, "other"), { apiVersion: "2021-04-01", body: { location: "westus" } }))
        .status,
      201,
      "other path",
    );
    const hit = await h.arm("PUT", rgPath(), { apiVersion: "2021-04-01", body: { location: "westus" } });
    assert.equal(hit.status, 429);
    assert.equal(hit.headers["retry-after"], "1");
  });

  it("status: 500 and 503 with ARM error bodies, optional Retry-After", async function () {
    h.emulator.admin.injectFault({ kind: "status", status: 503, count: 1, retryAfterSeconds: 2 });
    h.emulator.admin.injectFault({ kind: "status", status: 500, count: 1 });
    const first = await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" });
    assert.equal(first.status, 503);
    assert.equal(first.body.error.code, "ServiceUnavailable");
    assert.equal(first.headers["retry-after"], "2");
    const second = await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" });
    assert.equal(second.status, 500);
    assert.equal(second.body.error.code, "InternalServerError");
    assert.equal(second.headers["retry-after"], undefined);
    assert.equal((await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" })).status, 200);
  });

  it("drop: the connection closes without a response; the log records status 0", async function () {
    h.emulator.admin.injectFault({ kind: "drop", method: "PATCH", count: 1 });
    await assert.rejects(h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: {} } }));
    const entries = h.emulator.admin.requests();
    assert.equal(entries[entries.length - 1].status, 0);
    assert.equal((await h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: {} } })).status, 200);
  });

  describe("status faults carry ARM's code for their status, or the one the test names", function () {
    const table: [number, string][] = [
      [400, "BadRequest"],
      [401, "AuthenticationFailed"],
      [403, "AuthorizationFailed"],
      [404, "ResourceNotFound"],
      [408, "RequestTimeout"],
      [409, "Conflict"],
      [412, "PreconditionFailed"],
      [429, "TooManyRequests"],
      [500, "InternalServerError"],
      [502, "BadGateway"],
      [503, "ServiceUnavailable"],
      [504, "GatewayTimeout"],
      [410, "Gone"],
      [422, "UnprocessableEntity"],
    ];
    for (const [status, code] of table) {
      it(`${status} → ${code}`, async function () {
        h.emulator.admin.injectFault({ kind: "status", status, count: 1 });
        const result = await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" });
        assert.equal(result.status, status);
        assert.deepEqual(result.body, {
          error: { code, message: `Fault injected by the ARM emulator: HTTP ${status} ${code}.` },
        });
      });
    }

    it("a named code and message replace the defaults; code and message need kind status", async function () {
      h.emulator.admin.injectFault({
        kind: "status",
        status: 409,
        code: "OperationNotAllowed",
        message: "Operation 'PATCH' is not allowed.",
        count: 1,
      });
      const result = await h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: {} } });
      assert.equal(result.status, 409);
      assert.deepEqual(result.body, {
        error: { code: "OperationNotAllowed", message: "Operation 'PATCH' is not allowed." },
      });
      assert.throws(
        () => h.emulator.admin.injectFault({ kind: "drop", code: "Conflict", count: 1 }),
        /fault\.code: only valid with kind "status", got kind "drop"/,
      );
      assert.throws(
        () => h.emulator.admin.injectFault({ kind: "status", code: "no spaces", count: 1 }),
        /fault\.code: expected an ARM error code .* got "no spaces"/,
      );
      assert.throws(
        () => h.emulator.admin.injectFault({ kind: "status", message: "", count: 1 }),
        /fault\.message: expected a string of 1 to 1000 characters without control characters, got ""/,
      );
    });
  });

  it("response-lost: the write is applied, then the connection drops without an answer; the log says so", async function () {
    h.emulator.admin.injectFault({ kind: "response-lost", method: "PATCH", count: 1 });
    await assert.rejects(
      h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: { landed: "yes" } } }),
      (error: Error & { code?: string }) => /UND_ERR_SOCKET|ECONNRESET/.test(String(error.code)),
    );
    const entries = h.emulator.admin.requests();
    const last = entries[entries.length - 1];
    assert.equal(last.status, 200, "the status it would have answered");
    assert.equal(last.responseLost, true);
    const group = await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" });
    assert.deepEqual(group.body.tags, { landed: "yes" }, "the PATCH landed");
    assert.deepEqual(h.emulator.admin.faults(), []);
  });

  it("faults apply to the token endpoint too", async function () {
    h.emulator.admin.injectFault({ kind: "status", status: 503, pathPattern: "/oauth2/v2\\.0/token$", count: 1 });
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: h.emulator.clientId,
      client_secret: h.emulator.clientSecret,
      scope: "https://management.azure.com/.default",
    }).toString();
    const send = () =>
      httpCall(h.emulator.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form,
      });
    assert.equal((await send()).status, 503);
    assert.equal((await send()).status, 200);
  });

  it("clearFaults disarms everything; bad fault specs are refused with a message naming the property", function () {
    h.emulator.admin.injectFault({ kind: "drop", count: 5 });
    assert.equal(h.emulator.admin.faults()[0].remaining, 5);
    h.emulator.admin.clearFaults();
    assert.deepEqual(h.emulator.admin.faults(), []);
    assert.throws(
      () => h.emulator.admin.injectFault({ kind: "explode" as "drop", count: 1 }),
      /fault\.kind: expected one of throttle, status, drop, response-lost, got "explode"/,
    );
    assert.throws(
      () => h.emulator.admin.injectFault({ kind: "drop", count: 0 }),
      /fault\.count: expected an integer >= 1, got 0/,
    );
    assert.throws(
      () => h.emulator.admin.injectFault({ kind: "status", status: 200, count: 1 }),
      /fault\.status: expected an integer from 400 to 599, got 200/,
    );
    assert.throws(
      () => h.emulator.admin.injectFault({ kind: "drop", pathPattern: "(", count: 1 }),
      /fault\.pathPattern: "\(" is not a valid regular expression/,
    );
    assert.deepEqual(h.emulator.admin.faults(), [], "a refused spec arms nothing");
  });

  it("the write bucket: 429 SubscriptionRequestsThrottled once empty; the writes header counts it down; reads unaffected", async function () {
    h.emulator.admin.setWriteBucket({ capacity: 3, refillPerSecond: 0 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: { i: String(i) } } });
      assert.equal(result.status, 200);
      remaining.push(result.headers["x-ms-ratelimit-remaining-subscription-writes"]);
    }
    assert.deepEqual(remaining, ["2", "1", "0"]);
    const throttled = await h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: {} } });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error.code, "SubscriptionRequestsThrottled");
    assert.match(throttled.headers["retry-after"], /^\d+$/);
    assert.equal((await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" })).status, 200);
    h.emulator.admin.setWriteBucket(null);
    assert.equal((await h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: {} } })).status, 200);
  });

  it("every ARM response carries request ids (correlation echoed) and the remaining reads or writes", async function () {
    const read = await h.arm("GET", rgPath(), {
      apiVersion: "2021-04-01",
      headers: { "x-ms-correlation-request-id": "corr-123" },
    });
    assert.match(read.headers["x-ms-request-id"], /^[0-9a-f-]{36}$/);
    assert.equal(read.headers["x-ms-correlation-request-id"], "corr-123");
    assert.match(read.headers["x-ms-ratelimit-remaining-subscription-reads"], /^\d+$/);
    const error = await h.arm("GET", groupPath(h.sub, "missing"), { apiVersion: "2021-04-01" });
    assert.equal(error.status, 404);
    assert.match(error.headers["x-ms-correlation-request-id"], /^[0-9a-f-]{36}$/);
    assert.match(error.headers["x-ms-ratelimit-remaining-subscription-reads"], /^\d+$/);
    const write = await h.arm("PATCH", rgPath(), { apiVersion: "2021-04-01", body: { tags: {} } });
    assert.match(write.headers["x-ms-ratelimit-remaining-subscription-writes"], /^\d+$/);
    const tenant = await h.arm("GET", "/subscriptions", { apiVersion: "2022-12-01" });
    assert.match(tenant.headers["x-ms-ratelimit-remaining-tenant-reads"], /^\d+$/);
  });

  it("setKeyCasing: dictionary keys and identityIds canonical, lower-cased, or with resourcegroups", async function () {
    await createIdentity(h, "rg", "MyId");
    const path = scaleSetPath(h.sub, "rg", "vmss");
    await writeAndWait(h, "PUT", path, {
      body: howToScaleSetBody(h.sub, {
        type: "UserAssigned",
        userAssignedIdentities: { [identityId(h.sub, "RG", "myid").toLowerCase()]: {} },
      }),
    });
    const canonical = `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/MyId`;
    const keys = async (apiVersion = "2024-11-01"): Promise<string[]> => {
      const identity = (await h.arm("GET", path, { apiVersion })).body.identity;
      return identity.identityIds ?? Object.keys(identity.userAssignedIdentities);
    };
    assert.deepEqual(await keys(), [canonical], "canonical, whatever casing the request used");
    h.emulator.admin.setKeyCasing("lowercase");
    assert.deepEqual(await keys(), [canonical.toLowerCase()]);
    assert.deepEqual(await keys("2017-12-01"), [canonical.toLowerCase()]);
    h.emulator.admin.setKeyCasing("resourcegroups");
    assert.deepEqual(await keys(), [canonical.replace("/resourceGroups/", "/resourcegroups/")]);
    assert.throws(
      () => h.emulator.admin.setKeyCasing("UPPER" as "lowercase"),
      /setKeyCasing\.casing: expected one of "canonical", "lowercase", "resourcegroups", got "UPPER"/,
    );
  });

  it("the request log: method, path, api-version, status, duration, client and kind, oldest first; clearRequests empties it", async function () {
    h.emulator.admin.clearRequests();
    await h.arm("GET", rgPath(), { apiVersion: "2021-04-01" });
    await h.arm("GET", groupPath(h.sub, "missing"), { apiVersion: "2021-04-01" });
    const entries = h.emulator.admin.requests();
    assert.equal(entries.length, 2);
    assert.deepEqual(
      entries.map(({ method, path, apiVersion, status, clientId, kind, errorCode }) => ({
        method,
        path,
        apiVersion,
        status,
        clientId,
        kind,
        errorCode,
      })),
      [
        {
          method: "GET",
          path: rgPath(),
          apiVersion: "2021-04-01",
          status: 200,
          clientId: h.emulator.clientId,
          kind: "arm",
          errorCode: undefined,
        },
        {
          method: "GET",
          path: groupPath(h.sub, "missing"),
          apiVersion: "2021-04-01",
          status: 404,
          clientId: h.emulator.clientId,
          kind: "arm",
          errorCode: "ResourceGroupNotFound",
        },
      ],
    );
    assert.ok(entries[0].seq < entries[1].seq);
    assert.ok(entries.every((entry) => typeof entry.durationMs === "number" && entry.durationMs >= 0));
    h.emulator.admin.clearRequests();
    assert.deepEqual(h.emulator.admin.requests(), []);
  });
});
