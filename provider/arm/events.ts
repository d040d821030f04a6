/**
 * What the transport waits for, as events: a retry's wait, a hold of the pacer for a budget, a long-running
 * operation still running, and the end of each of those waits. The client reports them to its `onEvent` option,
 * synchronously and in the async context of the call that waits (so a caller can attribute them, e.g. with
 * AsyncLocalStorage); what the user sees of them is decided above the transport (provider/progress.ts). Events carry
 * the method and the path without query string: never a token, a header or a body.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RetryEvent } from "./client";
import type { HttpMethod } from "./retry";

/** What every wait's events carry. */
export interface WaitEventBase {
  /** Unique in the process: the events of one wait share it (its start, updates and end). */
  waitId: number;
  /** The request that waits (for an operation, the write that started it). */
  method: HttpMethod;
  /** Its path, without query string. */
  path: string;
}

/** A retry is about to wait `delayMs` before its next attempt (the same facts as `onRetry`'s RetryEvent). */
export interface RetryWaitEvent extends WaitEventBase, RetryEvent {
  kind: "retry";
}

/**
 * The pacer (pacer.ts) holds the request back: a budget of its kind of request has nothing spendable now. Reported
 * once, when the hold starts; its end is a {@link WaitEndedEvent}.
 */
export interface BudgetHoldEvent extends WaitEventBase {
  kind: "budget-hold";
  /**
   * The budget that holds it, as the pacer keys budgets (pacing.ts readBudgetHeaders): `subscription-reads`,
   * `subscription-writes`, `subscription-deletes`, `tenant-…` (ARM's buckets) or `Microsoft.Compute/<policy>`
   * (Compute's, e.g. `Microsoft.Compute/GetVMScaleSet3Min`). Undefined while the budgets of this kind of request are
   * not known yet and an earlier request of that kind, in flight, will say which they are.
   */
  budget?: string;
  /**
   * How long the pacer expects to hold it, in ms, as it knows at the start (the queue may hold it longer: requests
   * ahead of it go first). Undefined when only the answers to requests in flight can tell.
   */
  expectedMs?: number;
  /** The hold is a 429's `Retry-After` on that budget (rather than the pacer's own reading of what is left). */
  retryAfter: boolean;
}

/**
 * A long-running operation is still running: reported when it starts (`polls` 0, `elapsedMs` 0) and after each poll
 * that saw it running. Its end is a {@link WaitEndedEvent}.
 */
export interface OperationRunningEvent extends WaitEventBase {
  kind: "operation-running";
  /** Since the write's answer, ms. */
  elapsedMs: number;
  /** Polls so far. */
  polls: number;
}

/** How a wait ended (see {@link WaitEndedEvent.outcome}). */
export type WaitOutcome = "done" | "failed" | "unfollowed" | "aborted";

/** The end of a wait reported by one of the events above. */
export interface WaitEndedEvent extends WaitEventBase {
  kind: "wait-ended";
  /** Which kind of wait ended. */
  wait: "retry" | "budget-hold" | "operation";
  /** How long it lasted, ms. */
  waitedMs: number;
  /**
   * `done`: waited out (an operation: succeeded); `failed`: an operation that ended Failed or Canceled; `unfollowed`:
   * an operation whose polling itself failed, so that its outcome is not known; `aborted`: the call stopped.
   */
  outcome: WaitOutcome;
}

/** Everything the transport reports of what it waits for. */
export type TransportEvent = RetryWaitEvent | BudgetHoldEvent | OperationRunningEvent | WaitEndedEvent;

/** Receives the events of a client; must not throw (an exception is swallowed so that the call goes on). */
export type TransportEventListener = (event: TransportEvent) => void;

let lastWaitId = 0;

/** A new wait ID, unique in the process. */
export function nextWaitId(): number {
  return ++lastWaitId;
}

/**
 * A budget's name for people: `Compute's GetVMScaleSet3Min budget`, `ARM's subscription write budget`. The key is
 * the one {@link BudgetHoldEvent.budget} carries.
 */
export function describeBudget(budget: string): string {
  const compute = /^Microsoft\.Compute\/(.+)$/i.exec(budget);
  if (compute !== null) return `Compute's ${compute[1]} budget`;
  const bucket = /^(subscription|tenant)-(reads|writes|deletes)$/.exec(budget);
  if (bucket !== null) return `ARM's ${bucket[1]} ${bucket[2].slice(0, -1)} budget`;
  const provider = /^([^/]+)\/(.+)$/.exec(budget);
  if (provider !== null) return `${provider[1]}'s ${provider[2]} budget`;
  return `the ${budget} budget`;
}

/**
 * Waits `event.delayMs` before a retry, told as a `retry` event when it starts and a `wait-ended` event when it ends,
 * whatever ends it: the one way a retry's wait is told, for the client's own retries and for callers that retry on
 * their own (provider/roleAssignmentRuntime.ts).
 * @throws the signal's reason when it ends the wait.
 */
export async function reportedRetryWait(
  event: RetryEvent,
  emit: TransportEventListener,
  signal?: AbortSignal,
): Promise<void> {
  const waitId = nextWaitId();
  emit({ kind: "retry", waitId, ...event });
  const started = Date.now();
  let outcome: "done" | "aborted" = "aborted";
  try {
    await sleep(event.delayMs, undefined, { signal });
    outcome = "done";
  } finally {
    const { method, path } = event;
    emit({ kind: "wait-ended", waitId, method, path, wait: "retry", waitedMs: Date.now() - started, outcome });
  }
}
