/**
 * Request pacing as pure decisions (like retry.ts): what the server's own counters say is left, how much of it this
 * process may spend now, and when to poll an operation. The scheduler that waits lives in pacer.ts.
 *
 * ARM and Compute say on every response what a budget has left (docs/arm-behavior.md "Throttling"):
 * - `x-ms-ratelimit-remaining-subscription-reads|writes|deletes` (and `tenant-…`): ARM's token buckets per
 *   subscription and principal, refilled continuously (reads 250 at 25/s, writes and deletes 200 at 10/s);
 * - `x-ms-ratelimit-remaining-resource: Microsoft.Compute/<policy>;<remaining>`: Compute's policies, counted over
 *   sliding windows named by their suffix (`GetVMScaleSet3Min`, `GetVMScaleSet30Min`, …).
 * Microsoft's advice is to slow down before a count reaches 0 rather than meet the 429, whose `Retry-After` can be
 * 20 minutes (MicrosoftDocs/azure-docs articles/virtual-machines/troubleshooting/troubleshooting-throttling-errors.md).
 */

/** A token bucket's size and refill. */
export interface BucketSize {
  capacity: number;
  refillPerSecond: number;
}

/**
 * ARM's bucket sizes per subscription and principal (learn.microsoft.com, "Understand how Azure Resource Manager
 * throttles requests", token bucket algorithm). A response only says what is left, so the refill comes from here.
 */
export const ARM_BUCKETS: Readonly<Record<"reads" | "writes" | "deletes", BucketSize>> = Object.freeze({
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
});

/** One budget as one response reported it. */
export type BudgetReading =
  | { key: string; kind: "bucket"; remaining: number; size: BucketSize }
  | { key: string; kind: "window"; remaining: number; windowMs: number }
  /** A count without a known refill (e.g. Compute's `VmssQueuedVMOperations`): only ever spent down to 0. */
  | { key: string; kind: "counter"; remaining: number };

/**
 * The budgets a response reports, from its `x-ms-ratelimit-remaining-*` headers (lower-case names). ARM's buckets
 * are keyed `subscription-reads`, `tenant-writes`, …; Compute's policies by their full name.
 */
export function readBudgetHeaders(headers: Record<string, string>): BudgetReading[] {
  const readings: BudgetReading[] = [];
  for (const scope of ["subscription", "tenant"] as const) {
    for (const kind of ["reads", "writes", "deletes"] as const) {
      const remaining = count(headers[`x-ms-ratelimit-remaining-${scope}-${kind}`]);
      if (remaining !== undefined) {
        readings.push({ key: `${scope}-${kind}`, kind: "bucket", remaining, size: ARM_BUCKETS[kind] });
      }
    }
  }
  // Several headers arrive joined with ", "; Compute itself joins its policies with ",".
  for (const entry of (headers["x-ms-ratelimit-remaining-resource"] ?? "").split(",")) {
    const match = /^\s*([A-Za-z0-9.]+\/[A-Za-z0-9]+);\s*(\d+)\s*$/.exec(entry);
    if (match === null) continue;
    const windowMs = policyWindowMs(match[1]);
    const remaining = Number(match[2]);
    readings.push(
      windowMs === undefined
        ? { key: match[1], kind: "counter", remaining }
        : { key: match[1], kind: "window", remaining, windowMs },
    );
  }
  return readings;
}

/** The sliding window a policy's name announces (`…3Min` → 180 000 ms, `…5Min`, `…30Min`), if any. */
export function policyWindowMs(policy: string): number | undefined {
  const match = /(\d+)Min$/i.exec(policy);
  return match === null ? undefined : Number(match[1]) * 60_000;
}

