/**
 * Retry as a decision table: given what happened on an attempt, retry after N ms or give up.
 * Pure: the clock and the randomness come in as arguments. The loop that sleeps lives in the client.
 */
import { InvalidInputError } from "../errors";

/** HTTP methods the ARM client sends. */
export type HttpMethod = "GET" | "PUT" | "PATCH" | "DELETE" | "POST";

/** Retry policy knobs; every field is optional. */
export interface RetryOptions {
  /** Retries after the first attempt before giving up. Default 6. */
  maxRetries?: number;
  /** First backoff step in ms, doubled per retry (before jitter). Default 1000. 0 makes backoff instant (tests). */
  baseDelayMs?: number;
  /** Cap of the exponential backoff in ms. Default 60 000. */
  maxDelayMs?: number;
  /**
   * Longest server-requested wait (`Retry-After` & co.) that is honoured, in ms; longer means give up. Default
   * 1 800 000 (30 min): Compute asks for up to 1 200 s when a throttling policy is spent (docs/arm-behavior.md).
   */
  maxRetryAfterMs?: number;
  /**
   * Multiplier applied to server-requested waits, the retry's and the pacer's hold on the throttled budget alike.
   * Default 1; tests use 0 to keep decisions but not the wait.
   */
  retryAfterScale?: number;
  /** Source of randomness in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/** {@link RetryOptions} with every default applied. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** Defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = {
  maxRetries: 6,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 1_800_000,
  retryAfterScale: 1,
  random: Math.random,
};

/**
 * What happened on one attempt. `attempt` counts the retries already made (0 after the first attempt).
 * `idempotent` is the caller's statement that the request may be sent twice (see {@link isIdempotent}).
 */
export type RetryInput =
  | {
      kind: "response";
      attempt: number;
      method: HttpMethod;
      /** The caller's statement; undefined: by method ({@link isIdempotent}). */
      idempotent?: boolean;
      status: number;
      /** Response headers, lower-case names. */
      headers: Record<string, string>;
      /** ARM error code (`x-ms-error-code` or body), if any. */
      errorCode?: string;
      /** Current time in ms since the epoch, for HTTP-date `Retry-After`. Default `Date.now()`. */
      now?: number;
    }
  | {
      kind: "network";
      attempt: number;
      method: HttpMethod;
      /** The caller's statement; undefined: by method ({@link isIdempotent}). */
      idempotent?: boolean;
      /** The error's `code`, e.g. `ECONNRESET` or undici's `UND_ERR_SOCKET`. */
      errorCode: string;
    };

/**
 * Retry after `delayMs`, or give up; `reason` is short and safe for error messages. `transient` on a give-up says
 * whether the failure was of a retryable kind (retries exhausted, or a server wait too long) or final.
 */
export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; transient: boolean; reason: string };

/** Network error codes that mean the connection failed or dropped, not that the request was refused. */
export const TRANSIENT_NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** HTTP statuses worth another attempt for idempotent requests: timeouts and transient server errors. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

/**
 * ARM codes of a 409 that only say "another operation is running on this resource": wait and try again.
 * Source: docs/arm-behavior.md, "Errors" (409 `Conflict`). A 409
 * `OperationNotAllowed` (resource being deleted) is final and not listed.
 */
export const CONFLICT_RETRY_CODES: ReadonlySet<string> = new Set(["Conflict"]);

/**
 * Methods HTTP defines as idempotent (RFC 9110, section 9.2.2): sending one twice has the effect of sending it once.
 * PATCH and POST are not: whether a given PATCH may be repeated depends on its body, which only its caller knows.
 */
export const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(["GET", "PUT", "DELETE"]);
const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(["PUT", "PATCH", "DELETE", "POST"]);

/**
 * Whether a request may be sent again after an answer that does not say it did not run (a 5xx, a dropped
 * connection): the caller's statement when it made one, else {@link IDEMPOTENT_METHODS}. The policy never guesses
 * from a body: a PATCH whose body is a computed target is repeated because its caller says so.
 */
export function isIdempotent(method: HttpMethod, stated?: boolean): boolean {
  return stated ?? IDEMPOTENT_METHODS.has(method);
}

