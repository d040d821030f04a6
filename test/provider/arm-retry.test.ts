import assert from "node:assert/strict";
import {
  backoffDelayMs,
  decideRetry,
  isIdempotent,
  parseRetryAfterMs,
  resolveRetryOptions,
  type RetryInput,
  type RetryOptions,
} from "../../provider/arm";

// Jitter pinned to its upper end so every backoff delay is exact.
const fixed: RetryOptions = { random: () => 1 };
const now = Date.parse("2026-05-01T12:00:00Z");

function response(status: number, extra: Partial<Extract<RetryInput, { kind: "response" }>> = {}): RetryInput {
  return { kind: "response", attempt: 0, method: "GET", status, headers: {}, now, ...extra };
}

describe("arm retry decision table", () => {
  describe("throttling (429)", () => {
    it("waits the Retry-After seconds", () => {
      assert.deepEqual(decideRetry(response(429, { headers: { "retry-after": "7" } }), fixed), {
        retry: true,
        delayMs: 7000,
        reason: "throttled (HTTP 429)",
      });
    });

    it("waits until a Retry-After HTTP date", () => {
      const headers = { "retry-after": "Fri, 01 May 2026 12:00:30 GMT" };
      assert.deepEqual(decideRetry(response(429, { headers }), fixed), {
        retry: true,
        delayMs: 30_000,
        reason: "throttled (HTTP 429)",
      });
    });

    it("prefers retry-after-ms and x-ms-retry-after-ms over Retry-After", () => {
      const a = decideRetry(response(429, { headers: { "retry-after-ms": "250", "retry-after": "9" } }), fixed);
      const b = decideRetry(response(429, { headers: { "x-ms-retry-after-ms": "40", "retry-after": "9" } }), fixed);
      assert.deepEqual([a.retry && a.delayMs, b.retry && b.delayMs], [250, 40]);
    });

    it("retries a throttled POST too: the server did not run it", () => {
      const decision = decideRetry(response(429, { method: "POST", headers: { "retry-after": "1" } }), fixed);
      assert.deepEqual(decision, { retry: true, delayMs: 1000, reason: "throttled (HTTP 429)" });
    });

    it("falls back to backoff when no header says how long", () => {
      assert.deepEqual(decideRetry(response(429, { attempt: 2 }), fixed), {
        retry: true,
        delayMs: 4000,
        reason: "throttled (HTTP 429)",
      });
    });

    it("scales the server wait with retryAfterScale (0 in tests) but keeps the decision", () => {
      const decision = decideRetry(response(429, { headers: { "retry-after": "5" } }), { retryAfterScale: 0 });
      assert.deepEqual(decision, { retry: true, delayMs: 0, reason: "throttled (HTTP 429)" });
    });

    it("gives up when the server asks for more than maxRetryAfterMs", () => {
      const decision = decideRetry(response(429, { headers: { "retry-after": "1200" } }), { maxRetryAfterMs: 60_000 });
      assert.deepEqual(decision, {
        retry: false,
        transient: true,
        reason: "throttled (HTTP 429); the server asked to wait 1200000 ms, more than maxRetryAfterMs 60000",
      });
    });
  });

  describe("transient server errors", () => {
    for (const status of [408, 500, 502, 503, 504]) {
      it(`retries ${status} on GET with backoff`, () => {
        const decision = decideRetry(response(status), fixed);
        assert.deepEqual(decision, { retry: true, delayMs: 1000, reason: `transient server error (HTTP ${status})` });
      });
    }

    it("honours Retry-After on a 503", () => {
      const decision = decideRetry(response(503, { headers: { "retry-after": "3" } }), fixed);
      assert.deepEqual(decision, { retry: true, delayMs: 3000, reason: "transient server error (HTTP 503)" });
    });

    it("retries PUT and DELETE (idempotent by HTTP), and a PATCH only when its caller states it idempotent", () => {
      for (const method of ["PUT", "DELETE"] as const) {
        assert.equal(decideRetry(response(503, { method }), fixed).retry, true, method);
      }
      assert.equal(decideRetry(response(503, { method: "PATCH", idempotent: true }), fixed).retry, true);
      assert.deepEqual(decideRetry(response(503, { method: "PATCH" }), fixed), {
        retry: false,
        transient: false,
        reason: "HTTP 503 is not retryable for PATCH",
      });
    });

    it("takes the caller's statement over the method either way", () => {
      assert.equal(decideRetry(response(503, { method: "POST", idempotent: true }), fixed).retry, true);
      assert.equal(decideRetry(response(503, { method: "PUT", idempotent: false }), fixed).retry, false);
      assert.equal(isIdempotent("PATCH"), false);
      assert.equal(isIdempotent("GET"), true);
      assert.equal(isIdempotent("PATCH", true), true);
    });

    it("does not retry a POST after a 5xx: it may have run", () => {
      assert.deepEqual(decideRetry(response(503, { method: "POST" }), fixed), {
        retry: false,
        transient: false,
        reason: "HTTP 503 is not retryable for POST",
      });
    });

    for (const status of [400, 401, 403, 404, 412, 501]) {
      it(`does not retry ${status}`, () => {
        assert.deepEqual(decideRetry(response(status, { method: "PATCH" }), fixed), {
          retry: false,
          transient: false,
          reason: `HTTP ${status} is not retryable for PATCH`,
        });
      });
    }
  });

  describe("409 during a running operation", () => {
    it("waits and retries a write answered 409 Conflict", () => {
      const decision = decideRetry(response(409, { method: "PATCH", errorCode: "Conflict", attempt: 1 }), fixed);
      assert.deepEqual(decision, {
        retry: true,
        delayMs: 2000,
        reason: "another operation is running (HTTP 409 Conflict)",
      });
    });

    it("does not retry 409 OperationNotAllowed (resource being deleted)", () => {
      const decision = decideRetry(response(409, { method: "PATCH", errorCode: "OperationNotAllowed" }), fixed);
      assert.equal(decision.retry, false);
    });

    it("does not retry a 409 without an ARM code", () => {
      assert.equal(decideRetry(response(409, { method: "PUT" }), fixed).retry, false);
    });
  });

  describe("dropped connections", () => {
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "UND_ERR_HEADERS_TIMEOUT"]) {
      it(`retries ${code} on a PATCH stated idempotent, not on one that is not`, () => {
        const input = { kind: "network", attempt: 0, method: "PATCH", errorCode: code } as const;
        assert.deepEqual(decideRetry({ ...input, idempotent: true }, fixed), {
          retry: true,
          delayMs: 1000,
          reason: `connection failed (${code})`,
        });
        assert.deepEqual(decideRetry(input, fixed), {
          retry: false,
          transient: false,
          reason: `connection failed (${code}), not retryable for PATCH`,
        });
      });
    }

    it("does not retry a POST whose connection dropped mid-request", () => {
      const decision = decideRetry({ kind: "network", attempt: 0, method: "POST", errorCode: "UND_ERR_SOCKET" }, fixed);
      assert.deepEqual(decision, {
        retry: false,
        transient: false,
        reason: "connection failed (UND_ERR_SOCKET), not retryable for POST",
      });
    });

    it("retries a POST whose connection was refused (nothing was sent)", () => {
      const decision = decideRetry({ kind: "network", attempt: 0, method: "POST", errorCode: "ECONNREFUSED" }, fixed);
      assert.equal(decision.retry, true);
    });

    it("does not retry certificate errors", () => {
      const input: RetryInput = { kind: "network", attempt: 0, method: "GET", errorCode: "SELF_SIGNED_CERT_IN_CHAIN" };
      assert.equal(decideRetry(input, fixed).retry, false);
    });
  });

  describe("limits", () => {
    it("gives up after maxRetries and says how many", () => {
      assert.deepEqual(decideRetry(response(503, { attempt: 6 }), fixed), {
        retry: false,
        transient: true,
        reason: "transient server error (HTTP 503); gave up after 6 retries",
      });
      assert.deepEqual(decideRetry(response(503, { attempt: 1 }), { maxRetries: 1 }), {
        retry: false,
        transient: true,
        reason: "transient server error (HTTP 503); gave up after 1 retry",
      });
    });

    it("doubles the backoff per retry up to maxDelayMs", () => {
      const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelayMs(attempt, fixed));
      assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    });

    it("keeps at least half the backoff whatever the jitter", () => {
      assert.equal(backoffDelayMs(3, { random: () => 0 }), 4000);
      assert.equal(backoffDelayMs(3, { random: () => 0.5 }), 6000);
    });

    it("makes backoff instant with baseDelayMs 0", () => {
      assert.equal(backoffDelayMs(5, { baseDelayMs: 0 }), 0);
    });

    it("rejects invalid options with the property, value and expectation", () => {
      assert.throws(() => resolveRetryOptions({ maxRetries: -1 }), {
        message: "retry.maxRetries: -1 is invalid; expected a finite number >= 0",
      });
      assert.throws(() => resolveRetryOptions({ maxRetries: 1.5 }), {
        message: "retry.maxRetries: 1.5 is invalid; expected an integer >= 0",
      });
      assert.throws(() => resolveRetryOptions({ maxDelayMs: Number.NaN }), {
        message: "retry.maxDelayMs: NaN is invalid; expected a finite number >= 0",
      });
    });
  });

  describe("parseRetryAfterMs", () => {
    it("returns undefined for absent or garbage values", () => {
      assert.equal(parseRetryAfterMs({}, now), undefined);
      assert.equal(parseRetryAfterMs({ "retry-after": "soon" }, now), undefined);
      assert.equal(parseRetryAfterMs({ "retry-after-ms": "-5" }, now), undefined);
    });

    it("turns a date in the past into 0", () => {
      assert.equal(parseRetryAfterMs({ "retry-after": "Fri, 01 May 2026 11:00:00 GMT" }, now), 0);
    });
  });
});
