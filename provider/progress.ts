/**
 * What the user sees while a resource's operation runs: the one place that turns the transport's events
 * (provider/arm/events.ts: retries, holds of the pacer for a budget, long-running operations) and the resource
 * layer's own messages (plan lines, warnings) into messages, and sends them to the door that serves the operation.
 *
 * Attribution: the ARM client is shared by every resource of a process, and reports its events in the async context
 * of the call that waits. A door runs each operation of a resource inside {@link withMessages} with its own sink
 * (AsyncLocalStorage), so an event reaches the sink of the resource whose call caused it. Outside any scope (the
 * dynamic provider, which installs none) messages go to stderr, which the engine shows for the dynamic provider.
 * The runtimes stay door-agnostic: they never see a sink.
 *
 * What is said, and when:
 * - a write queued behind another write to the same scale set in this process (provider/scaleSetLock.ts), like a
 *   hold: once it has lasted `noticeAfterMs`, then at its end;
 * - a retry: when its wait starts (always: a retry is news), and when it ends if the wait was long;
 * - a hold of the pacer, an operation still running: once the wait is expected to last, or has lasted,
 *   `noticeAfterMs` (default 5 s), then at its end; on a plain stream, an operation only from
 *   `streamOperationNoticeMs` (default 30 s), since every scale set write runs for seconds; a sink with rows (the plugin: ephemeral status on the resource's
 *   row) also gets updates at 15 s, 30 s, 1 min and every minute after, never one per poll;
 * - plan lines (info) and warnings, kept.
 *
 * Cancellation: a door hands each scope the signal of its cancellation ({@link ProgressOptions.signal}: the plugin's
 * `Cancel` RPC, sent by the engine at the user's first Ctrl-C); the shared ARM clients read it in the call's context
 * ({@link currentCancellation}), so every wait of the scope's calls ends at once and nothing more is sent. The
 * dynamic provider's host ignores `Cancel` and installs no scope: outside a scope, the signal is the engine's
 * going away (the process is orphaned when the engine exits at the second Ctrl-C), so a held request is never
 * sent after the user stopped the run.
 *
 * Messages carry methods, ARM paths, budgets, durations and ARM's reasons: never a token, a header or a body.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { describeBudget, nextWaitId, type TransportEvent, type WaitOutcome } from "./arm/events";

/** The kept messages' severities. */
export type MessageSeverity = "info" | "warning";

/** One message about a wait, shown while the wait lasts. */
export interface StatusMessage {
  /** The wait it is about (events.ts waitId): a wait's start, updates and end share it. */
  waitId: number;
  phase: "start" | "update" | "end";
  /** For the resource's own row: says what waits and for how long, not which request path. */
  text: string;
  /** Standing alone (a stream without rows, e.g. stderr): `text` plus the request it is about. */
  line: string;
}

/** Where a door sends the messages of one resource operation. */
export interface MessageSink {
  /**
   * True when statuses replace one another on the resource's row while it is in progress (the plugin's ephemeral
   * Log messages): then every notice, update and end is sent. False for a plain stream (stderr): only the start and
   * the end of a long wait.
   */
  readonly rows: boolean;
  /** A message to keep: a plan line (info) or a warning. */
  message(severity: MessageSeverity, text: string): void;
  /** A wait's status. */
  status(message: StatusMessage): void;
}

/** Timing of what is said of waits. */
export interface ProgressOptions {
  /** A wait is reported once it is expected to last, or has lasted, this long, ms. Default 5 000. */
  noticeAfterMs?: number;
  /**
   * On a sink without rows (stderr), an operation still running is told only once it has run this long, ms: every
   * scale set write runs for seconds on Azure, and a line for each says nothing the resource's end does not. Its end
   * is then told too. Default 30 000.
   */
  streamOperationNoticeMs?: number;
  /**
   * The door's cancellation of the scope's operation: when it aborts, the waits of its ARM calls end at once and the
   * calls fail saying what was interrupted (provider/arm/client.ts `cancellation`). Default: none.
   */
  signal?: AbortSignal;
  /**
   * Added to the first line of a hold for a budget (nothing sent yet) on a plain stream: how the user stops it.
   * Default: none.
   */
  stopHint?: string;
}

