// ARM's and Compute's request budgets, on by default with the sizes of docs/arm-behavior.md "Throttling":
//  1. ARM: one token bucket per subscription, per client (principal) and per kind of request: reads 250 refilling
//     25/s, writes 200 refilling 10/s, deletes 200 refilling 10/s (learn.microsoft.com, "Understand how Azure
//     Resource Manager throttles requests"). Every ARM response says what is left in
//     x-ms-ratelimit-remaining-subscription-reads|writes|deletes; an empty bucket answers 429.
//  2. Compute: its own policies per subscription over sliding windows, one
//     `x-ms-ratelimit-remaining-resource: Microsoft.Compute/<policy>;<remaining>` entry per policy on the responses
//     they count: GetVMScaleSet3Min (200) and GetVMScaleSet30Min (1300) for scale set GETs, GetOperation3Min
//     (50 000) and GetOperation30Min (400 000) for operation polls (troubleshooting-throttling-errors.md of
//     MicrosoftDocs/azure-docs). A spent policy answers 429 OperationNotAllowed naming it, with the Retry-After
//     after which the window has room again.
// Every size can be changed (startEmulator's rateLimits, the CLI flags, admin setRateLimits).
import { AdminInputError } from "./faults";

/** A token bucket: `capacity` requests, refilled at `refillPerSecond`. */
export interface BucketSpec {
  /** Bucket size, in requests (>= 1). */
  capacity: number;
  /** Refill rate, in requests per second (>= 0). */
  refillPerSecond: number;
}

/** The kinds of request Compute's policies count. */
export type ComputeRequestKind = "getScaleSet" | "getOperation";

/** One Compute throttling policy: at most `limit` requests of a kind per sliding window of `windowSeconds`. */
export interface ComputePolicySpec {
  /** The policy's name in headers and 429 bodies, e.g. `GetVMScaleSet3Min`. */
  name: string;
  /** Which requests it counts. */
  appliesTo: ComputeRequestKind;
  /** Requests allowed per window (>= 1). */
  limit: number;
  /** Window length, in seconds (>= 1). */
  windowSeconds: number;
}

/** Every budget the emulator enforces. `null` turns a subscription bucket off (its header still counts down). */
export interface RateLimitSpec {
  subscriptionReads: BucketSpec | null;
  subscriptionWrites: BucketSpec | null;
  subscriptionDeletes: BucketSpec | null;
  /** Compute's policies; an empty list turns them off. */
  computePolicies: ComputePolicySpec[];
}

/**
 * A change to one Compute policy: a whole policy, which replaces the one of its name (compared without regard to
 * case) or is added, or `{ name, remove: true }`, which removes the policy of that name.
 */
export type ComputePolicyChange = ComputePolicySpec | { name: string; remove: true };

/**
 * Changes to the budgets in force (admin `setRateLimits`, `PUT /_emulator/rate-limits`, the `rateLimits` option of
 * startEmulator, merged over ARM's sizes): what it leaves out stays as it is.
 */
export interface RateLimitChanges {
  /** A new bucket, or `null` to turn it off. */
  subscriptionReads?: BucketSpec | null;
  subscriptionWrites?: BucketSpec | null;
  subscriptionDeletes?: BucketSpec | null;
  /**
   * Merged by name over the policies in force: each entry replaces the policy of its name, or is added after them;
   * `{ name, remove: true }` removes one; policies it does not name are kept. An empty list removes every policy
   * (Compute's throttling off).
   */
  computePolicies?: ComputePolicyChange[];
}

/** ARM's and Compute's sizes: the emulator's defaults. */
export const ARM_RATE_LIMITS: Readonly<RateLimitSpec> = Object.freeze<RateLimitSpec>({
  subscriptionReads: { capacity: 250, refillPerSecond: 25 },
  subscriptionWrites: { capacity: 200, refillPerSecond: 10 },
  subscriptionDeletes: { capacity: 200, refillPerSecond: 10 },
  computePolicies: [
    { name: "GetVMScaleSet3Min", appliesTo: "getScaleSet", limit: 200, windowSeconds: 180 },
    { name: "GetVMScaleSet30Min", appliesTo: "getScaleSet", limit: 1300, windowSeconds: 1800 },
    { name: "GetOperation3Min", appliesTo: "getOperation", limit: 50_000, windowSeconds: 180 },
    { name: "GetOperation30Min", appliesTo: "getOperation", limit: 400_000, windowSeconds: 1800 },
  ],
});

