import assert from "node:assert/strict";
import {
  ArmError,
  apiVersionProblem,
  armPathProblem,
  buildRequestUrl,
  isArmError,
  isBearerAllowed,
  isLoopbackHost,
  readArmErrorBody,
} from "../../provider/arm";

describe("arm errors", () => {
  it("formats code, message, method, path without query, status and request id", () => {
    const error = new ArmError({
      code: "ResourceNotFound",
      message:
        "The Resource 'Microsoft.Compute/virtualMachineScaleSets/vmss1' under resource group 'rg' was not found.",
      method: "GET",
      path: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1?api-version=2024-11-01",
      statusCode: 404,
      requestId: "req-1",
    });
    assert.equal(
      error.message,
      "ResourceNotFound: The Resource 'Microsoft.Compute/virtualMachineScaleSets/vmss1' under resource group 'rg' was not found. " +
        "(GET /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1, HTTP 404, request id req-1)",
    );
    assert.equal(
      error.path,
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1",
    );
    assert.deepEqual([error.name, error.retryable, error.attempts], ["ArmError", false, 1]);
  });

  it("is recognised by name and code, also as a plain object from another process", () => {
    const deserialised = JSON.parse(JSON.stringify({ name: "ArmError", code: "Conflict", message: "m" }));
    assert.equal(isArmError(deserialised), true);
    assert.equal(isArmError(new ArmError({ code: "X", message: "m", method: "GET", path: "/" })), true);
    assert.equal(isArmError(new Error("ArmError")), false);
    assert.equal(isArmError({ name: "ArmError" }), false);
    assert.equal(isArmError(null), false);
  });

  it("reads wrapped and bare ARM error bodies", () => {
    assert.deepEqual(readArmErrorBody({ error: { code: "Conflict", message: "busy", details: [{ code: "x" }] } }), {
      code: "Conflict",
      message: "busy",
      details: [{ code: "x" }],
    });
    assert.deepEqual(readArmErrorBody({ code: "BadRequest", message: "no" }), {
      code: "BadRequest",
      message: "no",
      details: undefined,
    });
    assert.deepEqual(readArmErrorBody("<html>"), {});
  });
});

describe("arm request targets", () => {
  it("allows bearer tokens to https anywhere and to http only on loopback", () => {
    const cases: Array<[string, boolean]> = [
      ["https://management.azure.com", true],
      ["http://127.0.0.1:8080", true],
      ["http://127.8.9.10", true],
      ["http://[::1]:80", true],
      ["http://localhost:3000", true],
      ["http://LOCALHOST", true],
      ["http://management.azure.com", false],
      ["http://10.0.0.1", false],
      ["http://127.0.0.1.evil.example", false],
      ["http://[::ffff:7f00:1]", true],
      ["ftp://127.0.0.1", false],
    ];
    for (const [url, expected] of cases) assert.equal(isBearerAllowed(new URL(url)), expected, url);
    assert.equal(isLoopbackHost("128.0.0.1"), false);
  });

  it("accepts ordinary ARM paths", () => {
    assert.equal(
      armPathProblem("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vm%20ss"),
      undefined,
    );
  });

  it("rejects paths that could steer the request elsewhere", () => {
    const cases: Array<[string, string]> = [
      ["subscriptions/s", "expected an ARM path starting with a single '/'"],
      ["//evil.example/x", "expected an ARM path starting with a single '/'"],
      ["/subscriptions/s?api-version=1", "expected a path without query string or fragment"],
      ["/subscriptions/s#x", "expected a path without query string or fragment"],
      ["/subscriptions/../providers", "expected a path without '.' or '..' segments"],
      ["/subscriptions/%2E%2e/providers", "expected a path without '.' or '..' segments"],
      ["/subscriptions/./x", "expected a path without '.' or '..' segments"],
      ["/subscriptions\\x", "expected a path without backslashes or control characters"],
      ["/subscriptions/x\r\nHost: evil", "expected a path without backslashes or control characters"],
    ];
    for (const [path, problem] of cases) assert.equal(armPathProblem(path), problem, path);
  });

  it("accepts dated and preview api-versions only", () => {
    assert.equal(apiVersionProblem("2024-11-01"), undefined);
    assert.equal(apiVersionProblem("2022-01-31-preview"), undefined);
    for (const bad of ["2024-11", "latest", "2024-11-01&x=1", ""]) {
      assert.equal(apiVersionProblem(bad), "expected an api-version like 2024-11-01 or 2022-01-31-preview", bad);
    }
  });

  it("builds the URL with the api-version query and the endpoint's base path", () => {
    assert.equal(
      buildRequestUrl(new URL("https://arm.local/prefix"), "/subscriptions/s", "2024-11-01").href,
      "https://arm.local/prefix/subscriptions/s?api-version=2024-11-01",
    );
  });
});