/** Default of {@link ProgressOptions.noticeAfterMs}, ms: "a wait longer than a few seconds". */
export const DEFAULT_NOTICE_AFTER_MS = 5_000;
/** Default of {@link ProgressOptions.streamOperationNoticeMs}, ms. */
export const DEFAULT_STREAM_OPERATION_NOTICE_MS = 30_000;
/** When a sink with rows hears again of a long wait: these elapsed times, ms, then every last step. */
const UPDATES_AT_MS = [15_000, 30_000, 60_000];

/** The stream of the dynamic provider and of anything outside a scope: stderr, one line each. */
export const stderrSink: MessageSink = {
  rows: false,
  message(severity, text) {
    process.stderr.write(severity === "warning" ? `warning: ${text}\n` : `${text}\n`);
  },
  status(message) {
    process.stderr.write(`${message.line}\n`);
  },
};

/** One scope: a sink and the waits it has heard of. */
class Scope {
  private readonly waits = new Map<number, Wait>();
  readonly noticeAfterMs: number;
  private readonly operationNoticeMs: number;
  private readonly stopHint: string | undefined;

  constructor(
    readonly sink: MessageSink,
    options: ProgressOptions = {},
    private readonly cancellation: () => AbortSignal | undefined = () => options.signal,
  ) {
    this.noticeAfterMs = options.noticeAfterMs ?? DEFAULT_NOTICE_AFTER_MS;
    this.operationNoticeMs = sink.rows
      ? this.noticeAfterMs
      : Math.max(this.noticeAfterMs, options.streamOperationNoticeMs ?? DEFAULT_STREAM_OPERATION_NOTICE_MS);
    this.stopHint = options.stopHint;
  }

  /** The scope's cancellation signal, if it has one. */
  signal(): AbortSignal | undefined {
    return this.cancellation();
  }

  event(event: TransportEvent): void {
    switch (event.kind) {
      case "retry":
        this.start(event.waitId, new RetryWait(event.method, event.path, event.retry, event.delayMs, event.reason), 0);
        return;
      case "budget-hold": {
        const wait = new HoldWait(event.method, event.path, event.budget, event.expectedMs, event.retryAfter);
        this.start(
          event.waitId,
          wait,
          event.expectedMs !== undefined && event.expectedMs >= this.noticeAfterMs ? 0 : this.noticeAfterMs,
        );
        return;
      }
      case "operation-running":
        if (!this.waits.has(event.waitId)) {
          this.start(event.waitId, new OperationWait(event.method, event.path), this.operationNoticeMs);
        }
        return;
      case "wait-ended":
        this.end(event.waitId, event.outcome);
        return;
    }
  }

  /** A write queued behind another write to the same scale set in this process (scaleSetLock.ts). */
  queued(waitId: number, scaleSetId: string): void {
    this.start(waitId, new QueueWait("", scaleSetId), this.noticeAfterMs);
  }

  /** The end of a wait followed by {@link queued}. */
  dequeued(waitId: number, outcome: "done" | "aborted"): void {
    this.end(waitId, outcome);
  }

  /** Follows a wait: said at once (`noticeInMs` 0) or once it has lasted `noticeInMs`. */
  private start(waitId: number, wait: Wait, noticeInMs: number): void {
    this.waits.set(waitId, wait);
    if (noticeInMs <= 0) this.notice(waitId, wait, true);
    else wait.timer = unrefd(setTimeout(() => this.notice(waitId, wait, false), noticeInMs));
  }

  private notice(waitId: number, wait: Wait, immediate: boolean): void {
    wait.noticed = true;
    this.say(waitId, wait, { phase: "start", elapsedMs: Date.now() - wait.since, immediate });
    if (this.sink.rows) this.scheduleUpdate(waitId, wait);
  }

  private scheduleUpdate(waitId: number, wait: Wait): void {
    const elapsed = Date.now() - wait.since;
    const step = UPDATES_AT_MS[UPDATES_AT_MS.length - 1];
    const next = UPDATES_AT_MS.find((at) => at > elapsed) ?? (Math.floor(elapsed / step) + 1) * step;
    wait.timer = unrefd(
      setTimeout(() => {
        this.say(waitId, wait, { phase: "update", elapsedMs: Date.now() - wait.since });
        this.scheduleUpdate(waitId, wait);
      }, next - elapsed),
    );
  }

  private end(waitId: number, outcome: WaitOutcome): void {
    const wait = this.waits.get(waitId);
    if (wait === undefined) return;
    this.waits.delete(waitId);
    if (wait.timer !== undefined) clearTimeout(wait.timer);
    const waited = Date.now() - wait.since;
    // A plain stream hears of the end of a wait it heard of, when that wait was long (a retry's short wait ends
    // with the next attempt, which says enough).
    if (!wait.noticed || (!this.sink.rows && waited < this.noticeAfterMs)) return;
    this.say(waitId, wait, { phase: "end", elapsedMs: waited, outcome });
  }

