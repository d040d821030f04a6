/**
 * The request scheduler: one per (ARM endpoint, subscription, principal) in a process, shared by every client and
 * every operation there (the budgets it watches are per subscription and principal, docs/arm-behavior.md
 * "Throttling"). The decisions are the pure functions of pacing.ts; this holds the state, the queues and the timer.
 *
 * 1. Before each attempt the client asks `admit(class)`. A class of request whose budgets are not known yet goes
 *    one at a time until a response names them; after that a request goes when every budget of its class has
 *    something spendable, else it waits in its class's queue (first come, first served).
 * 2. Each response is handed back with `settle`: its `x-ms-ratelimit-remaining-*` headers update the budgets, a
 *    429's `Retry-After` holds its spent budget, and the queues move on.
 * 3. One operation of each kind at a time is its scout (`claimScout`): it polls finely and reports how long it ran,
 *    so that the others poll once, when they are likely done (pacing.ts nextPoll).
 */
import {
  answered,
  inFlight,
  typicalOf,
  observe,
  readBudgetHeaders,
  sent,
  spendable,
  waitForBudgetMs,
  type BudgetReading,
  type BudgetState,
} from "./pacing";

/** A request let through by {@link Pacer.admit}; hand it back to {@link Pacer.settle}. */
export interface PacerTicket {
  /** Unique in its scheduler. */
  readonly id: number;
  readonly requestClass: string;
  /** The budgets the request was counted against when it went. */
  readonly budgets: readonly string[];
  /** When it went, ms. */
  readonly sentAt: number;
  settled: boolean;
}

/** Why {@link Pacer.admit} holds a request back, as it knows when the hold starts. */
export interface PacerHold {
  /** The budget that holds it (its key, pacing.ts readBudgetHeaders); undefined while its class's are not known yet. */
  budget?: string;
  /** How long it may take, ms; undefined when only the answers to requests in flight can tell. */
  expectedMs?: number;
  /** The hold is a 429's `Retry-After` on that budget. */
  retryAfter: boolean;
}