/** Budgets with nothing enforced (every header still counts down from ARM's sizes). */
export const NO_RATE_LIMITS: Readonly<RateLimitSpec> = Object.freeze({
  subscriptionReads: null,
  subscriptionWrites: null,
  subscriptionDeletes: null,
  computePolicies: [],
});

/** The kind of ARM request a method is charged as. */
export type ArmRequestKind = "reads" | "writes" | "deletes";

/** What counting a request said. */
export type Admission =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number; remaining: number };

/** What counting a request against Compute's policies said. */
export type ComputeAdmission =
  | { allowed: true; header: string | undefined }
  | {
      allowed: false;
      header: string;
      retryAfterSeconds: number;
      policy: ComputePolicySpec;
      windowStart: number;
      measured: number;
    };

/** The request kind ARM charges an HTTP method to. */
export function armRequestKind(method: string): ArmRequestKind {
  if (method === "DELETE") return "deletes";
  return method === "GET" || method === "HEAD" ? "reads" : "writes";
}

/**
 * Validates changes (admin API, startEmulator option: {@link RateLimitChanges}) and merges them over `base`: a bucket
 * given replaces the one in force, `computePolicies` is merged by name ({@link mergePolicies}).
 * @throws AdminInputError naming the property, the value and what was expected; nothing is changed.
 */
export function mergeRateLimits(base: Readonly<RateLimitSpec>, input: unknown, where = "rateLimits"): RateLimitSpec {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new AdminInputError(`${where}: expected an object, got ${JSON.stringify(input)}`);
  }
  const spec = input as Record<string, unknown>;
  const known = ["subscriptionReads", "subscriptionWrites", "subscriptionDeletes", "computePolicies"];
  for (const key of Object.keys(spec)) {
    if (!known.includes(key)) {
      throw new AdminInputError(`${where}.${key}: unknown property; expected one of ${known.join(", ")}`);
    }
  }
  const bucket = (key: "subscriptionReads" | "subscriptionWrites" | "subscriptionDeletes"): BucketSpec | null =>
    spec[key] === undefined ? base[key] : validateBucket(spec[key], `${where}.${key}`);
  return {
    subscriptionReads: bucket("subscriptionReads"),
    subscriptionWrites: bucket("subscriptionWrites"),
    subscriptionDeletes: bucket("subscriptionDeletes"),
    computePolicies:
      spec.computePolicies === undefined
        ? base.computePolicies.map((p) => ({ ...p }))
        : mergePolicies(base.computePolicies, spec.computePolicies, `${where}.computePolicies`),
  };
}

/**
 * Merges a list of policy changes over the policies in force, by name (compared without regard to case): an entry
 * replaces the policy of its name in place, or is added at the end; `{ name, remove: true }` removes one; the others
 * stay. An empty list removes them all.
 * @throws AdminInputError for an invalid entry, a name given twice, or the removal of a policy that is not in force.
 */
export function mergePolicies(
  base: readonly ComputePolicySpec[],
  input: unknown,
  where = "computePolicies",
): ComputePolicySpec[] {
  const changes = validatePolicyChanges(input, where);
  if (changes.length === 0) return [];
  const merged = base.map((p) => ({ ...p }));
  changes.forEach((change, i) => {
    const at = merged.findIndex((p) => p.name.toLowerCase() === change.name.toLowerCase());
    if (!("remove" in change)) {
      if (at >= 0) merged[at] = change;
      else merged.push(change);
    } else if (at >= 0) {
      merged.splice(at, 1);
    } else {
      throw new AdminInputError(
        `${where}[${i}].name: no policy ${JSON.stringify(change.name)} is in force to remove; expected one of ` +
          `${base.map((p) => p.name).join(", ") || "(none)"}`,
      );
    }
  });
  return merged;
}