  private say(waitId: number, wait: Wait, said: Said): void {
    const { phase } = said;
    let line = wait.text(said, wait.method === "" ? wait.path : `${wait.method} ${wait.path}`);
    if (phase === "start" && this.stopHint !== undefined && wait instanceof HoldWait) line += ` (${this.stopHint})`;
    try {
      this.sink.status({ waitId, phase, text: wait.text(said), line });
    } catch {
      // A sink that fails loses a message, never the operation.
    }
  }
}

/** A wait's phase as it is said: its notice (`immediate`: as it starts), an update, or its end. */
type Said =
  | { phase: "start"; elapsedMs: number; immediate: boolean }
  | { phase: "update"; elapsedMs: number }
  | { phase: "end"; elapsedMs: number; outcome: WaitOutcome };

/** What is said of one kind of wait. */
abstract class Wait {
  readonly since = Date.now();
  noticed = false;
  timer?: NodeJS.Timeout;

  constructor(
    readonly method: string,
    readonly path: string,
  ) {}

  /** The text for the resource's row (`request` undefined) or standing alone (`request`: method and path). */
  abstract text(said: Said, request?: string): string;
}

class RetryWait extends Wait {
  constructor(
    method: string,
    path: string,
    private readonly retry: number,
    private readonly delayMs: number,
    private readonly reason: string,
  ) {
    super(method, path);
  }

  text(said: Said, request = this.method): string {
    switch (said.phase) {
      case "start":
        return `retrying ${request} in ${(this.delayMs / 1000).toFixed(1)} s (retry ${this.retry}): ${this.reason}`;
      case "update":
        return `retrying ${request} in ${seconds(Math.max(0, this.delayMs - said.elapsedMs))} (retry ${this.retry}): ${this.reason}`;
      case "end":
        return said.outcome === "done"
          ? `retried ${request} after ${seconds(said.elapsedMs)} (retry ${this.retry}): ${this.reason}`
          : `stopped waiting to retry ${request} after ${seconds(said.elapsedMs)}`;
    }
  }
}

class HoldWait extends Wait {
  private readonly what: string;

  constructor(
    method: string,
    path: string,
    budget: string | undefined,
    private readonly expectedMs: number | undefined,
    retryAfter: boolean,
  ) {
    super(method, path);
    this.what =
      budget === undefined
        ? `the first answer to a ${method} of this kind, which names its budgets`
        : `${describeBudget(budget)}${retryAfter ? " (the Retry-After of a 429)" : ""}`;
  }

  text(said: Said, request?: string): string {
    const before = request === undefined ? "" : ` before ${request}`;
    const expected = this.expectedMs;
    switch (said.phase) {
      case "start":
        return expected !== undefined && said.immediate
          ? `waiting ${seconds(expected)} for ${this.what}${before}`
          : `waiting for ${this.what}${before} (${seconds(said.elapsedMs)} so far)`;
      case "update":
        return expected !== undefined && expected > said.elapsedMs
          ? `waiting for ${this.what}${before}: ${seconds(said.elapsedMs)} of ${seconds(expected)}`
          : `waiting for ${this.what}${before} (${seconds(said.elapsedMs)} so far)`;
      case "end":
        return said.outcome === "done"
          ? `waited ${seconds(said.elapsedMs)} for ${this.what}${before}`
          : `stopped waiting for ${this.what}${before} after ${seconds(said.elapsedMs)}: nothing was sent`;
    }
  }
}

class OperationWait extends Wait {
  text(said: Said, request?: string): string {
    const of = request === undefined ? "operation" : `operation of ${request}`;
    switch (said.phase) {
      case "start":
      case "update":
        return `${of} running ${seconds(said.elapsedMs)}`;
      case "end": {
        if (said.outcome === "unfollowed") {
          return `could not follow the ${of} after ${seconds(said.elapsedMs)}: it may still be running`;
        }
        const how = said.outcome === "done" ? "succeeded" : said.outcome === "failed" ? "failed" : "no longer followed";
        return `${of} ${how} after ${seconds(said.elapsedMs)}`;
      }
    }
  }
}

