// ARM's request accounting: the x-ms-ratelimit-remaining-* headers on every response, and the optional
// subscription write bucket (200 tokens refilling 10 per second in the 2024 regional model;
// docs/arm-behavior.md, "Throttling"). Off by default: only the counters run.
import { AdminInputError } from "./faults";

/** A token bucket for subscription writes. */
export interface WriteBucketSpec {
  /** Bucket size, in writes (ARM: 200). */
  capacity: number;
  /** Refill rate, in writes per second (ARM: 10). */
  refillPerSecond: number;
}

/** Validates a bucket spec (`null` turns the bucket off). */
export function validateWriteBucket(input: unknown): WriteBucketSpec | null {
  if (input === null) return null;
  if (typeof input !== "object" || Array.isArray(input) || input === undefined) {
    throw new AdminInputError(
      `writeBucket: expected { capacity, refillPerSecond } or null, got ${JSON.stringify(input)}`,
    );
  }
  const spec = input as Record<string, unknown>;
  if (!Number.isInteger(spec.capacity) || (spec.capacity as number) < 1) {
    throw new AdminInputError(`writeBucket.capacity: expected an integer >= 1, got ${JSON.stringify(spec.capacity)}`);
  }
  if (
    typeof spec.refillPerSecond !== "number" ||
    !(spec.refillPerSecond >= 0) ||
    !Number.isFinite(spec.refillPerSecond)
  ) {
    throw new AdminInputError(
      `writeBucket.refillPerSecond: expected a finite number >= 0, got ${JSON.stringify(spec.refillPerSecond)}`,
    );
  }
  return { capacity: spec.capacity as number, refillPerSecond: spec.refillPerSecond };
}

/** Outcome of counting a write. */
export type WriteAdmission = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

// Hourly limits of the classic model, which the recorded header values count down from
// (12 000 reads, 1 200 writes per hour; the Azure CLI's recordings show 1199, 1198, …).
const READS_PER_HOUR = 12_000;
const WRITES_PER_HOUR = 1_200;
const HOUR_MS = 60 * 60 * 1000;

interface Window {
  start: number;
  reads: number;
  writes: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Per-subscription counters and the optional write bucket. */
export class RateLimits {
  private readonly windows = new Map<string, Window>();
  private readonly buckets = new Map<string, Bucket>();
  private bucketSpec: WriteBucketSpec | null = null;

  /** Turns the write bucket on (full) or off. */
  setWriteBucket(spec: WriteBucketSpec | null): void {
    this.bucketSpec = spec;
    this.buckets.clear();
  }

  /** The bucket in force, if any. */
  writeBucket(): WriteBucketSpec | null {
    return this.bucketSpec;
  }

  /** Counts a read for `scope` (a subscription ID, or "tenant"); returns the remaining reads. */
  read(scope: string, now: number): number {
    const window = this.window(scope, now);
    window.reads += 1;
    return Math.max(0, READS_PER_HOUR - window.reads);
  }

  /** Counts a write; with the bucket on, refuses it when the bucket is empty. */
  write(scope: string, now: number): WriteAdmission {
    const window = this.window(scope, now);
    if (this.bucketSpec === null) {
      window.writes += 1;
      return { allowed: true, remaining: Math.max(0, WRITES_PER_HOUR - window.writes) };
    }
    const spec = this.bucketSpec;
    let bucket = this.buckets.get(scope);
    if (bucket === undefined) {
      bucket = { tokens: spec.capacity, updatedAt: now };
      this.buckets.set(scope, bucket);
    }
    bucket.tokens = Math.min(spec.capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * spec.refillPerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      const seconds = spec.refillPerSecond > 0 ? Math.ceil((1 - bucket.tokens) / spec.refillPerSecond) : 3600;
      return { allowed: false, retryAfterSeconds: Math.max(1, seconds) };
    }
    bucket.tokens -= 1;
    window.writes += 1;
    return { allowed: true, remaining: Math.floor(bucket.tokens) };
  }

  /** Remaining requests of a kind without counting one (for responses refused before counting). */
  peek(scope: string, write: boolean, now: number): number {
    const window = this.window(scope, now);
    if (!write) return Math.max(0, READS_PER_HOUR - window.reads);
    const bucket = this.buckets.get(scope);
    if (this.bucketSpec !== null) return bucket === undefined ? this.bucketSpec.capacity : Math.floor(bucket.tokens);
    return Math.max(0, WRITES_PER_HOUR - window.writes);
  }

  /** Forgets all counters; keeps the bucket setting (refilled). */
  resetCounters(): void {
    this.windows.clear();
    this.buckets.clear();
  }

  private window(scope: string, now: number): Window {
    let window = this.windows.get(scope);
    if (window === undefined || now - window.start >= HOUR_MS) {
      window = { start: now, reads: 0, writes: 0 };
      this.windows.set(scope, window);
    }
    return window;
  }
}