/** Validates a bucket spec (`null` turns the bucket off). */
export function validateBucket(input: unknown, where: string): BucketSpec | null {
  if (input === null) return null;
  if (typeof input !== "object" || Array.isArray(input) || input === undefined) {
    throw new AdminInputError(`${where}: expected { capacity, refillPerSecond } or null, got ${JSON.stringify(input)}`);
  }
  const spec = input as Record<string, unknown>;
  if (!Number.isInteger(spec.capacity) || (spec.capacity as number) < 1) {
    throw new AdminInputError(`${where}.capacity: expected an integer >= 1, got ${JSON.stringify(spec.capacity)}`);
  }
  if (
    typeof spec.refillPerSecond !== "number" ||
    !(spec.refillPerSecond >= 0) ||
    !Number.isFinite(spec.refillPerSecond)
  ) {
    throw new AdminInputError(
      `${where}.refillPerSecond: expected a finite number >= 0, got ${JSON.stringify(spec.refillPerSecond)}`,
    );
  }
  return { capacity: spec.capacity as number, refillPerSecond: spec.refillPerSecond };
}

function validatePolicyChanges(input: unknown, where: string): (ComputePolicySpec | { name: string; remove: true })[] {
  if (!Array.isArray(input)) {
    throw new AdminInputError(
      `${where}: expected an array of policies (merged by name; [] removes them all), got ${JSON.stringify(input)}`,
    );
  }
  const seen = new Set<string>();
  return input.map((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new AdminInputError(
        `${at}: expected { name, appliesTo, limit, windowSeconds } or { name, remove: true }, got ${JSON.stringify(item)}`,
      );
    }
    const p = item as Record<string, unknown>;
    if (typeof p.name !== "string" || !/^[A-Za-z0-9]+$/.test(p.name)) {
      throw new AdminInputError(`${at}.name: expected letters and digits, got ${JSON.stringify(p.name)}`);
    }
    if (seen.has(p.name.toLowerCase())) {
      throw new AdminInputError(`${at}.name: ${JSON.stringify(p.name)} is given twice; expected each policy once`);
    }
    seen.add(p.name.toLowerCase());
    if ("remove" in p) {
      const extra = Object.keys(p).filter((key) => key !== "name" && key !== "remove");
      if (p.remove !== true || extra.length > 0) {
        throw new AdminInputError(
          `${at}: expected { name, remove: true } to remove a policy, got ${JSON.stringify(item)}`,
        );
      }
      return { name: p.name, remove: true as const };
    }
    if (p.appliesTo !== "getScaleSet" && p.appliesTo !== "getOperation") {
      throw new AdminInputError(
        `${at}.appliesTo: expected "getScaleSet" or "getOperation", got ${JSON.stringify(p.appliesTo)}`,
      );
    }
    for (const key of ["limit", "windowSeconds"] as const) {
      if (!Number.isInteger(p[key]) || (p[key] as number) < 1) {
        throw new AdminInputError(`${at}.${key}: expected an integer >= 1, got ${JSON.stringify(p[key])}`);
      }
    }
    return {
      name: p.name,
      appliesTo: p.appliesTo,
      limit: p.limit as number,
      windowSeconds: p.windowSeconds as number,
    };
  });
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** The request times one policy counted for one subscription, oldest first. */
interface Window {
  times: number[];
  /** Index of the oldest time still in the window (times before it have aged out). */
  head: number;
}

/** The budgets of one emulator: ARM buckets per (scope, client, kind), Compute windows per (subscription, policy). */
export class RateLimits {
  private spec: RateLimitSpec;
  private readonly buckets = new Map<string, Bucket>();
  private readonly windows = new Map<string, Window>();

  constructor(spec: Readonly<RateLimitSpec> = ARM_RATE_LIMITS) {
    this.spec = mergeRateLimits(spec, {});
  }

  /** The budgets in force. */
  current(): RateLimitSpec {
    return mergeRateLimits(this.spec, {});
  }

  /** Replaces the budgets (validated by the caller); every counter starts again full. */
  set(spec: RateLimitSpec): void {
    this.spec = spec;
    this.resetCounters();
  }