interface Waiter {
  resolve: (ticket: PacerTicket) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** How many scouts' durations make the typical one (pacing.ts typicalOf). */
const RECENT_DURATIONS = 5;

/** Budgets, queues and operation durations of one (endpoint, subscription, principal). */
export class Pacer {
  private readonly budgets = new Map<string, BudgetState>();
  private readonly classBudgets = new Map<string, Set<string>>();
  private readonly classInFlight = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly durations = new Map<string, number[]>();
  private readonly scouting = new Set<string>();
  private readonly lowest = new Map<string, number>();
  private tickets = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Resolves when a request of `requestClass` may go; rejects with the signal's reason if aborted first. When the
   * request cannot go at once, `onHold` is called, synchronously (in the caller's async context), with what holds it.
   */
  admit(requestClass: string, signal?: AbortSignal, onHold?: (hold: PacerHold) => void): Promise<PacerTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<PacerTicket>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      const queue = this.queues.get(requestClass) ?? [];
      queue.push(waiter);
      this.queues.set(requestClass, queue);
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.pump();
      if (onHold !== undefined && queue.includes(waiter)) onHold(this.holdOf(requestClass, this.clock()));
    });
  }

  /** What holds a request of `requestClass` back now: the budget that allows it last (see waitMs). */
  private holdOf(requestClass: string, now: number): PacerHold {
    const keys = this.classBudgets.get(requestClass);
    if (keys === undefined) return { retryAfter: false };
    let hold: PacerHold | undefined;
    let longest = -1;
    for (const key of keys) {
      const state = this.budgets.get(key);
      if (state === undefined || spendable(state, now) >= 1) continue;
      const wait = inFlight(state) > 0 ? Infinity : (waitForBudgetMs(state, now) ?? 0);
      if (wait <= longest) continue;
      longest = wait;
      const retryAfter = state.blockedUntil !== undefined && now < state.blockedUntil;
      hold = { budget: key, expectedMs: Number.isFinite(wait) ? wait : undefined, retryAfter };
    }
    // Every budget has room: the request waits behind others of its class that the same room lets go first.
    return hold ?? { retryAfter: false };
  }

  /**
   * Hands back a request's outcome: its response headers (lower-case names; undefined when no response came) and,
   * for a 429, how long the server asked to wait.
   */
  settle(ticket: PacerTicket, headers: Record<string, string> | undefined, retryAfterMs?: number): void {
    if (ticket.settled) return;
    ticket.settled = true;
    const now = this.clock();
    this.classInFlight.set(ticket.requestClass, Math.max(0, (this.classInFlight.get(ticket.requestClass) ?? 1) - 1));
    const readings: BudgetReading[] = headers === undefined ? [] : readBudgetHeaders(headers);
    const known = this.classBudgets.get(ticket.requestClass) ?? new Set<string>();
    for (const reading of readings) known.add(reading.key);
    // Any answer tells which budgets count this class (possibly none): no more probing one at a time.
    if (headers !== undefined) this.classBudgets.set(ticket.requestClass, known);
    // A 429 was not counted; a request without an answer may have been (pacing.ts answered).
    const outcome = headers === undefined ? "unknown" : retryAfterMs !== undefined ? "refused" : "counted";
    for (const key of ticket.budgets) {
      const state = this.budgets.get(key);
      if (state !== undefined) this.budgets.set(key, answered(state, ticket.id, now, outcome));
    }
    for (const reading of readings) {
      this.budgets.set(
        reading.key,
        observe(this.budgets.get(reading.key), reading, { id: ticket.id, sent: ticket.sentAt }, now),
      );
      this.lowest.set(reading.key, Math.min(this.lowest.get(reading.key) ?? Infinity, reading.remaining));
    }
    if (retryAfterMs !== undefined) {
      // Hold what the 429 says is spent (a count of 0), else every budget of the class.
      const spent = readings.filter((r) => r.remaining === 0).map((r) => r.key);
      for (const key of spent.length > 0 ? spent : [...known]) {
        const state = this.budgets.get(key);
        if (state === undefined) continue;
        // The later hold wins: a shorter one (another client's, or a scaled test wait) never lifts it.
        this.budgets.set(key, { ...state, blockedUntil: Math.max(state.blockedUntil ?? 0, now + retryAfterMs) });
      }
    }
    this.pump();
  }

  /**
   * Makes the caller the scout of its kind of operation if none is polling now (pacing.ts nextPoll): it polls at a
   * fine step and says, with {@link releaseScout}, how long it ran. True when the caller is the scout.
   */
  claimScout(operationClass: string): boolean {
    if (this.scouting.has(operationClass)) return false;
    this.scouting.add(operationClass);
    return true;
  }

  /** Ends a scout's watch; `durationMs` is how long its operation ran until a poll saw it succeed, if it did. */
  releaseScout(operationClass: string, durationMs?: number): void {
    this.scouting.delete(operationClass);
    if (durationMs === undefined) return;
    const list = this.durations.get(operationClass) ?? [];
    list.push(durationMs);
    if (list.length > RECENT_DURATIONS) list.shift();
    this.durations.set(operationClass, list);
  }

  /** The typical duration of `operationClass` from what the last scouts saw (pacing.ts typicalOf); undefined before any. */
  typicalDuration(operationClass: string): number | undefined {
    const list = this.durations.get(operationClass);
    return list === undefined || list.length === 0 ? undefined : typicalOf(list);
  }

  /**
   * What the scheduler knows of each budget (for benchmarks and logs): what is left as last reported, the lowest
   * count ever reported, and whether another client spends it too.
   */
  snapshot(): Record<string, { remaining: number; lowest: number; shared: boolean }> {
    return Object.fromEntries(
      [...this.budgets].map(([key, s]) => [
        key,
        { remaining: s.reading.remaining, lowest: this.lowest.get(key) ?? s.reading.remaining, shared: s.shared },
      ]),
    );
  }

  /** Lets every waiting request through whose budgets allow it; arms the timer for the others. */
  private pump(): void {
    const now = this.clock();
    let nextWait = Infinity;
    for (const [requestClass, queue] of this.queues) {
      while (queue.length > 0) {
        const wait = this.waitMs(requestClass, now);
        if (wait > 0) {
          nextWait = Math.min(nextWait, wait);
          break;
        }
        const waiter = queue.shift()!;
        if (waiter.signal !== undefined && waiter.onAbort !== undefined) {
          waiter.signal.removeEventListener("abort", waiter.onAbort);
        }
        waiter.resolve(this.start(requestClass));
      }
      if (queue.length === 0) this.queues.delete(requestClass);
    }
    this.arm(nextWait, now);
  }

  // 0 when a request of the class may go now; else ms until it might (Infinity: only a response can tell).
  private waitMs(requestClass: string, now: number): number {
    const keys = this.classBudgets.get(requestClass);
    if (keys === undefined) return (this.classInFlight.get(requestClass) ?? 0) === 0 ? 0 : Infinity;
    let wait = 0;
    for (const key of keys) {
      const state = this.budgets.get(key);
      if (state === undefined) continue;
      if (spendable(state, now) >= 1) continue;
      // With requests of this budget still in flight, their answers will say more than the clock does.
      wait = Math.max(wait, inFlight(state) > 0 ? Infinity : (waitForBudgetMs(state, now) ?? 0));
    }
    return wait;
  }

  private start(requestClass: string): PacerTicket {
    const id = ++this.tickets;
    const at = this.clock();
    const keys = [...(this.classBudgets.get(requestClass) ?? [])].filter((k) => this.budgets.has(k));
    for (const key of keys) this.budgets.set(key, sent(this.budgets.get(key)!, id, at));
    this.classInFlight.set(requestClass, (this.classInFlight.get(requestClass) ?? 0) + 1);
    return { id, requestClass, budgets: keys, sentAt: at, settled: false };
  }

  private arm(waitMs: number, now: number): void {
    if (!Number.isFinite(waitMs)) return;
    const at = now + waitMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, waitMs);
    // Not unref'd: the timer exists only while requests wait for it, and a program whose requests wait is not done.
  }
}

const pacers = new Map<string, Pacer>();

/**
 * The process-wide scheduler of one (endpoint origin, subscription, principal): every client of the process that
 * talks to that subscription as that principal shares it.
 */
export function pacerFor(origin: string, subscriptionId: string, principal: string): Pacer {
  const key = `${origin}|${subscriptionId.toLowerCase()}|${principal.toLowerCase()}`;
  let pacer = pacers.get(key);
  if (pacer === undefined) {
    pacer = new Pacer();
    pacers.set(key, pacer);
  }
  return pacer;
}

/** Forgets every scheduler (tests that start over with a fresh emulator). */
export function resetPacers(): void {
  pacers.clear();
}

/**
 * The principal a bearer token was issued to, for keying budgets: its `oid`, else `appid`/`azp`, from the JWT's
 * payload (not verified: it only names a queue). Never the token itself.
 */
export function principalOfToken(token: string): string {
  const payload = token.split(".")[1];
  if (payload !== undefined) {
    try {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
      for (const name of ["oid", "appid", "azp"]) {
        if (typeof claims[name] === "string" && claims[name] !== "") return claims[name] as string;
      }
    } catch {
      // not a JWT: fall through
    }
  }
  return "unknown-principal";
}
