/**
 * ArmClient against a loopback server scripted per attempt: the retry, token and long-running-operation edge
 * cases, each named after what it proves. Delays are made instant through options (baseDelayMs 0,
 * retryAfterScale 0, pollIntervalMs 0), never by mocking time.
 */
import assert from "node:assert/strict";
import {
  ArmClient,
  isArmError,
  resolveCloud,
  type Cloud,
  type ArmClientOptions,
  type ArmError,
  type RetryEvent,
} from "../../provider/arm";
import { closeSharedClients, getSharedClient, getSharedDispatcher } from "../../provider/sharedClients";
import { CountingCredential, ScriptedServer } from "./support/scripted-server";

const VMSS = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1";
const OP = "/subscriptions/sub1/providers/Microsoft.Compute/locations/westus/operations/op1";
const API = "2024-11-01";

async function rejection(promise: Promise<unknown>): Promise<ArmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isArmError(error), `expected an ArmError, got ${String(error)}`);
  return error;
}

describe("ArmClient against a scripted server", () => {
  let server: ScriptedServer;
  let credential: CountingCredential;
  let client: ArmClient;
  let retries: RetryEvent[];

  function makeClient(options: Partial<ArmClientOptions> = {}): ArmClient {
    return new ArmClient({
      cloud: resolveCloud({ endpoint: server.url }, {}),
      credential,
      retry: { baseDelayMs: 0, retryAfterScale: 0, maxRetries: 3 },
      pollIntervalMs: 0,
      onRetry: (event) => retries.push(event),
      ...options,
    });
  }

  beforeEach(async () => {
    server = await ScriptedServer.start();
    credential = new CountingCredential();
    retries = [];
    client = makeClient();
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  describe("request", () => {
    it("sends the bearer token, api-version, JSON body and ids, and returns body and request id", async () => {
      server.script("PATCH", VMSS, {
        status: 200,
        headers: { "x-ms-request-id": "req-1", "x-ms-correlation-request-id": "corr-1" },
        body: { name: "vmss1" },
      });
      const response = await client.request({
        method: "PATCH",
        path: VMSS,
        apiVersion: API,
        body: { identity: { type: "SystemAssigned" } },
        headers: { "If-Match": '"3"' },
      });
      assert.deepEqual(
        [response.status, response.body, response.requestId, response.correlationId],
        [200, { name: "vmss1" }, "req-1", "corr-1"],
      );
      const [sent] = server.requests;
      assert.equal(sent.query.get("api-version"), API);
      assert.equal(sent.headers.authorization, "Bearer token-1");
      assert.equal(sent.headers["content-type"], "application/json");
      assert.equal(sent.headers["if-match"], '"3"');
      assert.match(String(sent.headers["x-ms-client-request-id"]), /^[0-9a-f-]{36}$/);
      assert.match(String(sent.headers["x-ms-correlation-request-id"]), /^[0-9a-f-]{36}$/);
      assert.deepEqual(JSON.parse(sent.body), { identity: { type: "SystemAssigned" } });
    });

    it("throws 404 as an ArmError with ARM's code, status and request id, without retrying", async () => {
      server.script("GET", VMSS, {
        status: 404,
        headers: { "x-ms-request-id": "req-404" },
        body: { error: { code: "ResourceNotFound", message: "The Resource 'vmss1' was not found." } },
      });
      const error = await rejection(client.request({ method: "GET", path: VMSS, apiVersion: API }));
      assert.deepEqual(
        [error.code, error.statusCode, error.requestId, error.method, error.path, error.retryable, error.attempts],
        ["ResourceNotFound", 404, "req-404", "GET", VMSS, false, 1],
      );
      assert.equal(
        error.message,
        `ResourceNotFound: The Resource 'vmss1' was not found. (GET ${VMSS}, HTTP 404, request id req-404)`,
      );
      assert.equal(server.requests.length, 1);
    });

    it("takes the error code from x-ms-error-code before the body", async () => {
      server.script("GET", VMSS, {
        status: 403,
        headers: { "x-ms-error-code": "AuthorizationFailed" },
        body: { error: { code: "Other", message: "no" } },
      });
      assert.equal(
        (await rejection(client.request({ method: "GET", path: VMSS, apiVersion: API }))).code,
        "AuthorizationFailed",
      );
    });

    it("refuses a path with a query string before sending anything", async () => {
      const error = await rejection(
        client.request({ method: "GET", path: `${VMSS}?api-version=2017-12-01`, apiVersion: API }),
      );
      assert.equal(error.code, "InvalidRequest");
      assert.equal(
        error.message,
        `InvalidRequest: path: "${VMSS}?api-version=2017-12-01" is invalid; expected a path without query string or fragment (GET ${VMSS})`,
      );
      assert.equal(server.requests.length, 0);
      assert.equal(credential.getTokenCalls, 0);
    });

    it("refuses a caller-set Authorization header and a malformed api-version", async () => {
      const header = await rejection(
        client.request({ method: "GET", path: VMSS, apiVersion: API, headers: { Authorization: "Bearer x" } }),
      );
      const version = await rejection(client.request({ method: "GET", path: VMSS, apiVersion: "2024-11-01&x=y" }));
      assert.deepEqual([header.code, version.code], ["InvalidRequest", "InvalidRequest"]);
      assert.match(version.message, /apiVersion: "2024-11-01&x=y" is invalid/);
      assert.equal(server.requests.length, 0);
    });

    it("reuses keep-alive connections for sequential requests", async () => {
      server.script("GET", VMSS, { status: 200, body: {} });
      for (let i = 0; i < 10; i++) await client.request({ method: "GET", path: VMSS, apiVersion: API });
      assert.equal(server.requests.length, 10);
      // undici's pool may open a second socket when the next request starts in the same tick the previous
      // response ends (observed: connections 1, 2, 1, 2, ...); what matters is no connection per request.
      assert.ok(server.connectionCount <= 2, `expected at most 2 connections, saw ${server.connectionCount}`);
    });

    it("rejects a 2xx whose body is not JSON", async () => {
      server.script("GET", VMSS, { status: 200, headers: { "content-type": "text/html" }, body: "<html>ok</html>" });
      const error = await rejection(client.request({ method: "GET", path: VMSS, apiVersion: API }));
      assert.deepEqual([error.code, error.statusCode], ["InvalidResponseBody", 200]);
    });
  });

  describe("shared clients", () => {
    afterEach(() => closeSharedClients());

    it("gives one client and one connection pool per endpoint origin", () => {
      const cloud = resolveCloud({ endpoint: server.url }, {});
      const other = resolveCloud({ endpoint: "https://management.azure.com" }, {});
      assert.equal(getSharedClient(cloud), getSharedClient({ ...cloud }));
      assert.notEqual(getSharedClient(cloud), getSharedClient(other));
      assert.equal(
        getSharedDispatcher(cloud),
        getSharedDispatcher(resolveCloud({ endpoint: `${server.url}/prefix` }, {})),
      );
      assert.notEqual(getSharedDispatcher(cloud), getSharedDispatcher(other));
    });

    it("reads a fixed poll interval from VMSS_IDENTITY_ARM_POLL_INTERVAL_MS and rejects a bad one", () => {
      const cloud = resolveCloud({ endpoint: server.url }, {});
      const fixed = getSharedClient(cloud, { VMSS_IDENTITY_ARM_POLL_INTERVAL_MS: "0" });
      assert.notEqual(fixed, getSharedClient(cloud, {}));
      assert.equal(fixed, getSharedClient(cloud, { VMSS_IDENTITY_ARM_POLL_INTERVAL_MS: "0" }));
      assert.throws(() => getSharedClient(cloud, { VMSS_IDENTITY_ARM_POLL_INTERVAL_MS: "1s" }), {
        message: 'VMSS_IDENTITY_ARM_POLL_INTERVAL_MS: "1s" is invalid; expected a whole number of milliseconds',
      });
    });
  });

  describe("bearer token safety", () => {
    it("refuses an http endpoint that is not loopback before any request", () => {
      // resolveCloud refuses it already (provider/grammar/settings.ts); the client checks again for any Cloud given.
      assert.throws(() => resolveCloud({ endpoint: "http://management.example.com" }, {}), /http is only allowed/);
      const cloud: Cloud = {
        name: "custom",
        resourceManagerEndpoint: "http://management.example.com",
        authorityHost: "http://management.example.com",
        tokenScope: "http://management.example.com/.default",
      };
      assert.throws(() => new ArmClient({ cloud, credential }), {
        message:
          'resourceManagerEndpoint: refusing to send bearer tokens to "http://management.example.com": http is only ' +
          "allowed for a loopback host; expected an https URL (http only for a loopback host: localhost, 127.0.0.0/8 " +
          "or [::1]) without user name, password, query or fragment",
      });
      // As strict as check's grammar: no credentials in the URL (shown redacted), no query.
      for (const [endpoint, shown, problem] of [
        ["https://user:pa55@management.example.com", "https://***@management.example.com", "it contains credentials"],
        ["https://management.example.com/?x=1", "https://management.example.com/?…", "it has a query"],
      ]) {
        assert.throws(() => new ArmClient({ cloud: { ...cloud, resourceManagerEndpoint: endpoint }, credential }), {
          message: new RegExp(
            `^resourceManagerEndpoint: refusing to send bearer tokens to "${shown.replace(/[?.*]/g, "\\$&")}": ${problem};`,
          ),
        });
      }
      assert.equal(credential.getTokenCalls, 0);
    });

    it("refuses to poll an operation URL outside the endpoint, and sends it nothing", async () => {
      const elsewhere = await ScriptedServer.start();
      try {
        server.script("PATCH", VMSS, {
          status: 200,
          headers: { "azure-asyncoperation": `${elsewhere.url}${OP}?api-version=${API}` },
          body: { properties: { provisioningState: "Updating" } },
        });
        const error = await rejection(client.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
        assert.equal(error.code, "PollingUrlOutsideEndpoint");
        assert.equal(elsewhere.requests.length, 0);
      } finally {
        await elsewhere.close();
      }
    });
  });

  describe("retries", () => {
    it("honours a 429's Retry-After and then succeeds", async () => {
      server.script(
        "GET",
        VMSS,
        {
          status: 429,
          headers: { "retry-after": "17" },
          body: { error: { code: "TooManyRequests", message: "slow down" } },
        },
        { status: 200, body: { ok: true } },
      );
      const response = await client.request({ method: "GET", path: VMSS, apiVersion: API });
      assert.deepEqual(response.body, { ok: true });
      // retryAfterScale 0 keeps the decision instant; the decision itself is the server's 17 s (see arm-retry tests).
      assert.deepEqual(retries, [
        {
          method: "GET",
          path: VMSS,
          retry: 1,
          delayMs: 0,
          reason: "throttled (HTTP 429)",
          status: 429,
          code: "TooManyRequests",
          requestId: undefined,
        },
      ]);
    });

    it("retries 503 and 502 until success", async () => {
      server.script(
        "GET",
        VMSS,
        { status: 503 },
        { status: 502, body: "<html>bad gateway</html>" },
        { status: 200, body: {} },
      );
      await client.request({ method: "GET", path: VMSS, apiVersion: API });
      assert.deepEqual(
        retries.map((r) => r.reason),
        ["transient server error (HTTP 503)", "transient server error (HTTP 502)"],
      );
      assert.equal(server.requests.length, 3);
    });

    it("retries a PATCH its caller states idempotent whose connection was dropped, with the same body", async () => {
      server.script("PATCH", VMSS, { drop: true }, { status: 200, body: { done: true } });
      const response = await client.request({
        method: "PATCH",
        path: VMSS,
        apiVersion: API,
        body: { identity: { type: "None" } },
        idempotent: true,
      });
      assert.deepEqual(response.body, { done: true });
      assert.equal(server.requests.length, 2);
      assert.equal(server.requests[0].body, server.requests[1].body);
      assert.match(retries[0].reason, /^connection failed \((UND_ERR_SOCKET|ECONNRESET)\)$/);
    });

    it("does not send a PATCH again after a lost answer unless its caller states it idempotent", async () => {
      const throttled = { status: 429, headers: { "retry-after": "1" } };
      server.script("PATCH", VMSS, { drop: true }, { status: 503 }, throttled, { status: 200, body: {} });
      const dropped = await rejection(client.request({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
      assert.match(dropped.code, /^(UND_ERR_SOCKET|ECONNRESET)$/);
      assert.deepEqual([dropped.retryable, dropped.attempts], [false, 1]);
      const failed = await rejection(client.request({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
      assert.deepEqual([failed.statusCode, failed.retryable, failed.attempts], [503, false, 1]);
      assert.deepEqual([server.requestsTo("PATCH", VMSS).length, retries.length], [2, 0]);
      // A throttled PATCH did not run: it is waited out whatever the caller stated.
      await client.request({ method: "PATCH", path: VMSS, apiVersion: API, body: {} });
      assert.deepEqual(
        retries.map((r) => [r.reason, r.status]),
        [["throttled (HTTP 429)", 429]],
      );
    });

    it("does not repeat a PUT its caller states is not idempotent", async () => {
      server.script("PUT", VMSS, { status: 502 }, { status: 200, body: {} });
      const error = await rejection(
        client.request({ method: "PUT", path: VMSS, apiVersion: API, body: {}, idempotent: false }),
      );
      assert.deepEqual([error.statusCode, error.attempts, server.requests.length], [502, 1, 1]);
    });

    it("does not retry a POST whose connection was dropped", async () => {
      server.script("POST", `${VMSS}/restart`, { drop: true });
      const error = await rejection(client.request({ method: "POST", path: `${VMSS}/restart`, apiVersion: API }));
      assert.match(error.code, /^(UND_ERR_SOCKET|ECONNRESET)$/);
      assert.deepEqual([error.retryable, error.statusCode, server.requests.length], [false, undefined, 1]);
    });

    it("waits out a 409 Conflict on a PATCH, but not a 409 OperationNotAllowed", async () => {
      const conflict = {
        error: { code: "Conflict", message: "The request failed due to conflict with a concurrent request." },
      };
      server.script("PATCH", VMSS, { status: 409, body: conflict }, { status: 200, body: {} });
      await client.request({ method: "PATCH", path: VMSS, apiVersion: API, body: {} });
      assert.equal(retries[0].reason, "another operation is running (HTTP 409 Conflict)");

      server.script("PUT", VMSS, {
        status: 409,
        body: { error: { code: "OperationNotAllowed", message: "marked for deletion" } },
      });
      const error = await rejection(client.request({ method: "PUT", path: VMSS, apiVersion: API, body: {} }));
      assert.deepEqual(
        [error.code, error.statusCode, server.requestsTo("PUT", VMSS).length],
        ["OperationNotAllowed", 409, 1],
      );
    });

    it("gives up after maxRetries and names the last retryable error", async () => {
      server.script("GET", VMSS, {
        status: 503,
        headers: { "x-ms-request-id": "req-last" },
        body: { error: { code: "ServiceUnavailable", message: "try later" } },
      });
      const error = await rejection(client.request({ method: "GET", path: VMSS, apiVersion: API }));
      assert.deepEqual(
        [error.code, error.statusCode, error.retryable, error.attempts, error.requestId],
        ["ServiceUnavailable", 503, true, 4, "req-last"],
      );
      assert.equal(
        error.message,
        `ServiceUnavailable: try later [transient server error (HTTP 503); gave up after 3 retries] (GET ${VMSS}, HTTP 503, request id req-last)`,
      );
      assert.equal(server.requests.length, 4);
    });

    it("redacts anything token-like from a non-ARM error body it quotes", async () => {
      server.script("GET", VMSS, { status: 400, body: "echo: Bearer token-1 and eyJhbGciOi.eyJzdWIi.c2ln" });
      const error = await rejection(client.request({ method: "GET", path: VMSS, apiVersion: API }));
      assert.equal(error.message.includes("token-1"), false);
      assert.equal(error.message.includes("eyJ"), false);
      assert.match(error.message, /^HttpError: HTTP 400: echo: Bearer \[redacted\] and \[redacted\]/);
    });
  });

  describe("tokens", () => {
    it("fetches one token for many concurrent requests", async () => {
      server.script("GET", VMSS, { status: 200, body: {} });
      await Promise.all(
        Array.from({ length: 20 }, () => client.request({ method: "GET", path: VMSS, apiVersion: API })),
      );
      assert.equal(credential.getTokenCalls, 1);
      assert.equal(new Set(server.requests.map((r) => r.headers.authorization)).size, 1);
    });

    it("renews the token once on 401 and retries with the new one", async () => {
      server.script(
        "GET",
        VMSS,
        { status: 401, body: { error: { code: "ExpiredAuthenticationToken", message: "expired" } } },
        { status: 200, body: {} },
      );
      await client.request({ method: "GET", path: VMSS, apiVersion: API });
      assert.deepEqual(
        server.requests.map((r) => r.headers.authorization),
        ["Bearer token-1", "Bearer token-2"],
      );
      assert.equal(credential.freshTokenCalls, 1);
      assert.deepEqual(retries, [], "a token renewal is not a retry");
    });

    it("gives up on a second 401 with ARM's code", async () => {
      server.script("GET", VMSS, {
        status: 401,
        body: { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } },
      });
      const error = await rejection(client.request({ method: "GET", path: VMSS, apiVersion: API }));
      assert.deepEqual(
        [error.code, error.statusCode, server.requests.length, credential.freshTokenCalls],
        ["InvalidAuthenticationToken", 401, 2, 1],
      );
    });

    it("renews once for a burst of 401s on the same token", async () => {
      server.script("GET", VMSS, (request) =>
        request.headers.authorization === "Bearer token-1"
          ? { status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "revoked" } } }
          : { status: 200, body: {} },
      );
      await client.request({ method: "GET", path: VMSS, apiVersion: API });
      const before = credential.freshTokenCalls;
      await Promise.all(
        Array.from({ length: 10 }, () => client.request({ method: "GET", path: VMSS, apiVersion: API })),
      );
      assert.deepEqual([before, credential.freshTokenCalls], [1, 1]);
    });

    it("refreshes a token inside its refresh window in the background, keeping the old one meanwhile", async () => {
      // Tokens live 60 s, inside the default 2-minute refresh window: each use starts one background refresh.
      const shortLived = new CountingCredential(60_000);
      const local = makeClient({ credential: shortLived });
      server.script("GET", VMSS, { status: 200, body: {} });
      try {
        await local.request({ method: "GET", path: VMSS, apiVersion: API });
        shortLived.expire();
        await local.request({ method: "GET", path: VMSS, apiVersion: API });
        await local.request({ method: "GET", path: VMSS, apiVersion: API });
        assert.deepEqual(
          server.requests.map((r) => r.headers.authorization),
          ["Bearer token-1", "Bearer token-1", "Bearer token-2"],
        );
      } finally {
        await local.close();
      }
    });

    it("waits for a new token when the current one is about to expire", async () => {
      const nearlyExpired = new CountingCredential(1_000);
      const local = makeClient({ credential: nearlyExpired });
      server.script("GET", VMSS, { status: 200, body: {} });
      try {
        await local.request({ method: "GET", path: VMSS, apiVersion: API });
        nearlyExpired.expire();
        await local.request({ method: "GET", path: VMSS, apiVersion: API });
        assert.deepEqual(
          server.requests.map((r) => r.headers.authorization),
          ["Bearer token-1", "Bearer token-2"],
        );
      } finally {
        await local.close();
      }
    });

    it("wraps a credential failure in an ArmError without sending anything", async () => {
      const failing = makeClient({
        credential: {
          getToken: async () => {
            throw new Error("AADSTS7000215: Invalid client secret provided.");
          },
        },
      });
      try {
        const error = await rejection(failing.request({ method: "GET", path: VMSS, apiVersion: API }));
        assert.equal(
          error.message,
          `TokenAcquisitionFailed: could not get an access token: AADSTS7000215: Invalid client secret provided. (GET ${VMSS})`,
        );
        assert.equal(server.requests.length, 0);
      } finally {
        await failing.close();
      }
    });
  });

  describe("execute: long-running operations", () => {
    const updating = { name: "vmss1", properties: { provisioningState: "Updating" } };
    const succeeded = { name: "vmss1", properties: { provisioningState: "Succeeded" } };
    const asyncHeader = () => ({
      "azure-asyncoperation": `${server.url}${OP}?api-version=${API}`,
      "x-ms-request-id": "req-op",
    });

    it("follows Azure-AsyncOperation to Succeeded, then GETs the resource (PATCH 200, Compute)", async () => {
      server
        .script("PATCH", VMSS, { status: 200, headers: asyncHeader(), body: updating })
        .script(
          "GET",
          OP,
          { status: 200, body: { status: "InProgress", name: "op1" } },
          { status: 200, body: { status: "InProgress", name: "op1" } },
          { status: 200, body: { status: "Succeeded", name: "op1" } },
        )
        .script("GET", VMSS, { status: 200, body: succeeded });
      const response = await client.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: { identity: {} } });
      assert.deepEqual(response.body, succeeded);
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        [`PATCH ${VMSS}`, `GET ${OP}`, `GET ${OP}`, `GET ${OP}`, `GET ${VMSS}`],
      );
      assert.equal(server.requestsTo("GET", OP)[0].query.get("api-version"), API, "the operation URL's query is kept");
      const correlation = new Set(server.requests.map((r) => r.headers["x-ms-correlation-request-id"]));
      assert.equal(correlation.size, 1, "one correlation id for the whole operation");
    });

    it("surfaces a Failed operation as an ArmError with the operation's code and the write's request id", async () => {
      server.script("PATCH", VMSS, { status: 200, headers: asyncHeader(), body: updating }).script("GET", OP, {
        status: 200,
        body: {
          status: "Failed",
          error: {
            code: "FailedIdentityOperation",
            message: "Identity operation failed.",
            details: [{ code: "BadRequest" }],
          },
        },
      });
      const error = await rejection(client.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
      assert.deepEqual(
        [error.code, error.requestId, error.statusCode, error.method, error.path, error.details],
        ["FailedIdentityOperation", "req-op", undefined, "PATCH", VMSS, [{ code: "BadRequest" }]],
      );
      assert.equal(
        error.message,
        `FailedIdentityOperation: Identity operation failed. (PATCH ${VMSS}, request id req-op)`,
      );
    });

    it("surfaces a Cancelled operation without an error as OperationCanceled", async () => {
      server
        .script("PATCH", VMSS, { status: 200, headers: asyncHeader(), body: updating })
        .script("GET", OP, { status: 200, body: { status: "Cancelled" } });
      const error = await rejection(client.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
      assert.deepEqual([error.code, error.armMessage], ["OperationCanceled", "the operation ended Canceled"]);
    });

    it("retries a 503 while polling", async () => {
      server
        .script("PATCH", VMSS, { status: 200, headers: asyncHeader(), body: updating })
        .script("GET", OP, { status: 503 }, { status: 200, body: { status: "Succeeded" } })
        .script("GET", VMSS, { status: 200, body: succeeded });
      assert.deepEqual(
        (await client.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} })).body,
        succeeded,
      );
      assert.equal(retries.length, 1);
    });

    it("follows a DELETE's Location until it stops answering 202 and returns that response", async () => {
      const monitor = `${OP}/monitor`;
      server
        .script("DELETE", VMSS, { status: 202, headers: { location: `${server.url}${monitor}?api-version=${API}` } })
        .script("GET", monitor, { status: 202 }, { status: 202 }, { status: 204 });
      const response = await client.execute({ method: "DELETE", path: VMSS, apiVersion: API });
      assert.equal(response.status, 204);
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        [`DELETE ${VMSS}`, `GET ${monitor}`, `GET ${monitor}`, `GET ${monitor}`],
      );
    });

    it("polls Azure-AsyncOperation, not Location, when a DELETE 202 carries both (Compute recording)", async () => {
      server
        .script("DELETE", VMSS, { status: 202, headers: { ...asyncHeader(), location: `${server.url}${OP}/monitor` } })
        .script("GET", OP, { status: 200, body: { status: "Succeeded" } });
      const response = await client.execute({ method: "DELETE", path: VMSS, apiVersion: API });
      assert.deepEqual(response.body, { status: "Succeeded" });
      assert.equal(server.requestsTo("GET", `${OP}/monitor`).length, 0);
    });

    it("polls the resource's provisioningState when a PUT 201 has no polling header, without a second final GET", async () => {
      server
        .script("PUT", VMSS, { status: 201, body: { properties: { provisioningState: "Creating" } } })
        .script(
          "GET",
          VMSS,
          { status: 200, body: { properties: { provisioningState: "Creating" } } },
          { status: 200, body: succeeded },
        );
      const response = await client.execute({ method: "PUT", path: VMSS, apiVersion: API, body: {} });
      assert.deepEqual(response.body, succeeded);
      assert.equal(server.requestsTo("GET", VMSS).length, 2);
    });

    it("surfaces a provisioningState Failed in the first response", async () => {
      server.script("PUT", VMSS, { status: 200, body: { properties: { provisioningState: "Failed" } } });
      const error = await rejection(client.execute({ method: "PUT", path: VMSS, apiVersion: API, body: {} }));
      assert.equal(error.code, "OperationFailed");
    });

    it("returns a synchronous answer as is (no polling header, terminal state)", async () => {
      server.script("PUT", VMSS, { status: 201, body: succeeded });
      assert.deepEqual(
        (await client.execute({ method: "PUT", path: VMSS, apiVersion: API, body: {} })).body,
        succeeded,
      );
      assert.equal(server.requests.length, 1);
    });

    it("returns a GET of a resource left in Failed state as data, not as an error", async () => {
      const failedVmss = { name: "vmss1", properties: { provisioningState: "Failed" } };
      server.script("GET", VMSS, { status: 200, body: failedVmss });
      assert.deepEqual((await client.execute({ method: "GET", path: VMSS, apiVersion: API })).body, failedVmss);
    });

    it("rejects a 202 without a polling URL", async () => {
      server.script("POST", `${VMSS}/start`, { status: 202, headers: { "x-ms-request-id": "req-202" } });
      const error = await rejection(client.execute({ method: "POST", path: `${VMSS}/start`, apiVersion: API }));
      assert.deepEqual([error.code, error.statusCode, error.requestId], ["MissingPollingUrl", 202, "req-202"]);
    });

    it("throws a 404 met while polling as an ArmError for the caller to judge", async () => {
      server
        .script("DELETE", VMSS, { status: 202, headers: asyncHeader() })
        .script("GET", OP, { status: 404, body: { error: { code: "NotFound", message: "gone" } } });
      const error = await rejection(client.execute({ method: "DELETE", path: VMSS, apiVersion: API }));
      assert.deepEqual([error.code, error.statusCode, error.path], ["NotFound", 404, OP]);
    });

    it("times out an operation that never ends", async () => {
      // Long enough for the PATCH and a first poll to be answered on a loaded machine (20 ms was not, under npm test).
      const impatient = makeClient({ operationTimeoutMs: 400 });
      server
        .script("PATCH", VMSS, { status: 200, headers: asyncHeader(), body: updating })
        .script("GET", OP, { status: 200, body: { status: "InProgress" } });
      try {
        const error = await rejection(impatient.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
        assert.deepEqual([error.code, error.statusCode, error.requestId], ["OperationTimedOut", undefined, "req-op"]);
        assert.match(
          error.message,
          /^OperationTimedOut: the call and its operation did not finish within 400 ms \(operationTimeoutMs\)/,
        );
        assert.ok(server.requestsTo("GET", OP).length >= 1);
      } finally {
        await impatient.close();
      }
    });

    it("the deadline covers the write's own retries: a long Retry-After on the PATCH is cut short", async () => {
      const impatient = makeClient({ operationTimeoutMs: 200, retry: { maxRetries: 3 } });
      server.script("PATCH", VMSS, {
        status: 429,
        headers: { "retry-after": "30" },
        body: { error: { code: "TooManyRequests", message: "slow down" } },
      });
      try {
        const started = Date.now();
        const error = await rejection(impatient.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
        assert.equal(error.code, "OperationTimedOut");
        assert.ok(Date.now() - started < 5000, "it did not wait the 30 s the server asked");
        assert.equal(server.requestsTo("PATCH", VMSS).length, 1);
      } finally {
        await impatient.close();
      }
    });

    it("a caller's AbortSignal stops a call waiting to retry: RequestAborted", async () => {
      server.script("GET", VMSS, {
        status: 503,
        headers: { "retry-after": "30" },
        body: { error: { code: "ServiceUnavailable", message: "busy" } },
      });
      const patient = makeClient({ retry: { maxRetries: 3 } });
      const controller = new AbortController();
      try {
        const pending = rejection(
          patient.request({ method: "GET", path: VMSS, apiVersion: API, signal: controller.signal }),
        );
        setTimeout(() => controller.abort(), 50);
        const error = await pending;
        assert.deepEqual([error.code, error.method], ["RequestAborted", "GET"]);
        assert.equal(server.requestsTo("GET", VMSS).length, 1);
      } finally {
        await patient.close();
      }
    });

    it("does not guess when an operation status has no status field", async () => {
      server
        .script("PATCH", VMSS, { status: 200, headers: asyncHeader(), body: updating })
        .script("GET", OP, { status: 200, body: { name: "op1" } });
      const error = await rejection(client.execute({ method: "PATCH", path: VMSS, apiVersion: API, body: {} }));
      assert.equal(error.code, "InvalidResponseBody");
    });
  });
});