  /**
   * Counts an ARM request of `kind` by `client` in `scope` (a subscription ID, or "tenant"). With the bucket off the
   * header still counts down from ARM's size, refilling at ARM's rate, so clients see the same numbers.
   */
  admit(scope: string, client: string, kind: ArmRequestKind, now: number): Admission {
    const enforced = this.bucketSpec(kind);
    const spec = enforced ?? ARM_RATE_LIMITS[bucketKey(kind)]!;
    const bucket = this.bucket(scope, client, kind, spec, now);
    if (bucket.tokens < 1 && enforced !== null) {
      const seconds = spec.refillPerSecond > 0 ? Math.ceil((1 - bucket.tokens) / spec.refillPerSecond) : 3600;
      return { allowed: false, retryAfterSeconds: Math.max(1, seconds), remaining: 0 };
    }
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    return { allowed: true, remaining: Math.floor(bucket.tokens) };
  }

  /** What is left for `kind` without counting a request (responses refused before counting, e.g. 401). */
  peek(scope: string, client: string, kind: ArmRequestKind, now: number): number {
    const spec = this.bucketSpec(kind) ?? ARM_RATE_LIMITS[bucketKey(kind)]!;
    return Math.floor(this.bucket(scope, client, kind, spec, now).tokens);
  }

  /**
   * Counts a Compute request against every policy that applies to it. When one is spent, nothing is counted and the
   * answer names the policy and when its window has room again.
   */
  admitCompute(subscriptionId: string, kind: ComputeRequestKind, now: number): ComputeAdmission {
    const policies = this.spec.computePolicies.filter((p) => p.appliesTo === kind);
    if (policies.length === 0) return { allowed: true, header: undefined };
    const windows = policies.map((p) => this.window(subscriptionId, p, now));
    for (let i = 0; i < policies.length; i++) {
      const policy = policies[i];
      const window = windows[i];
      const count = window.times.length - window.head;
      if (count >= policy.limit) {
        const frees = window.times[window.head] + policy.windowSeconds * 1000;
        return {
          allowed: false,
          header: remainingHeader(policies, windows),
          retryAfterSeconds: Math.max(1, Math.ceil((frees - now) / 1000)),
          policy,
          windowStart: now - policy.windowSeconds * 1000,
          measured: count + 1,
        };
      }
    }
    for (const window of windows) window.times.push(now);
    return { allowed: true, header: remainingHeader(policies, windows) };
  }

  /** Forgets every count: buckets full, windows empty. */
  resetCounters(): void {
    this.buckets.clear();
    this.windows.clear();
  }

  private bucketSpec(kind: ArmRequestKind): BucketSpec | null {
    return this.spec[bucketKey(kind)];
  }

  private bucket(scope: string, client: string, kind: ArmRequestKind, spec: BucketSpec, now: number): Bucket {
    const key = `${scope}|${client.toLowerCase()}|${kind}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: spec.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(spec.capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * spec.refillPerSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  private window(subscriptionId: string, policy: ComputePolicySpec, now: number): Window {
    const key = `${subscriptionId}|${policy.name}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { times: [], head: 0 };
      this.windows.set(key, window);
    }
    const oldest = now - policy.windowSeconds * 1000;
    while (window.head < window.times.length && window.times[window.head] <= oldest) window.head++;
    if (window.head > 1024 && window.head * 2 > window.times.length) {
      window.times = window.times.slice(window.head);
      window.head = 0;
    }
    return window;
  }
}

function bucketKey(kind: ArmRequestKind): "subscriptionReads" | "subscriptionWrites" | "subscriptionDeletes" {
  return kind === "reads" ? "subscriptionReads" : kind === "writes" ? "subscriptionWrites" : "subscriptionDeletes";
}

// One comma-joined header value for every policy that counted the request (Compute sends them so too).
function remainingHeader(policies: ComputePolicySpec[], windows: Window[]): string {
  return policies
    .map((p, i) => `Microsoft.Compute/${p.name};${Math.max(0, p.limit - (windows[i].times.length - windows[i].head))}`)
    .join(",");
}