/** Applies defaults to partial retry options, rejecting negative or non-finite values. */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(options) };
  for (const key of ["maxRetries", "baseDelayMs", "maxDelayMs", "maxRetryAfterMs", "retryAfterScale"] as const) {
    const value = resolved[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new InvalidInputError(`retry.${key}: ${String(value)} is invalid; expected a finite number >= 0`);
    }
  }
  if (!Number.isInteger(resolved.maxRetries)) {
    throw new InvalidInputError(`retry.maxRetries: ${resolved.maxRetries} is invalid; expected an integer >= 0`);
  }
  return resolved;
}

/**
 * The retry decision table, first match wins:
 * 1. retries exhausted → give up;
 * 2. 429 → wait what the server asks (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After`), else backoff;
 * 3. 409 `Conflict` on a write → wait (server delay, else backoff) and retry;
 * 4. 408/500/502/503/504 on an idempotent request → server delay, else backoff;
 * 5. a dropped or failed connection on an idempotent request (any request if refused) → backoff;
 * 6. anything else → give up.
 * A request is idempotent by the caller's statement, else by method ({@link isIdempotent}): a PATCH is repeated
 * after a 5xx or a dropped connection only when its caller said it may be. A server delay above `maxRetryAfterMs`
 * gives up rather than hammering a throttled service early.
 */
export function decideRetry(input: RetryInput, options: RetryOptions = {}): RetryDecision {
  const opts = resolveRetryOptions(options);
  const { method, attempt } = input;
  const idempotent = isIdempotent(method, input.idempotent);

  if (input.kind === "network") {
    const retryable =
      TRANSIENT_NETWORK_ERROR_CODES.has(input.errorCode) && (idempotent || input.errorCode === "ECONNREFUSED");
    const what = `connection failed (${input.errorCode})`;
    if (!retryable) return { retry: false, transient: false, reason: `${what}, not retryable for ${method}` };
    if (attempt >= opts.maxRetries) return { retry: false, transient: true, reason: exhausted(what, attempt) };
    return { retry: true, delayMs: backoffDelayMs(attempt, opts), reason: what };
  }

  const { status, headers } = input;
  let what: string;
  if (status === 429) {
    what = "throttled (HTTP 429)";
  } else if (status === 409 && WRITE_METHODS.has(method) && CONFLICT_RETRY_CODES.has(input.errorCode ?? "")) {
    what = `another operation is running (HTTP 409 ${input.errorCode})`;
  } else if (TRANSIENT_STATUSES.has(status) && idempotent) {
    what = `transient server error (HTTP ${status})`;
  } else {
    return { retry: false, transient: false, reason: `HTTP ${status} is not retryable for ${method}` };
  }
  if (attempt >= opts.maxRetries) return { retry: false, transient: true, reason: exhausted(what, attempt) };

  const serverDelayMs = parseRetryAfterMs(headers, input.now ?? Date.now());
  if (serverDelayMs === undefined) return { retry: true, delayMs: backoffDelayMs(attempt, opts), reason: what };
  if (serverDelayMs > opts.maxRetryAfterMs) {
    return {
      retry: false,
      transient: true,
      reason: `${what}; the server asked to wait ${serverDelayMs} ms, more than maxRetryAfterMs ${opts.maxRetryAfterMs}`,
    };
  }
  return { retry: true, delayMs: Math.round(serverDelayMs * opts.retryAfterScale), reason: what };
}

/**
 * Capped exponential backoff with "equal jitter": half of `min(maxDelayMs, baseDelayMs * 2^attempt)` fixed, the
 * other half random, so that many clients throttled together do not come back together.
 */
export function backoffDelayMs(attempt: number, options: RetryOptions = {}): number {
  const opts = resolveRetryOptions(options);
  const capped = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  return Math.round(capped / 2 + (capped / 2) * opts.random());
}

/**
 * The wait a response asks for, in ms: `retry-after-ms`, then `x-ms-retry-after-ms` (milliseconds), then
 * `Retry-After` (seconds or an HTTP date; docs/arm-behavior.md, "Throttling" and "Long-running operations"). Undefined when absent or
 * unparseable; a date in the past gives 0.
 *
 * @param headers response headers with lower-case names.
 * @param now current time in ms since the epoch.
 */
export function parseRetryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers[name];
    if (value !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value));
  }
  const retryAfter = headers["retry-after"];
  if (retryAfter === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function exhausted(what: string, attempt: number): string {
  return `${what}; gave up after ${attempt} ${attempt === 1 ? "retry" : "retries"}`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
