// Compute long-running operations as clients see them (shared/ARM-BEHAVIOR.md "Long-running
// operations"; arm-facts.md §5.3): the subscription-level operation URL in Azure-AsyncOperation (and,
// for DELETE, in Location with monitor=true), and the operation resource polled there.
import { randomUUID } from "node:crypto";
import { ArmFailure, methodNotAllowed } from "./arm-errors";
import type { EmulatorCore } from "./core";
import { computeTimestamp, type ArmCall, type Reply } from "./exchange";
import type { OperationRecord } from "./store";

/** Starts an operation on a scale set; the failure (if any) comes from admin failNextOperations. */
export function startScaleSetOperation(
  core: EmulatorCore,
  call: ArmCall,
  target: { key: string; subscriptionId: string; location: string },
  action: OperationRecord["action"],
): OperationRecord {
  const operation: OperationRecord = {
    id: randomUUID(),
    subscriptionId: target.subscriptionId,
    location: target.location,
    target: { kind: "scaleSet", key: target.key },
    action,
    startTime: call.now,
    endsAt: call.now + core.opDurationMs,
    status: "InProgress",
  };
  const failure = core.takeOperationFailure();
  if (failure !== undefined) operation.failure = failure;
  core.store.startOperation(operation);
  return operation;
}

/**
 * Headers of a response that starts an operation: Azure-AsyncOperation always, Location (monitor=true)
 * for DELETE, no Retry-After unless a test asked for one (Compute sends none: docs/arm-behavior.md), and x-ms-request-id equal to the operation ID (Compute DELETE recording in
 * arm-facts.md §5.3; `Azure-AsyncNotification: Enabled` as in shared/arm-recordings).
 */
export function operationHeaders(core: EmulatorCore, call: ArmCall, operation: OperationRecord): Reply["headers"] {
  const headers: Record<string, string> = {
    "azure-asyncoperation": operationUrl(call, operation, false),
    "azure-asyncnotification": "Enabled",
    ...core.retryAfterHeader(),
  };
  if (operation.action === "delete") headers.location = operationUrl(call, operation, true);
  return headers;
}

/** /subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/operations/{id} */
export function getComputeOperation(
  core: EmulatorCore,
  call: ArmCall,
  subscriptionId: string,
  operationId: string,
): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const operation = core.store.operations.get(operationId);
  if (
    operation === undefined ||
    operation.target.kind !== "scaleSet" ||
    operation.subscriptionId !== subscriptionId.toLowerCase()
  ) {
    throw new ArmFailure(404, "NotFound", `The operation '${operationId}' was not found in this Azure location.`);
  }
  if (call.query.get("monitor") === "true") return monitorReply(core, call, operation);
  const body: Record<string, unknown> = { startTime: computeTimestamp(operation.startTime) };
  if (operation.endTime !== undefined) body.endTime = computeTimestamp(operation.endTime);
  body.status = operation.status;
  if (operation.status === "Failed" && operation.failure !== undefined) body.error = { ...operation.failure };
  body.name = operation.id;
  const headers = operation.status === "InProgress" ? core.retryAfterHeader() : {};
  return { status: 200, body, headers };
}

// The Location (monitor=true) flavour: 202 while running, 200 with an empty body when done (the
// update-instances recording in shared/arm-recordings), and the operation's error when it failed.
function monitorReply(core: EmulatorCore, call: ArmCall, operation: OperationRecord): Reply {
  if (operation.status === "InProgress") {
    return {
      status: 202,
      headers: { location: operationUrl(call, operation, true), ...core.retryAfterHeader() },
    };
  }
  if (operation.status === "Failed" && operation.failure !== undefined) {
    throw new ArmFailure(500, operation.failure.code, operation.failure.message);
  }
  return { status: 200 };
}

function operationUrl(call: ArmCall, operation: OperationRecord, monitor: boolean): string {
  const query = monitor ? `monitor=true&api-version=${call.apiVersion}` : `api-version=${call.apiVersion}`;
  return `${call.baseUrl}/subscriptions/${operation.subscriptionId}/providers/Microsoft.Compute/locations/${operation.location}/operations/${operation.id}?${query}`;
}
