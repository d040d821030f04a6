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

/** One request of this process that a budget counts (or may count). */
export interface SentRequest {
  /** Ticket number, unique in the scheduler. */
  id: number;
  /** When it went, ms. */
  sent: number;
  /** When its answer (or its failure) came, ms; undefined while in flight. */
  answered?: number;
  /** It was answered and not refused: the server surely counted it (one without an answer may or may not count). */
  sure: boolean;
  /** What its own response said was left of this budget, if it said. */
  remaining?: number;
}

/**
 * One reading of a budget: what a response said was left, and when its request went and its answer came. The server
 * counted at some moment in between, which is all this process can know of when that was.
 */
export interface Observation {
  remaining: number;
  /** Ticket number of the request whose response carried it (-1: none of this scheduler's). */
  id: number;
  sent: number;
  observed: number;
}

/** What this process knows of one budget. */
export interface BudgetState {
  /** The latest reading: the budget's kind and size, and what it last said. */
  reading: BudgetReading;
  /**
   * Recent readings, oldest first. Each bounds what is left now from below on its own (see estimatedRemaining), and
   * an answer overtaken by a later one can still be the best of them, so a few are kept rather than the latest only.
   */
  observations: Observation[];
  /** This process's requests that a reading may or may not count, oldest first (see estimatedRemaining). */
  sends: SentRequest[];
  /** Another client spends this budget too: a reading fell by more than this process explains. */
  shared: boolean;
  /** The most this budget has shown left (a window's size as far as this process can tell). */
  peak: number;
  /** The server said to wait until then (a 429's Retry-After), ms. */
  blockedUntil?: number;
  /** A window's requests dropped from `sends` had all aged out by then (servedBefore does not judge before it). */
  forgottenAgingUntil?: number;
  /**
   * A window's size as far as this process can tell: the most that a reading plus this process's requests surely
   * in it came to (other clients' requests in it only make the true size larger).
   */
  windowSize?: number;
}

/** How many recent readings a budget keeps. */
const KEPT_OBSERVATIONS = 8;

/** Requests of this process in flight against a budget. */
export function inFlight(state: BudgetState): number {
  return state.sends.filter((s) => s.answered === undefined).length;
}

/**
 * What is surely left of a budget at `now`, before this process's requests still in flight: the best of what each
 * kept reading implies. A reading R taken between its request's send and its answer implies at least
 * - for a bucket: R plus the refill since the answer, less this process's requests answered after that reading's
 *   request went (the server may have counted them after the reading);
 * - for a window: R, plus this process's requests surely counted in it that have surely aged out (answered before
 *   the reading's request went, sent less than a window before its answer, answered a window ago), less this
 *   process's requests answered after the reading's request went that may still be in the window;
 * - for a count without a known refill: R less the requests answered after it.
 * Other clients' requests only ever make the true figure lower than a reading said by spending; that is what
 * `shared` answers. A whole window after the latest reading, a window has room for one request to look again.
 */
export function estimatedRemaining(state: BudgetState, now: number): number {
  const { reading } = state;
  let best = -Infinity;
  // Shared, an older reading does not know what the others spent since: only the latest one says anything.
  const readings = state.shared ? state.observations.slice(-1) : state.observations;
  const before = servedBefore(state);
  for (const o of readings) best = Math.max(best, impliedBy(state, o, now, before));
  if (best === -Infinity) best = reading.remaining;
  // Alone on a window, what is in it is this process's own requests: the size less those that may still be in it
  // (answered less than a window ago). Readings near a window's edge cannot tell which of the requests answered
  // around them they count, since requests age out there too; the size less our own is exact up to the latency.
  if (reading.kind === "window" && !state.shared && state.windowSize !== undefined) {
    const w = reading.windowMs;
    const mayBeIn = state.sends.filter((s) => s.answered !== undefined && s.answered + w > now).length;
    best = Math.max(best, state.windowSize - mayBeIn);
  }
  const latest = state.observations.at(-1);
  if (reading.kind === "window" && latest !== undefined && now - latest.observed >= reading.windowMs) {
    return Math.max(best, 1);
  }
  return best;
}