/** A write waiting for another write to the same scale set, in this process, to finish (`path`: the scale set). */
class QueueWait extends Wait {
  text(said: Said, request?: string): string {
    const what = `another write to ${request ?? "this scale set"} in this deployment`;
    switch (said.phase) {
      case "start":
      case "update":
        return `waiting for ${what} to finish (${seconds(said.elapsedMs)} so far)`;
      case "end":
        return said.outcome === "done"
          ? `waited ${seconds(said.elapsedMs)} for ${what} to finish`
          : `stopped waiting for ${what} after ${seconds(said.elapsedMs)}: nothing was sent`;
    }
  }
}

/** Whole seconds from 10 s on, tenths below: `140 s`, `4.5 s`. */
function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

function unrefd(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}

const scopes = new AsyncLocalStorage<Scope>();
let outside: Scope | undefined;

/**
 * What the dynamic provider's stderr adds to a long wait. Its host ignores the engine's `Cancel`, so the first Ctrl-C
 * lets the wait run on; the second ends the engine, and with it the wait ({@link engineGone}).
 */
export const DYNAMIC_STOP_HINT = "press Ctrl-C twice to stop: nothing is sent while it waits";

/** The scope of the running operation, else the process's default (stderr). */
function current(): Scope {
  return scopes.getStore() ?? (outside ??= new Scope(stderrSink, { stopHint: DYNAMIC_STOP_HINT }, engineGone));
}

let orphaned: AbortController | undefined;
/** How often the process checks that its parent (the engine) is still there, ms. */
const PARENT_CHECK_MS = 500;

/**
 * Aborts when this process's parent is gone (its parent process id changes: the engine that started the dynamic
 * provider's host exited, at the user's second Ctrl-C, and left it running). Watched only from the first call.
 */
function engineGone(): AbortSignal {
  if (orphaned === undefined) {
    const controller = (orphaned = new AbortController());
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      controller.abort(new Error("the Pulumi engine that started this provider exited"));
    }, PARENT_CHECK_MS);
    timer.unref();
  }
  return orphaned.signal;
}

/**
 * The cancellation of the running operation (the ARM clients' `cancellation`, provider/sharedClients.ts): its
 * scope's {@link ProgressOptions.signal}; outside a scope (the dynamic provider), the engine's going away.
 */
export function currentCancellation(): AbortSignal | undefined {
  return current().signal();
}

/**
 * Runs `operation` with its messages going to `sink`: every transport event of the calls it makes (in its async
 * context), every plan line and warning reported through this module. Returns what `operation` returns.
 */
export function withMessages<T>(sink: MessageSink, operation: () => T, options?: ProgressOptions): T {
  return scopes.run(new Scope(sink, options), operation);
}

/**
 * Runs `operation` with its waits' lines, on the process's stream (stderr), prefixed by `label`: the dynamic
 * provider's lines are not attached to a resource, and its host never tells the provider which resource it serves
 * (`@pulumi/pulumi` 3.248 cmd/dynamic-provider passes no URN or name), so the label says what the resource declares.
 * Inside a door's scope (the plugin's, whose messages go to the resource) the scope stands and the label is unused.
 */
export function withStreamLabel<T>(label: string, operation: () => T): T {
  if (scopes.getStore() !== undefined) return operation();
  const sink: MessageSink = {
    rows: false,
    message: (severity, text) => stderrSink.message(severity, text),
    status: (message) => stderrSink.status({ ...message, line: `${label}: ${message.line}` }),
  };
  return scopes.run(new Scope(sink, { stopHint: DYNAMIC_STOP_HINT }, engineGone), operation);
}

/** The ARM clients' `onEvent` (provider/sharedClients.ts): hands a transport event to the scope that caused it. */
export function reportTransportEvent(event: TransportEvent): void {
  current().event(event);
}

/**
 * A write to `scaleSetId` queued behind another write to it in this process (provider/scaleSetLock.ts): said, in the
 * scope of the resource that waits, once it has lasted `noticeAfterMs`, and at its end. Returns the function that
 * ends the wait.
 */
export function reportQueuedWrite(scaleSetId: string): (outcome?: "done" | "aborted") => void {
  const scope = current();
  const waitId = nextWaitId();
  scope.queued(waitId, scaleSetId);
  return (outcome = "done") => scope.dequeued(waitId, outcome);
}

/** A message to keep, to the current scope's sink: a plan line (`info`) or a warning. */
export function reportMessage(severity: MessageSeverity, text: string): void {
  try {
    current().sink.message(severity, text);
  } catch {
    // A sink that fails loses a message, never the operation.
  }
}
