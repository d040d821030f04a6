import assert from "node:assert/strict";
import {
  finalResultSource,
  operationStateOf,
  provisioningStateOf,
  selectPollingStrategy,
  terminalStatusOf,
} from "../../provider/arm";

const asyncUrl =
  "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/westus/operations/op1?api-version=2024-11-01";
const locationUrl = `${asyncUrl}&monitor=true`;

describe("arm long-running operation rules", () => {
  describe("selectPollingStrategy", () => {
    it("PATCH 200 with Azure-AsyncOperation polls the operation (Compute, docs/arm-behavior.md)", () => {
      const strategy = selectPollingStrategy("PATCH", {
        status: 200,
        headers: { "azure-asyncoperation": asyncUrl },
        body: { properties: { provisioningState: "Updating" } },
      });
      assert.deepEqual(strategy, { kind: "azure-async-operation", pollUrl: asyncUrl });
    });

    it("DELETE 202 with both headers prefers Azure-AsyncOperation over Location", () => {
      const strategy = selectPollingStrategy("DELETE", {
        status: 202,
        headers: { location: locationUrl, "azure-asyncoperation": asyncUrl },
        body: undefined,
      });
      assert.deepEqual(strategy, { kind: "azure-async-operation", pollUrl: asyncUrl });
    });

    it("a 202 with only Location polls the Location", () => {
      const strategy = selectPollingStrategy("DELETE", {
        status: 202,
        headers: { location: locationUrl },
        body: undefined,
      });
      assert.deepEqual(strategy, { kind: "location", pollUrl: locationUrl });
    });

    it("a 202 without polling headers cannot be followed", () => {
      assert.deepEqual(selectPollingStrategy("POST", { status: 202, headers: {}, body: undefined }), {
        kind: "missing-polling-url",
      });
    });

    it("PUT 201 with a non-terminal provisioningState and no headers polls the resource", () => {
      const strategy = selectPollingStrategy("PUT", {
        status: 201,
        headers: {},
        body: { properties: { provisioningState: "Creating" } },
      });
      assert.deepEqual(strategy, { kind: "provisioning-state" });
    });

    it("a Location on a 201 is the created resource, not an operation", () => {
      const strategy = selectPollingStrategy("PUT", {
        status: 201,
        headers: { location: locationUrl },
        body: { properties: { provisioningState: "Succeeded" } },
      });
      assert.deepEqual(strategy, { kind: "none" });
    });

    it("a GET or a terminal PUT needs no polling", () => {
      const body = { properties: { provisioningState: "Creating" } };
      assert.deepEqual(selectPollingStrategy("GET", { status: 200, headers: {}, body }), { kind: "none" });
      assert.deepEqual(
        selectPollingStrategy("PUT", {
          status: 200,
          headers: {},
          body: { properties: { provisioningState: "succeeded" } },
        }),
        { kind: "none" },
      );
      assert.deepEqual(selectPollingStrategy("PATCH", { status: 200, headers: {}, body: {} }), { kind: "none" });
    });
  });

  describe("terminal statuses", () => {
    it("compares case-insensitively and accepts both spellings of Canceled", () => {
      const statuses = [
        "Succeeded",
        "SUCCEEDED",
        "failed",
        "Canceled",
        "Cancelled",
        "InProgress",
        "Updating",
        "Accepted",
      ];
      assert.deepEqual(statuses.map(terminalStatusOf), [
        "succeeded",
        "succeeded",
        "failed",
        "canceled",
        "canceled",
        undefined,
        undefined,
        undefined,
      ]);
    });

    it("reads provisioningState only from properties", () => {
      assert.equal(provisioningStateOf({ properties: { provisioningState: "Updating" } }), "Updating");
      assert.equal(provisioningStateOf({ provisioningState: "Updating" }), undefined);
      assert.equal(provisioningStateOf(undefined), undefined);
    });
  });

  describe("operationStateOf", () => {
    const aao = { kind: "azure-async-operation", pollUrl: asyncUrl } as const;

    it("reads an Azure-AsyncOperation status body", () => {
      const inProgress = { startTime: "t", status: "InProgress", name: "op1" };
      const done = { startTime: "t", endTime: "t", status: "Succeeded", name: "op1" };
      assert.deepEqual(operationStateOf(aao, { status: 200, headers: {}, body: inProgress }), { kind: "running" });
      assert.deepEqual(operationStateOf(aao, { status: 200, headers: {}, body: done }), { kind: "succeeded" });
    });

    it("carries the operation's error on Failed", () => {
      const body = {
        status: "Failed",
        error: { code: "FailedIdentityOperation", message: "Resource 'x' was not found." },
      };
      assert.deepEqual(operationStateOf(aao, { status: 200, headers: {}, body }), {
        kind: "failed",
        error: { code: "FailedIdentityOperation", message: "Resource 'x' was not found.", details: undefined },
      });
    });

    it("reports Cancelled without an error object as canceled with an empty error", () => {
      assert.deepEqual(operationStateOf(aao, { status: 200, headers: {}, body: { status: "Cancelled" } }), {
        kind: "canceled",
        error: {},
      });
    });

    it("does not guess when the status is missing", () => {
      assert.deepEqual(operationStateOf(aao, { status: 200, headers: {}, body: { name: "op1" } }), {
        kind: "unknown",
        reason: "the operation status has no 'status'",
      });
    });

    it("Location: 202 runs, anything else is done", () => {
      const loc = { kind: "location", pollUrl: locationUrl } as const;
      assert.deepEqual(operationStateOf(loc, { status: 202, headers: {}, body: undefined }), { kind: "running" });
      assert.deepEqual(operationStateOf(loc, { status: 204, headers: {}, body: undefined }), { kind: "succeeded" });
    });

    it("provisioning state: absent means Succeeded (ARM RPC)", () => {
      const ps = { kind: "provisioning-state" } as const;
      assert.deepEqual(operationStateOf(ps, { status: 200, headers: {}, body: {} }), { kind: "succeeded" });
      assert.deepEqual(
        operationStateOf(ps, { status: 200, headers: {}, body: { properties: { provisioningState: "Creating" } } }),
        { kind: "running" },
      );
    });
  });

  describe("finalResultSource", () => {
    it("PUT and PATCH end with a GET of the resource (azcore)", () => {
      assert.deepEqual(finalResultSource("PATCH", { "azure-asyncoperation": asyncUrl }), { kind: "resource" });
      assert.deepEqual(finalResultSource("PUT", {}), { kind: "resource" });
    });

    it("POST with both headers ends with a GET of the Location", () => {
      assert.deepEqual(finalResultSource("POST", { "azure-asyncoperation": asyncUrl, location: locationUrl }), {
        kind: "location",
        url: locationUrl,
      });
    });

    it("DELETE ends with the last response", () => {
      assert.deepEqual(finalResultSource("DELETE", { "azure-asyncoperation": asyncUrl, location: locationUrl }), {
        kind: "last-response",
      });
    });
  });
});