/** What one reading implies is left at `now`, before requests in flight (see estimatedRemaining). */
function impliedBy(
  state: BudgetState,
  o: Observation,
  now: number,
  before: (s: SentRequest, o: Observation) => boolean = servedBefore(state),
): number {
  const { reading } = state;
  // Answered once the reading's request had gone (the same millisecond included), and not shown by the counts to
  // have been served first: the reading may not count them.
  const after = (s: SentRequest) => s.id !== o.id && s.answered !== undefined && s.answered >= o.sent && !before(s, o);
  switch (reading.kind) {
    case "bucket": {
      const refilled = Math.min(
        reading.size.capacity,
        o.remaining + (Math.max(0, now - o.observed) / 1000) * reading.size.refillPerSecond,
      );
      return refilled - state.sends.filter(after).length;
    }
    case "window": {
      const w = reading.windowMs;
      let implied = o.remaining;
      for (const s of state.sends) {
        if (s.answered === undefined) continue;
        const agedOut = s.answered + w <= now;
        if (surelyIn(s, o, w, before) && agedOut) implied += 1;
        else if (after(s) && !agedOut) implied -= 1;
      }
      return implied;
    }
    case "counter":
      return o.remaining - state.sends.filter(after).length;
  }
}

/**
 * Whether reading `o` surely counts request `s` (or is its own) in a window of `windowMs`: the server counted `s`
 * (answered, not refused) before it took `o` (answered before `o`'s request went, or shown so by their counts), and
 * `s` had not aged out by then (sent less than a window before `o`'s answer).
 */
function surelyIn(
  s: SentRequest,
  o: Observation,
  windowMs: number,
  before: (s: SentRequest, o: Observation) => boolean,
): boolean {
  return (
    s.sure &&
    s.answered !== undefined &&
    (s.id === o.id || s.answered < o.sent || before(s, o)) &&
    s.sent > o.observed - windowMs
  );
}

/**
 * Whether the server surely counted request `s` before it took reading `o`, although their times overlap: its own
 * reading was higher than `o`'s by more than what could have come back in between. Had it been served after `o`,
 * its count would be at most `o`'s less one, plus the refill (a bucket) or the requests that aged out (a window)
 * between them; other clients' requests only lower it. A window's aging is known only for this process's requests,
 * so a shared window is never read this way.
 */
function servedBefore(state: BudgetState): (s: SentRequest, o: Observation) => boolean {
  const { reading } = state;
  if (reading.kind === "window" && state.shared) return () => false;
  const aging = reading.kind === "window" ? agingCounter(state.sends, reading.windowMs) : undefined;
  const forgotten = state.forgottenAgingUntil ?? -Infinity;
  return (s, o) => {
    if (!s.sure || s.remaining === undefined || s.answered === undefined) return false;
    const from = Math.min(s.sent, o.sent);
    const to = Math.max(s.answered, o.observed);
    // A count is whole: a bucket's reading is its tokens rounded down, so one more may hide in the difference.
    let back = 0;
    if (reading.kind === "bucket") back = 1 + ((to - from) / 1000) * reading.size.refillPerSecond;
    if (aging !== undefined) {
      // The aging of requests dropped from `sends` is not counted: spans it may reach are not judged.
      if (from <= forgotten) return false;
      back = aging(from, to);
    }
    return s.remaining > o.remaining - 1 + back;
  };
}

/** How many of `sends` may age out of a window of `windowMs` between `from` and `to` (their aging spans meet it). */
function agingCounter(sends: readonly SentRequest[], windowMs: number): (from: number, to: number) => number {
  const sentAt = sends.map((s) => s.sent).sort((a, b) => a - b);
  const answeredAt = sends
    .filter((s) => s.answered !== undefined)
    .map((s) => s.answered!)
    .sort((a, b) => a - b);
  // A request ages out somewhere between its send and its answer, a window later (one in flight: from its send on).
  return (from, to) => countUpTo(sentAt, to - windowMs, true) - countUpTo(answeredAt, from - windowMs, false);
}