/** What this process knows of one budget. */
export interface BudgetState {
  reading: BudgetReading;
  /** When the reading arrived, ms. */
  observedAt: number;
  /** Requests this process sent that the reading may not count yet (in flight when it arrived, or sent since). */
  unseen: number;
  /**
   * This process's requests that the window may still count, oldest first (windows only): when each was sent and
   * when its answer came. The server counted it somewhere in between, so a request surely counts in a reading when
   * it was sent after the reading's window began, and has surely aged out once its answer is a window old.
   */
  sends: Array<{ sent: number; answered: number }>;
  /** Another client spends this budget too: a reading fell by more than this process explains. */
  shared: boolean;
  /** The most this budget has shown left (a window's size as far as this process can tell). */
  peak: number;
  /** The server said to wait until then (a 429's Retry-After), ms. */
  blockedUntil?: number;
}

/**
 * What is left of a budget at `now`, as far as this process can tell, before its own unseen requests: buckets refill
 * at their rate; a window gets back this process's own requests that aged out of it (other clients' requests age out
 * too, unseen: an underestimate is safe).
 */
export function estimatedRemaining(state: BudgetState, now: number): number {
  const { reading } = state;
  const elapsed = Math.max(0, now - state.observedAt);
  switch (reading.kind) {
    case "bucket":
      return Math.min(reading.size.capacity, reading.remaining + (elapsed / 1000) * reading.size.refillPerSecond);
    case "window": {
      const from = state.observedAt - reading.windowMs;
      const to = now - reading.windowMs;
      const estimate = reading.remaining + state.sends.filter((s) => s.sent > from && s.answered <= to).length;
      // A whole window after the reading, everything it counted has aged out: one request may go and look again.
      return now - state.observedAt >= reading.windowMs ? Math.max(estimate, 1) : estimate;
    }
    case "counter":
      return reading.remaining;
  }
}

/**
 * How many more requests this process may send now against one budget. Alone on a budget, all of it down to 0 (the
 * request that takes the last unit still succeeds). Shared with another client, at most half of what is left above
 * a reserve of a tenth of the budget, so that two processes that decide at the same moment never overspend it.
 */
export function spendable(state: BudgetState, now: number): number {
  if (state.blockedUntil !== undefined && now < state.blockedUntil) return 0;
  const left = Math.floor(estimatedRemaining(state, now));
  if (!state.shared) return left - state.unseen;
  const reserve = Math.ceil(capacityOf(state) / 10);
  return Math.floor((left - reserve) / 2) - state.unseen;
}

/**
 * When a budget that has nothing spendable will have some again, in ms from `now`: a bucket after its refill, a
 * window when this process's oldest counted request ages out (or a whole window after the reading, when only other
 * clients' requests fill it), a 429's Retry-After. Undefined when it has something spendable now.
 */
export function waitForBudgetMs(state: BudgetState, now: number): number | undefined {
  if (spendable(state, now) >= 1) return undefined;
  if (state.blockedUntil !== undefined && now < state.blockedUntil) return state.blockedUntil - now;
  const { reading } = state;
  switch (reading.kind) {
    case "bucket": {
      // Enough refill for one more request (doubled and plus the reserve when shared: see spendable).
      const needed = state.shared ? 2 * (state.unseen + 1) + Math.ceil(capacityOf(state) / 10) : state.unseen + 1;
      const missing = needed - estimatedRemaining(state, now);
      return Math.max(1, Math.ceil((missing / Math.max(reading.size.refillPerSecond, 1e-9)) * 1000));
    }
    case "window": {
      const next = state.sends.find((s) => s.answered + reading.windowMs > now);
      const horizon = next !== undefined ? next.answered + reading.windowMs : state.observedAt + reading.windowMs;
      return Math.max(1, horizon - now);
    }
    case "counter":
      // Nothing says when it comes back: look again after a minute (one request, when its turn comes).
      return 60_000;
  }
}

/**
 * The state after a response's reading of a budget. `inFlight` is how many requests this process has in flight
 * against it once this response is counted out; a window keeps the send times that can still age out.
 */
