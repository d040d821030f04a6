/**
 * ARM long-running operations as named pure functions. The loop that polls lives in the client.
 * Sources: the ARM RPC async contract and azcore's poller (docs/arm-behavior.md, "Long-running operations").
 */
import { readArmErrorBody, type ArmErrorBody } from "./errors";
import type { HttpMethod } from "./retry";

/** How to follow an operation that a response started. */
export type PollingStrategy =
  /** GET the `Azure-AsyncOperation` URL until its `status` is terminal. */
  | { kind: "azure-async-operation"; pollUrl: string }
  /** GET the `Location` URL until it stops answering 202. */
  | { kind: "location"; pollUrl: string }
  /** GET the resource itself until `properties.provisioningState` is terminal. */
  | { kind: "provisioning-state" }
  /** The response is already the end of the operation. */
  | { kind: "none" }
  /** A 202 without any polling URL: the operation cannot be followed (azcore: "response is missing polling URL"). */
  | { kind: "missing-polling-url" };

/** Where an operation stands, read from one poll response. */
export type OperationState =
  | { kind: "running" }
  | { kind: "succeeded" }
  | { kind: "failed"; error: ArmErrorBody }
  | { kind: "canceled"; error: ArmErrorBody }
  /** The poll response did not say (an `Azure-AsyncOperation` body without `status`). */
  | { kind: "unknown"; reason: string };

/** Terminal status names compared case-insensitively; ARM spells the last one both ways. */
export type TerminalStatus = "succeeded" | "failed" | "canceled";

/** One response as the functions here see it: status, lower-case headers, parsed body. */
export interface PollResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Default floor of a wait between polls that the server's `Retry-After` decides, in ms, even when it says less
 * (`Retry-After: 0`; azcore's minimum frequency). Without `Retry-After`, pacing.ts nextPoll decides (its scouts poll
 * every 250 ms).
 */
export const DEFAULT_MIN_POLL_INTERVAL_MS = 1_000;
/** Default deadline for one long-running operation, in ms (30 min; identity operations take 5–40 s). */
export const DEFAULT_OPERATION_TIMEOUT_MS = 30 * 60_000;

/**
 * Which strategy a response asks for, in azcore's order: `Azure-AsyncOperation` first (it "must be checked first
 * as it can also have a location header", e.g. Compute's DELETE 202 carries both), then `Location` on a 202,
 * then a non-terminal `properties.provisioningState` in a PUT/PATCH 200/201 body, else nothing to follow.
 */
export function selectPollingStrategy(method: HttpMethod, response: PollResponse): PollingStrategy {
  const asyncOperation = response.headers["azure-asyncoperation"];
  if (asyncOperation) return { kind: "azure-async-operation", pollUrl: asyncOperation };
  const location = response.headers["location"];
  if (response.status === 202) {
    return location ? { kind: "location", pollUrl: location } : { kind: "missing-polling-url" };
  }
  if ((method === "PUT" || method === "PATCH") && (response.status === 200 || response.status === 201)) {
    const state = provisioningStateOf(response.body);
    if (state !== undefined && terminalStatusOf(state) === undefined) return { kind: "provisioning-state" };
  }
  return { kind: "none" };
}

/**
 * Normalises a status string to a terminal status, or undefined while running. Case-insensitive; both
 * `Canceled` and `Cancelled` count (ARM RPC uses the first, some services send the second).
 */
export function terminalStatusOf(status: string): TerminalStatus | undefined {
  switch (status.trim().toLowerCase()) {
    case "succeeded":
      return "succeeded";
    case "failed":
      return "failed";
    case "canceled":
    case "cancelled":
      return "canceled";
    default:
      return undefined;
  }
}

/** `properties.provisioningState` of a resource body, if it is a string. */
export function provisioningStateOf(body: unknown): string | undefined {
  const properties = isRecord(body) ? body["properties"] : undefined;
  const state = isRecord(properties) ? properties["provisioningState"] : undefined;
  return typeof state === "string" ? state : undefined;
}

/**
 * Reads the operation's state from a poll response of the given strategy:
 * - `Azure-AsyncOperation`: the body's `status` (`error` carries the failure, RPC §5.3);
 * - `Location`: 202 is running, any other 2xx is done (error statuses never reach here: they are ArmErrors);
 * - provisioning state: the resource's `properties.provisioningState`; absent means succeeded (RPC §5.3).
 */
export function operationStateOf(strategy: PollingStrategy, response: PollResponse): OperationState {
  switch (strategy.kind) {
    case "azure-async-operation": {
      const status = isRecord(response.body) ? response.body["status"] : undefined;
      if (typeof status !== "string") return { kind: "unknown", reason: "the operation status has no 'status'" };
      return stateFromStatus(status, response.body);
    }
    case "location":
      return response.status === 202 ? { kind: "running" } : { kind: "succeeded" };
    case "provisioning-state": {
      const state = provisioningStateOf(response.body);
      return state === undefined ? { kind: "succeeded" } : stateFromStatus(state, response.body);
    }
    case "none":
    case "missing-polling-url":
      return stateFromStatus(provisioningStateOf(response.body) ?? "Succeeded", response.body);
  }
}

/**
 * Where the result of a finished operation comes from:
 * - PUT/PATCH: a GET of the resource URL (azcore: "for PATCH and PUT, the final GET is on the original resource
 *   URL", §5.2), whatever the strategy;
 * - POST with a `Location` header next to `Azure-AsyncOperation`: a GET of that Location (azcore's default);
 * - otherwise the last response seen (for DELETE, usually an empty 200/204).
 */
export function finalResultSource(
  method: HttpMethod,
  initialHeaders: Record<string, string>,
): { kind: "resource" } | { kind: "location"; url: string } | { kind: "last-response" } {
  if (method === "PUT" || method === "PATCH") return { kind: "resource" };
  const location = initialHeaders["location"];
  if (method === "POST" && initialHeaders["azure-asyncoperation"] && location)
    return { kind: "location", url: location };
  return { kind: "last-response" };
}

function stateFromStatus(status: string, body: unknown): OperationState {
  const terminal = terminalStatusOf(status);
  if (terminal === undefined) return { kind: "running" };
  if (terminal === "succeeded") return { kind: "succeeded" };
  const error = isRecord(body) && isRecord(body["error"]) ? readArmErrorBody(body) : {};
  return { kind: terminal, error };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