/** How many of the sorted `values` are below `limit` (or equal to it, when `inclusive`). */
function countUpTo(values: readonly number[], limit: number, inclusive: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < limit || (inclusive && values[mid] === limit)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many more requests this process may send now against one budget. Alone on a budget, all of it down to 0 (the
 * request that takes the last unit still succeeds). Shared with another client, at most half of what is left above
 * a reserve of a tenth of the budget, so that two processes that decide at the same moment never overspend it.
 */
export function spendable(state: BudgetState, now: number): number {
  if (state.blockedUntil !== undefined && now < state.blockedUntil) return 0;
  const left = Math.floor(estimatedRemaining(state, now));
  if (!state.shared) return left - inFlight(state);
  const reserve = Math.ceil(capacityOf(state) / 10);
  return Math.floor((left - reserve) / 2) - inFlight(state);
}

/**
 * When a budget that has nothing spendable may have some again, in ms from `now`: a bucket after its refill, a
 * window when one of this process's requests ages out (or a whole window after the latest reading, when only other
 * clients' requests fill it), a 429's Retry-After. Undefined when it has something spendable now.
 */
export function waitForBudgetMs(state: BudgetState, now: number): number | undefined {
  if (spendable(state, now) >= 1) return undefined;
  if (state.blockedUntil !== undefined && now < state.blockedUntil) return state.blockedUntil - now;
  const { reading } = state;
  switch (reading.kind) {
    case "bucket": {
      // Enough refill for one more request (doubled and plus the reserve when shared: see spendable).
      const going = inFlight(state) + 1;
      const needed = state.shared ? 2 * going + Math.ceil(capacityOf(state) / 10) : going;
      const rate = Math.max(reading.size.refillPerSecond, 1e-9);
      let at = Infinity;
      const before = servedBefore(state);
      for (const o of state.observations) {
        // At the reading's answer it implied R less the later answers; each refilled unit adds one, up to the size.
        const later = o.remaining - impliedBy(state, o, o.observed, before);
        if (needed + later > reading.size.capacity) continue;
        at = Math.min(at, o.observed + ((needed + later - o.remaining) / rate) * 1000);
      }
      return Math.max(1, Math.ceil((Number.isFinite(at) ? at : now + 1000) - now));
    }
    case "window": {
      // The next moment a request of ours ages out, or a window after the latest reading.
      const latest = state.observations.at(-1)?.observed ?? now;
      let at = latest + reading.windowMs;
      for (const s of state.sends) {
        if (s.answered !== undefined && s.answered + reading.windowMs > now) {
          at = Math.min(at, s.answered + reading.windowMs);
        }
      }
      return Math.max(1, at - now);
    }
    case "counter":
      // Nothing says when it comes back: look again after a minute (one request, when its turn comes).
      return 60_000;
  }
}

/**
 * The state after a response's reading of a budget, taken by the request `request` (sent at `request.sent`,
 * answered now; already marked answered with {@link answered}). Old readings and the requests no kept reading can
 * still count are dropped.
 */
export function observe(
  previous: BudgetState | undefined,
  reading: BudgetReading,
  request: { id: number; sent: number },
  now: number,
): BudgetState {
  const o: Observation = { remaining: reading.remaining, id: request.id, sent: request.sent, observed: now };
  const sends = (previous?.sends ?? []).map((s) => (s.id === request.id ? { ...s, remaining: reading.remaining } : s));
  // A reading lower than this process can explain means someone else spends the same budget: what the kept readings
  // imply now, less what may have come back between this reading and now (refill, our requests that may have aged
  // out), less a little for answers taken out of order.
  let shared = previous?.shared ?? false;
  if (previous !== undefined && previous.reading.kind === reading.kind && previous.observations.length > 0) {
    // Requests still in flight may be in the reading already.
    const expected = estimatedRemaining(previous, now) - inFlight(previous);
    let slack = 2;
    if (reading.kind === "bucket") slack += ((now - request.sent) / 1000) * reading.size.refillPerSecond;
    if (reading.kind === "window") slack += agingCounter(sends, reading.windowMs)(request.sent, now);
    if (reading.remaining < expected - slack) shared = true;
  }
  const observations = keptObservations(reading, shared, previous?.observations ?? [], sends, o, now);
  const oldest = observations.reduce((a, b) => (b.observed < a.observed ? b : a));
  const keep = (s: SentRequest): boolean => {
    if (s.answered === undefined) return true;
    if (reading.kind === "window") {
      // Needed while a kept reading may credit it when it ages out, or while it may still be in the window.
      return s.answered + reading.windowMs > now || s.sent > oldest.observed - reading.windowMs;
    }
    return s.answered >= oldest.sent;
  };
  const kept = sends.filter(keep);
  let forgottenAgingUntil = previous?.forgottenAgingUntil;
  if (reading.kind === "window") {
    for (const s of sends) {
      if (!keep(s)) forgottenAgingUntil = Math.max(forgottenAgingUntil ?? -Infinity, s.answered! + reading.windowMs);
    }
  }
  const peak = Math.max(previous?.peak ?? 0, reading.remaining);
  let windowSize = previous?.windowSize;
  if (reading.kind === "window") {
    // This reading plus the requests of ours it surely counts: served before it (answered before its request went,
    // or shown so by their counts), and not aged out of it (sent less than a window before its answer).
    const before = servedBefore({ reading, observations: [o], sends, shared, peak });
    const counted = sends.filter((s) => surelyIn(s, o, reading.windowMs, before)).length;
    windowSize = Math.max(windowSize ?? 0, reading.remaining + counted);
  }
  const blockedUntil =
    previous?.blockedUntil !== undefined && previous.blockedUntil > now ? previous.blockedUntil : undefined;
  return { reading, observations, sends: kept, shared, peak, blockedUntil, forgottenAgingUntil, windowSize };
}

/**
 * The readings worth keeping once `o` arrives: those that still say something (a bucket's reading until it could
 * have refilled completely, a window's for a window), the best `KEPT_OBSERVATIONS` of them by what they imply now.
 * Not the latest ones: when answers to many requests sent together arrive, the first one served (the highest
 * count) is the one that says most, since each reading is charged with the others answered after its request went.
 */
function keptObservations(
  reading: BudgetReading,
  shared: boolean,
  previous: readonly Observation[],
  sends: SentRequest[],
  o: Observation,
  now: number,
): Observation[] {
  const horizon =
    reading.kind === "bucket"
      ? (reading.size.capacity / Math.max(reading.size.refillPerSecond, 1e-9)) * 1000
      : reading.kind === "window"
        ? reading.windowMs
        : 0;
  const candidates = [...previous.filter((p) => now - p.observed < horizon), o];
  if (candidates.length <= KEPT_OBSERVATIONS) return candidates;
  const full: BudgetState = { reading, observations: candidates, sends, shared, peak: 0 };
  const before = servedBefore(full);
  // The newest is always kept (a shared budget reads only it), with the best of the others.
  const ranked = candidates
    .slice(0, -1)
    .map((c, order) => ({ c, order, implied: impliedBy(full, c, now, before) }))
    .sort((a, b) => b.implied - a.implied || b.order - a.order)
    .slice(0, KEPT_OBSERVATIONS - 1);
  return [...ranked.sort((a, b) => a.order - b.order).map((r) => r.c), o];
}

/** Records a request sent against a budget (in flight until {@link answered}). */
export function sent(state: BudgetState, id: number, at: number): BudgetState {
  return { ...state, sends: [...state.sends, { id, sent: at, sure: false }] };
}

/**
 * Records how a request ended: `counted` (answered, and not refused: the server counted it), `refused` (a 429: not
 * counted, so forgotten) or `unknown` (no answer: it may have been counted, so it is kept as possibly counting).
 */
export function answered(
  state: BudgetState,
  id: number,
  at: number,
  outcome: "counted" | "refused" | "unknown",
): BudgetState {
  if (outcome === "refused") return { ...state, sends: state.sends.filter((s) => s.id !== id) };
  return {
    ...state,
    sends: state.sends.map((s) => (s.id === id ? { ...s, answered: at, sure: outcome === "counted" } : s)),
  };
}

/** The capacity a budget implies: a bucket's size, else the most it has shown left. */
function capacityOf(state: BudgetState): number {
  return state.reading.kind === "bucket" ? state.reading.size.capacity : state.peak;
}

function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

/** Polling without a server-named wait (pacing.ts nextPoll), in ms. */
export const POLL_TIMING = Object.freeze({
  /** Finest step between a scout's polls, and between looks for a typical duration. */
  stepMs: 250,
  /** A scout's step grows with the time elapsed: this fraction of it (a 30 s operation is seen within 1.5 s). */
  scoutStepFraction: 0.05,
  /** Other operations' polls after a first one that came too early: this fraction of the time elapsed. */
  laterStepFraction: 0.1,
  /** A scout starts polling at this fraction of the typical duration, to catch operations that got faster. */
  scoutStartFraction: 0.8,
  /** …and from there polls finer, for a typical duration that overstates the real one by little. */
  scoutNearStepMs: 100,
  scoutNearStepFraction: 0.025,
  /** Without a typical duration yet, an operation polls on its own at 3 s, then 1.5 times later each time. */
  fallbackFirstMs: 3000,
  fallbackGrowth: 1.5,
  /** The longest wait between two polls of one operation. */
  maxStepMs: 60_000,
});

/**
 * When to poll an operation next: `delayMs` from now, then poll if `poll`, else look again (a typical duration may
 * be known by then). Operations of one kind, started together, take about as long as one another, so they need not
 * all find that out by polling:
 * - a *scout* (one operation of each kind at a time, pacer.ts) polls at a fine step, so its end is seen within
 *   250 ms or 5% of its duration, and what it saw becomes the kind's typical duration; once one is known, scouts
 *   poll from 80% of it every 100 ms or 2.5%, so the typical duration comes to overstate the real one by little;
 * - every other operation polls first when the typical duration has elapsed (a scout's duration overstates the
 *   real one by less than a step, so a typical operation is seen done by that one poll, which is all it costs the
 *   read budget), then every 10% of the time elapsed;
 * - while no typical duration is known, the others look every 250 ms whether the scout has found one, and poll on
 *   their own at 3 s, 4.5 s, 6.75 s… so that a scout much slower than they are delays them at most by half.
 * A server's `Retry-After` wins (never under `minMs`, default 1 000: azcore's floor against `Retry-After: 0`), and so
 * does a fixed interval from the options (`fixedMs`, tests).
 */
export function nextPoll(options: {
  /** Polls already sent for this operation. */
  pollsSoFar: number;
  /** Time since the operation was accepted, ms. */
  elapsedMs: number;
  /** Elapsed time at this operation's last poll (0 before the first). */
  lastPollMs?: number;
  scout: boolean;
  /** The typical duration of operations of this kind, as scouts saw them end (undefined: none seen yet). */
  typicalMs?: number;
  retryAfterMs?: number;
  fixedMs?: number;
  minMs?: number;
}): { delayMs: number; poll: boolean } {
  if (options.fixedMs !== undefined) return { delayMs: options.fixedMs, poll: true };
  if (options.retryAfterMs !== undefined) {
    return { delayMs: Math.max(options.minMs ?? 1000, options.retryAfterMs), poll: true };
  }
  const t = POLL_TIMING;
  const { elapsedMs: elapsed, typicalMs: typical } = options;
  const last = options.lastPollMs ?? 0;
  const step = (fraction: number) => Math.min(t.maxStepMs, Math.max(t.stepMs, fraction * elapsed));
  if (options.scout) {
    if (typical === undefined) return { delayMs: step(t.scoutStepFraction), poll: true };
    const near = Math.min(t.maxStepMs, Math.max(t.scoutNearStepMs, t.scoutNearStepFraction * elapsed));
    return { delayMs: Math.max(t.scoutStartFraction * typical - elapsed, near), poll: true };
  }
  if (typical !== undefined) {
    if (options.pollsSoFar === 0) return { delayMs: Math.max(0, typical - elapsed), poll: true };
    return { delayMs: Math.max(0, last + step(t.laterStepFraction) - elapsed), poll: true };
  }
  // No typical duration yet: the next fallback moment after the last poll.
  let due: number = t.fallbackFirstMs;
  while (due <= last) due = Math.min(due * t.fallbackGrowth, due + t.maxStepMs);
  const until = due - elapsed;
  return until <= t.stepMs ? { delayMs: Math.max(0, until), poll: true } : { delayMs: t.stepMs, poll: false };
}

/**
 * The typical duration of some seen ones: their upper quartile (the 4th of 5), so that a poll then sees most
 * operations of the kind done, without waiting for the slowest.
 */
export function typicalOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.75))];
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