export function observe(
  previous: BudgetState | undefined,
  reading: BudgetReading,
  now: number,
  inFlight: number,
): BudgetState {
  const sends =
    reading.kind === "window" && previous !== undefined
      ? previous.sends.filter((s) => s.sent + reading.windowMs > now)
      : (previous?.sends ?? []);
  // A reading lower than this process can explain means someone else spends the same budget. Readings of requests
  // answered out of order can be one or two off, hence the tolerance.
  let shared = previous?.shared ?? false;
  if (previous !== undefined && previous.reading.kind === reading.kind) {
    const expected = estimatedRemaining(previous, now) - previous.unseen;
    if (reading.remaining < expected - 2) shared = true;
  }
  const peak = Math.max(previous?.peak ?? 0, reading.remaining);
  const blockedUntil =
    previous?.blockedUntil !== undefined && previous.blockedUntil > now ? previous.blockedUntil : undefined;
  return { reading, observedAt: now, unseen: inFlight, sends, shared, peak, blockedUntil };
}

/** Records one request sent against a budget (not yet answered). */
export function spend(state: BudgetState): BudgetState {
  return { ...state, unseen: state.unseen + 1 };
}

/** Records that a request a window counts, sent at `sent`, was answered at `now` (see BudgetState.sends). */
export function counted(state: BudgetState, sent: number, now: number): BudgetState {
  return state.reading.kind === "window" ? { ...state, sends: [...state.sends, { sent, answered: now }] } : state;
}

/** The capacity a budget implies: a bucket's size, else the most it has shown left. */
function capacityOf(state: BudgetState): number {
  return state.reading.kind === "bucket" ? state.reading.size.capacity : state.peak;
}

function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

/** Default wait between polls of one operation when the server names none, in ms. */
export const DEFAULT_POLL_CADENCE_MS = 750;

/**
 * When to poll an operation next, in ms from now. First poll: at the typical duration of operations of the same
 * kind that this process has seen end (a seen duration overstates the real one by up to a cadence, so a typical
 * operation is seen done by its first poll, within a cadence of its end, and costs one read of the budget),
 * never sooner than one cadence; later polls: one cadence apart. A server's `Retry-After` wins over both
 * (`retryAfterMs`, never under `minMs`, default 1 000), and so does a fixed interval from the options (`fixedMs`,
 * tests).
 *
 * @param pollsSoFar polls already sent for this operation.
 * @param seenDurationsMs how long recent operations of this kind ran until a poll saw them end, most recent last.
 */
export function pollDelay(options: {
  pollsSoFar: number;
  seenDurationsMs: readonly number[];
  cadenceMs?: number;
  retryAfterMs?: number;
  fixedMs?: number;
  minMs?: number;
}): number {
  if (options.fixedMs !== undefined) return options.fixedMs;
  const cadence = options.cadenceMs ?? DEFAULT_POLL_CADENCE_MS;
  // The floor guards against a server that asks for no wait at all (`Retry-After: 0`): azcore's 1 s minimum.
  if (options.retryAfterMs !== undefined) return Math.max(options.minMs ?? 1000, options.retryAfterMs);
  if (options.pollsSoFar > 0 || options.seenDurationsMs.length === 0) return cadence;
  const typical = median(options.seenDurationsMs);
  return Math.max(cadence, Math.min(typical, 10 * 60_000));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The kind of request, for budgets Compute counts per kind: the method and the resource type path without names,
 * e.g. `GET microsoft.compute/virtualmachinescalesets` or `GET microsoft.compute/locations/operations`.
 */
export function requestClass(method: string, path: string): string {
  const segments = path.split("/").filter((s) => s !== "");
  const types: string[] = [];
  const providersAt = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  if (providersAt >= 0 && providersAt + 1 < segments.length) {
    types.push(segments[providersAt + 1].toLowerCase());
    for (let i = providersAt + 2; i < segments.length; i += 2) types.push(segments[i].toLowerCase());
  } else {
    for (let i = 0; i < segments.length; i += 2) types.push(segments[i].toLowerCase());
  }
  return `${method.toUpperCase()} ${types.join("/")}`;
}
