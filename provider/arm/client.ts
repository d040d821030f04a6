/**
 * The ARM client: one `send` (token, retry, error) under `request` (one call) and `execute` (a call and its
 * long-running operation). HTTP is undici with one keep-alive pool per endpoint origin.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { TokenCredential } from "@azure/core-auth";
import type { Dispatcher } from "undici";
import type { Cloud } from "./clouds";
import { ArmError, readArmErrorBody, TransportErrorCodes, type ArmErrorBody } from "./errors";
import {
  DEFAULT_MIN_POLL_INTERVAL_MS,
  DEFAULT_OPERATION_TIMEOUT_MS,
  finalResultSource,
  operationStateOf,
  selectPollingStrategy,
  type PollingStrategy,
} from "./lro";
import {
  describeBudget,
  nextWaitId,
  reportedRetryWait,
  type TransportEvent,
  type TransportEventListener,
} from "./events";
import { pacerFor, principalOfToken, type Pacer, type PacerHold, type PacerTicket } from "./pacer";
import { dispatcherFor, proxyFor, proxySettingsFromEnv, redactProxyUrl } from "./proxy";
import { nextPoll, requestClass } from "./pacing";
import {
  apiVersionProblem,
  armPathProblem,
  assertEndpointAllowed,
  buildRequestUrl,
  isSameOrigin,
} from "./request-target";
import {
  decideRetry,
  parseRetryAfterMs,
  resolveRetryOptions,
  type HttpMethod,
  type ResolvedRetryOptions,
  type RetryInput,
  type RetryOptions,
} from "./retry";
import { AccessTokenCycler, type TokenCyclerOptions } from "./token-cycler";
import { InvalidInputError } from "../errors";

/** One ARM call. */
export interface ArmRequest {
  method: HttpMethod;
  /** ARM path, e.g. `/subscriptions/<id>/resourceGroups/<rg>/providers/...`; no query string or fragment. */
  path: string;
  /** Sent as the `api-version` query parameter, e.g. `2024-11-01`. */
  apiVersion: string;
  /** Other query parameters, e.g. a list's `$filter` (never `api-version`); none by default. */
  query?: Record<string, string>;
  /** JSON body; omitted when undefined. */
  body?: unknown;
  /** Extra request headers such as `If-Match`; `Authorization`, `Host` and `Content-Length` are refused. */
  headers?: Record<string, string>;
  /**
   * `execute` only: where the result of a PUT/PATCH comes from once its operation succeeded. `"get"` (default,
   * azcore's rule): a GET of the resource. `"response"`: the write's own response, for callers that know what it
   * already says (Compute's PATCH response shows the identity as it will be: docs/arm-behavior.md) and so spare
   * a read of a budget that Compute counts.
   */
  result?: "get" | "response";
  /**
   * The caller's statement that sending this request twice leaves the same state as sending it once, so that it
   * may be sent again when its answer is lost (a 5xx, a dropped connection) and it may have run. Default: as HTTP
   * defines it (RFC 9110, section 9.2.2): GET, PUT and DELETE are, PATCH and POST are not. Set `true` on a PATCH
   * whose body is a computed target (the whole desired value, or `{}`/`null` deltas that ARM's merge makes
   * idempotent: docs/arm-behavior.md, "PATCH merge rules"), never on one that increments or appends; `false` on a
   * PUT that must not be repeated. A 429, a 409 `Conflict` or a refused connection is retried either way: the
   * server did not run the request.
   */
  idempotent?: boolean;
  /**
   * Cancels the call: waits, attempts and polls stop, and the call throws an ArmError `RequestAborted` (a write
   * already sent may still land: follow up with a read).
   */
  signal?: AbortSignal;
}

/** A successful (2xx) ARM response. */
export interface ArmResponse<T = unknown> {
  status: number;
  /** Response headers, lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when the body is empty. */
  body: T;
  /** `x-ms-request-id`. */
  requestId?: string;
  /** `x-ms-correlation-request-id` (the client sends one per `request`/`execute` and ARM echoes it). */
  correlationId?: string;
}

/** Reported before each retry wait, for logging; carries no token and no query string. */
export interface RetryEvent {
  method: HttpMethod;
  /** Path of the request, without query string. */
  path: string;
  /** 1 for the first retry. */
  retry: number;
  /** The wait before the retry, in ms, after `retryAfterScale`. */
  delayMs: number;
  /** Why, e.g. "throttled (HTTP 429)". */
  reason: string;
  status?: number;
  code?: string;
  requestId?: string;
}

/** Options of {@link ArmClient}. */
export interface ArmClientOptions {
  /** Where ARM is and which token scope it wants. */
  cloud: Cloud;
  /** Token source; `getCredential` (credential.ts) gives the process-wide one. */
  credential: TokenCredential;
  /**
   * undici dispatcher (e.g. an `Agent` with `connect: { ca }`). Default: a new keep-alive pool for the endpoint that
   * honours the proxy variables of `process.env` (proxy.ts `dispatcherFor`), closed by `close()`.
   */
  dispatcher?: Dispatcher;
  /** Retry policy; see {@link RetryOptions} for defaults. */
  retry?: RetryOptions;
  /**
   * Fixed wait between operation polls, in ms, overriding `Retry-After` and the pacing (tests: 0). Default: the
   * response's `Retry-After` when it has one, else one scout per kind of operation polls finely and the others poll
   * when it says they are likely done (pacing.ts nextPoll), each as the budgets allow.
   */
  pollIntervalMs?: number;
  /** Shortest wait between polls when the server's `Retry-After` decides (e.g. `Retry-After: 0`), in ms. Default 1 000. */
  minPollIntervalMs?: number;
  /**
   * Pace requests by the budgets ARM and Compute report (pacer.ts): one scheduler per endpoint, subscription and
   * principal in the process, shared by every client. Default true.
   */
  pacing?: boolean;
  /** Deadline of one long-running operation, in ms. Default 1 800 000 (30 min). */
  operationTimeoutMs?: number;
  /** `User-Agent` header. Default `pulumi-vmss-identity (node <version>)`. */
  userAgent?: string;
  /** Called before each retry wait. */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Called with what the client waits for (events.ts): each retry's wait, each hold of the pacer, each long-running
   * operation while it runs, and the end of each, synchronously in the async context of the call that waits.
   */
  onEvent?: TransportEventListener;
  /** Token refresh timing. */
  tokenRefresh?: TokenCyclerOptions;
  /**
   * The cancellation of the context a call starts in (e.g. the user interrupting the program that serves it), read
   * once per call in that call's async context. When it aborts, every wait of the call ends at once (a hold of the
   * pacer, a retry's sleep, an operation's poll interval) and nothing more is sent: the call throws an ArmError
   * `RequestAborted` that says what it was waiting for and how far its write got. Unlike
   * {@link ArmRequest.signal}, it ends waits only: it never cuts an HTTP exchange short (whether ARM took a write is
   * known), a read that can go at once still goes (a write's outcome can be read back), a write is never sent after
   * it, and an operation that ARM already accepted is followed for {@link cancelGraceMs} more before it is left to
   * run.
   */
  cancellation?: () => AbortSignal | undefined;
  /**
   * How long an operation that ARM accepted before the cancellation is still followed, in ms, so that a short one
   * ends with a true result rather than "may still complete". Default 20 000.
   */
  cancelGraceMs?: number;
}

/** Default of {@link ArmClientOptions.cancelGraceMs}, ms. */
export const DEFAULT_CANCEL_GRACE_MS = 20_000;

const FORBIDDEN_HEADERS = new Set(["authorization", "host", "content-length", "transfer-encoding"]);
const DEFAULT_USER_AGENT = `pulumi-vmss-identity (node ${process.version})`;

/** What every attempt of one call shares. */
interface CallContext {
  /** Sent as `x-ms-correlation-request-id` by every request of the call. */
  correlationId: string;
  /** Stops waits, attempts and polls (the caller's signal, and for `execute` its deadline). */
  signal?: AbortSignal;
  /** `execute`'s deadline, to tell a timeout from the caller's abort. */
  deadline?: AbortSignal;
  timeoutMs?: number;
  /** The context's cancellation ({@link ArmClientOptions.cancellation}), to tell it from the caller's abort. */
  cancel?: AbortSignal;
  /** Stops HTTP exchanges and reads: the caller's signal and the deadline, never the cancellation. */
  exchange?: AbortSignal;
  /** Drops the grace's timer and listener ({@link ArmClient.withGrace}). */
  releaseGrace?: () => void;
  /** What the call waits for now, for the error of a cancellation. */
  waiting?: { what: string; since: number; expectedMs?: number };
  /** How far the call's write (PUT, PATCH, DELETE, POST) got: sent (an attempt went out), accepted (2xx). */
  write?: { sent: boolean; acceptedStatus?: number };
  /** `x-ms-request-id` of the last answer, for an error raised between answers. */
  lastRequestId?: string;
}

/** A request as `send` carries it through its attempts. */
interface Outgoing {
  method: HttpMethod;
  url: URL;
  /** The JSON body, serialised once for every attempt. */
  payload?: string;
  headers?: Record<string, string>;
  /** The caller's statement ({@link ArmRequest.idempotent}); undefined: by method. */
  idempotent?: boolean;
}

/** What `send` has done so far for one request. */
interface SendProgress {
  /** Retries made (0 during the first attempt). */
  retries: number;
  /** Whether the token was already renewed after a 401 (once per request). */
  renewedToken: boolean;
}

/** A failed attempt, described once for the retry decision, the retry event and the final error. */
interface Failure {
  /** What retry.ts decides on. */
  input: RetryInput;
  /** ARM's code (`x-ms-error-code`, else the body's) or the network error code; undefined when ARM gave none. */
  code?: string;
  message: string;
  status?: number;
  requestId?: string;
  correlationId?: string;
  details?: unknown;
  cause?: unknown;
}

/** What an attempt's outcome means (`classify`). */
type Verdict =
  | { kind: "success"; response: ArmResponse<unknown> }
  | { kind: "renew-token" }
  | { kind: "failure"; failure: Failure };

/** What to do about a failure (`decide`). */
type Decision = { kind: "retry"; event: RetryEvent } | { kind: "give-up"; error: ArmError };

/** What one attempt produced, before the retry decision. */
type AttemptOutcome =
  | { kind: "response"; response: ArmResponse<unknown>; error: ArmErrorBody; rawBody: string }
  | { kind: "network"; code: string; cause: unknown };

/**
 * ARM over undici. Thread-safe for concurrent calls: they share one token (refreshed ahead of expiry, one refresh
 * in flight) and one connection pool.
 */
export class ArmClient {
  private readonly endpoint: URL;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly tokens: AccessTokenCycler;
  private readonly retry: ResolvedRetryOptions;
  private readonly pollIntervalMs: number | undefined;
  private readonly minPollIntervalMs: number;
  private readonly operationTimeoutMs: number;
  private readonly userAgent: string;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;
  private readonly onEvent: TransportEventListener | undefined;
  private readonly pacing: boolean;
  private readonly cancellation: (() => AbortSignal | undefined) | undefined;
  private readonly cancelGraceMs: number;
  private readonly authorityHost: string;

  /**
   * @throws Error before any request if the endpoint is neither https nor a loopback host, or an option (or, without
   *   a `dispatcher`, a proxy variable) is invalid.
   */
  constructor(options: ArmClientOptions) {
    this.endpoint = assertEndpointAllowed(options.cloud.resourceManagerEndpoint);
    this.retry = resolveRetryOptions(options.retry);
    this.pollIntervalMs = nonNegative("pollIntervalMs", options.pollIntervalMs);
    this.minPollIntervalMs =
      nonNegative("minPollIntervalMs", options.minPollIntervalMs) ?? DEFAULT_MIN_POLL_INTERVAL_MS;
    this.operationTimeoutMs =
      nonNegative("operationTimeoutMs", options.operationTimeoutMs) ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.onRetry = options.onRetry;
    this.onEvent = options.onEvent;
    this.pacing = options.pacing ?? true;
    this.cancellation = options.cancellation;
    this.cancelGraceMs = nonNegative("cancelGraceMs", options.cancelGraceMs) ?? DEFAULT_CANCEL_GRACE_MS;
    this.tokens = new AccessTokenCycler(options.credential, options.cloud.tokenScope, options.tokenRefresh);
    this.authorityHost = options.cloud.authorityHost;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? dispatcherFor(this.endpoint, proxySettingsFromEnv(process.env));
  }

  /**
   * One ARM call with retries (see retry.ts) and one token renewal on 401.
   * @throws ArmError for any non-2xx final response (404 included: branch on `statusCode`/`code`), a network
   *   failure after retries, or an invalid request (code `InvalidRequest`, nothing sent).
   */
  async request<T = unknown>(req: ArmRequest): Promise<ArmResponse<T>> {
    const url = this.requestUrl(req);
    const cancel = this.cancellation?.();
    const call: CallContext = {
      correlationId: randomUUID(),
      signal: anyOf(req.signal, cancel),
      exchange: req.signal,
      cancel,
      write: req.method === "GET" ? undefined : { sent: false },
    };
    try {
      return (await this.send(outgoing(req, url), call)) as ArmResponse<T>;
    } catch (e) {
      throw stoppedBySignal(e, call) ? this.abortError(req.method, url, call) : e;
    }
  }

  /**
   * `request`, then follows the long-running operation it started to its end (lro.ts): `Azure-AsyncOperation`,
   * else `Location` on a 202, else `provisioningState`. The result of a PUT/PATCH is a GET of the resource
   * (azcore's rule, docs/arm-behavior.md, "Long-running operations"); of a DELETE, the last poll response.
   *
   * A 404 at any point (e.g. deleting what is already gone) is thrown as an ArmError with `statusCode` 404, never
   * swallowed: whether that means "done" is the caller's decision.
   * @throws ArmError with the operation's own `error.code` and message when it ends `Failed` or `Canceled`
   *   (`OperationFailed`/`OperationCanceled` if it gave none), `OperationTimedOut` past `operationTimeoutMs`.
   */
  async execute<T = unknown>(req: ArmRequest): Promise<ArmResponse<T>> {
    const url = this.requestUrl(req);
    // One deadline for the whole call: the write's own retries, every poll and the final read.
    const deadline = AbortSignal.timeout(this.operationTimeoutMs);
    const exchange = anyOf(req.signal, deadline);
    const cancel = this.cancellation?.();
    const call: CallContext = {
      correlationId: randomUUID(),
      signal: anyOf(exchange, cancel),
      exchange,
      deadline,
      timeoutMs: this.operationTimeoutMs,
      cancel,
      write: req.method === "GET" ? undefined : { sent: false },
    };
    try {
      return await this.follow<T>(req, url, call);
    } catch (e) {
      throw stoppedBySignal(e, call) ? this.abortError(req.method, url, call) : e;
    } finally {
      call.releaseGrace?.();
    }
  }

  private async follow<T>(req: ArmRequest, url: URL, call: CallContext): Promise<ArmResponse<T>> {
    const initial = await this.send(outgoing(req, url), call);
    const strategy = selectPollingStrategy(req.method, initial);
    // ARM has the write: a cancellation from now on leaves it some time to end, so that its outcome is known.
    if (call.write !== undefined) this.withGrace(call);

    if (strategy.kind === "missing-polling-url") {
      const message = `HTTP ${initial.status} without Azure-AsyncOperation or Location header: the operation cannot be followed`;
      throw this.transportError(req.method, url, TransportErrorCodes.missingPollingUrl, message, initial, true);
    }
    if (strategy.kind === "none") {
      // Only a write's own answer can report its failure; a GET of a resource left in Failed state is just data.
      if (req.method === "PUT" || req.method === "PATCH") {
        this.throwIfFailed(req.method, url, strategy, initial, initial);
      }
      return initial as ArmResponse<T>;
    }

    const pollUrl =
      strategy.kind === "provisioning-state" ? url : this.pollingUrl(req.method, url, strategy.pollUrl, initial);
    const startedAt = Date.now();
    // Operations of one kind take similar times: one scout polls finely, the others once when it says they are
    // likely done (pacing.ts nextPoll).
    const operationClass = requestClass(req.method, url.pathname);
    const pacer = this.schedulerFor(url, await this.token(req.method, url));
    const scout = pacer?.claimScout(operationClass) ?? false;
    let seenDoneAfter: number | undefined;
    /** Whether a poll saw the operation end Failed or Canceled. */
    let operationEnded = false;
    let last = initial;
    const operation = { waitId: nextWaitId(), method: req.method, path: url.pathname };
    this.emit({ kind: "operation-running", ...operation, elapsedMs: 0, polls: 0 });
    try {
      for (let polls = 0, lastPollMs = 0; ; ) {
        const next = nextPoll({
          pollsSoFar: polls,
          elapsedMs: Date.now() - startedAt,
          lastPollMs,
          scout,
          typicalMs: pacer?.typicalDuration(operationClass),
          retryAfterMs: parseRetryAfterMs(last.headers, Date.now()),
          fixedMs: this.pollIntervalMs,
          minMs: this.minPollIntervalMs,
        });
        call.waiting = { what: `following the operation of the ${req.method}`, since: startedAt };
        await sleep(next.delayMs, undefined, { signal: call.signal });
        if (!next.poll) continue;
        polls++;
        lastPollMs = Date.now() - startedAt;
        last = await this.send({ method: "GET", url: pollUrl }, call);
        const state = operationStateOf(strategy, last);
        if (state.kind === "succeeded") {
          seenDoneAfter = Date.now() - startedAt;
          break;
        }
        if (state.kind === "unknown") {
          const message = `polling ${pollUrl.pathname}: ${state.reason}`;
          throw this.transportError(req.method, url, TransportErrorCodes.invalidResponseBody, message, initial, false);
        }
        if (state.kind === "failed" || state.kind === "canceled") operationEnded = true;
        this.throwIfFailed(req.method, url, strategy, last, initial);
        this.emit({ kind: "operation-running", ...operation, elapsedMs: Date.now() - startedAt, polls });
      }
    } finally {
      if (scout) pacer!.releaseScout(operationClass, seenDoneAfter);
      // A poll that itself failed (network, 5xx past its retries, a body not understood) says nothing of the
      // operation: it may still run.
      const outcome =
        seenDoneAfter !== undefined
          ? "done"
          : call.signal?.aborted
            ? "aborted"
            : operationEnded
              ? "failed"
              : "unfollowed";
      this.emit({ kind: "wait-ended", ...operation, wait: "operation", waitedMs: Date.now() - startedAt, outcome });
    }

    const source = finalResultSource(req.method, initial.headers);
    if (source.kind === "resource" && req.result === "response") return initial as ArmResponse<T>;
    if (source.kind === "resource") {
      // The provisioning-state strategy already polled the resource itself: its last GET is the result.
      if (strategy.kind === "provisioning-state") return last as ArmResponse<T>;
      const resourceUrl = buildRequestUrl(this.endpoint, req.path, req.apiVersion);
      return (await this.send({ method: "GET", url: resourceUrl }, call)) as ArmResponse<T>;
    }
    if (source.kind === "location") {
      const locationUrl = this.pollingUrl(req.method, url, source.url, initial);
      return (await this.send({ method: "GET", url: locationUrl }, call)) as ArmResponse<T>;
    }
    return last as ArmResponse<T>;
  }

  /**
   * After the write was accepted, the call's waits stop {@link cancelGraceMs} after the cancellation rather than at
   * once (the caller's signal and the deadline still stop them at once).
   */
  private withGrace(call: CallContext): void {
    const { cancel } = call;
    if (cancel === undefined) return;
    const grace = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      timer = setTimeout(() => grace.abort(cancel.reason), this.cancelGraceMs);
      timer.unref();
    };
    if (cancel.aborted) start();
    else cancel.addEventListener("abort", start, { once: true });
    call.signal = anyOf(call.exchange, grace.signal);
    call.releaseGrace = () => {
      cancel.removeEventListener("abort", start);
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  /**
   * The error of a call stopped by its signal: the caller's (`RequestAborted`), the operation's deadline, or the
   * context's cancellation (`RequestAborted`, saying what it was waiting for and how far its write got).
   */
  private abortError(method: HttpMethod, url: URL, call: CallContext): ArmError {
    const timedOut = call.deadline?.aborted === true;
    const cancelled = !timedOut && call.cancel?.aborted === true && call.exchange?.aborted !== true;
    return new ArmError({
      code: timedOut ? TransportErrorCodes.operationTimedOut : TransportErrorCodes.requestAborted,
      message: timedOut
        ? `the call and its operation did not finish within ${call.timeoutMs} ms (operationTimeoutMs)`
        : cancelled
          ? this.cancelledMessage(method, call)
          : "the call was aborted by its signal",
      method,
      path: url.pathname,
      requestId: call.lastRequestId,
      correlationId: call.correlationId,
      cause: call.signal?.reason,
      writeState: cancelled ? writeStateOf(call) : undefined,
    });
  }

  /** What a cancelled call was doing, and what ARM has of it. */
  private cancelledMessage(method: HttpMethod, call: CallContext): string {
    const { waiting, write } = call;
    let doing = "cancelled";
    if (waiting !== undefined) {
      const waited = formatSeconds(Date.now() - waiting.since);
      doing +=
        waiting.expectedMs !== undefined
          ? ` after waiting ${waited} of ${formatSeconds(waiting.expectedMs)} ${waiting.what}`
          : ` while ${waiting.what} (${waited} so far)`;
    }
    if (write === undefined) return `${doing}; nothing more was sent`;
    if (write.acceptedStatus !== undefined) {
      return (
        `${doing}: the ${method} was accepted by ARM (HTTP ${write.acceptedStatus}) and its operation had not ended ` +
        `${formatSeconds(this.cancelGraceMs)} after the cancellation; it may still complete: read the resource to ` +
        `learn its outcome`
      );
    }
    return write.sent
      ? `${doing}: the ${method} was sent but not accepted, and not sent again (if its answer was lost, it may have run)`
      : `${doing}: the ${method} was not sent`;
  }

  /** Closes the connection pool if this client created it; a dispatcher passed in belongs to the caller. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private requestUrl(req: ArmRequest): URL {
    const method = String(req.method);
    const fail = (message: string) =>
      new ArmError({ code: TransportErrorCodes.invalidRequest, message, method, path: String(req.path) });
    if (!["GET", "PUT", "PATCH", "DELETE", "POST"].includes(method)) {
      throw fail(`method: ${JSON.stringify(req.method)} is invalid; expected GET, PUT, PATCH, DELETE or POST`);
    }
    const pathProblem = armPathProblem(req.path);
    if (pathProblem) throw fail(`path: ${JSON.stringify(req.path)} is invalid; ${pathProblem}`);
    const versionProblem = apiVersionProblem(req.apiVersion);
    if (versionProblem) throw fail(`apiVersion: ${JSON.stringify(req.apiVersion)} is invalid; ${versionProblem}`);
    for (const name of Object.keys(req.headers ?? {})) {
      if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
        throw fail(`headers: ${JSON.stringify(name)} may not be set by the caller; the client sets it`);
      }
    }
    return buildRequestUrl(this.endpoint, req.path, req.apiVersion, req.query);
  }

  /** Resolves a polling URL and refuses one outside the endpoint's origin: it would receive the bearer token. */
  private pollingUrl(method: HttpMethod, url: URL, raw: string, initial: ArmResponse<unknown>): URL {
    let pollUrl: URL | undefined;
    try {
      pollUrl = new URL(raw, this.endpoint);
    } catch {
      pollUrl = undefined;
    }
    if (pollUrl === undefined || !isSameOrigin(pollUrl, this.endpoint)) {
      const shown = pollUrl ? pollUrl.origin + pollUrl.pathname : "an unparseable URL";
      const message = `the operation is to be polled at ${shown}, outside ${this.endpoint.origin}; not sending the token there`;
      throw this.transportError(method, url, TransportErrorCodes.pollingUrlOutsideEndpoint, message, initial, false);
    }
    return pollUrl;
  }

  private throwIfFailed(
    method: HttpMethod,
    url: URL,
    strategy: PollingStrategy,
    response: ArmResponse<unknown>,
    initial: ArmResponse<unknown>,
  ): void {
    const state = operationStateOf(strategy, response);
    if (state.kind !== "failed" && state.kind !== "canceled") return;
    const fallback =
      state.kind === "failed" ? TransportErrorCodes.operationFailed : TransportErrorCodes.operationCanceled;
    throw new ArmError({
      code: state.error.code ?? fallback,
      message: state.error.message ?? `the operation ended ${state.kind === "failed" ? "Failed" : "Canceled"}`,
      method,
      path: url.pathname,
      requestId: initial.requestId,
      correlationId: initial.correlationId,
      details: state.error.details,
    });
  }

  /**
   * An error the transport detects itself. `statusCode` is set only when `response` is the failing answer, not
   * when it merely started an operation that went wrong later.
   */
  private transportError(
    method: HttpMethod,
    url: URL,
    code: string,
    message: string,
    response: ArmResponse<unknown>,
    responseFailed: boolean,
  ): ArmError {
    return new ArmError({
      code,
      message,
      method,
      path: url.pathname,
      statusCode: responseFailed ? response.status : undefined,
      requestId: response.requestId,
      correlationId: response.correlationId,
    });
  }

  /**
   * The one place that talks HTTP, as named steps per attempt: {@link authorise} (a token), {@link dispatch} (the
   * pacer's turn, the HTTP exchange, the pacer's reading), {@link classify} (success, a token to renew, or a
   * failure), {@link decide} (retry.ts's decision table), {@link waitToRetry} (report, then sleep).
   */
  private async send(out: Outgoing, call: CallContext): Promise<ArmResponse<unknown>> {
    const progress: SendProgress = { retries: 0, renewedToken: false };
    for (;;) {
      // After a cancellation, a write is not sent; a read that need not wait still is (see `cancellation`).
      (out.method === "GET" ? call.exchange : call.signal)?.throwIfAborted();
      const token = await this.authorise(out);
      const outcome = await this.dispatch(out, token, call);
      const verdict = this.classify(out, outcome, progress);
      if (verdict.kind === "success") {
        if (call.write !== undefined && out.method !== "GET") call.write.acceptedStatus = verdict.response.status;
        return verdict.response;
      }
      if (verdict.kind === "renew-token") {
        progress.renewedToken = true;
        await this.renewToken(out.method, out.url, token);
        continue;
      }
      const next = this.decide(out, verdict.failure, progress.retries);
      if (next.kind === "give-up") throw next.error;
      progress.retries++;
      await this.waitToRetry(next.event, call);
    }
  }

  /** Step 1: the bearer token for this attempt (cached, refreshed ahead of expiry by the cycler). */
  private authorise(out: Outgoing): Promise<string> {
    return this.token(out.method, out.url);
  }

  /**
   * Step 2: waits for the pacer's turn, makes the HTTP exchange, and gives the pacer what the answer says of the
   * budgets (a 429 holds its budget for the server-requested wait, scaled by `retryAfterScale` as the retry's is).
   */
  private async dispatch(out: Outgoing, token: string, call: CallContext): Promise<AttemptOutcome> {
    const pacer = this.schedulerFor(out.url, token);
    const ticket = pacer === undefined ? undefined : await this.admit(pacer, out.method, out.url, call);
    // Past this point nothing waits: a cancellation stops the call before its next wait or attempt.
    call.waiting = undefined;
    if (call.write !== undefined && out.method !== "GET") call.write.sent = true;
    const outcome = await this.attempt(out, token, call);
    const answered = outcome.kind === "response" ? outcome.response : undefined;
    if (answered !== undefined) call.lastRequestId = answered.requestId ?? call.lastRequestId;
    if (ticket !== undefined) {
      const retryAfterMs =
        answered?.status === 429
          ? Math.round((parseRetryAfterMs(answered.headers, Date.now()) ?? 0) * this.retry.retryAfterScale)
          : undefined;
      pacer!.settle(ticket, answered?.headers, retryAfterMs);
    }
    return outcome;
  }

  /**
   * Step 3: what the attempt's outcome means. A 2xx is a success (its body must be JSON). A first 401 means ARM did
   * not accept this token (expired, revoked, wrong audience): renew it once, past every cache, and try again; a
   * second 401 is final (docs/arm-behavior.md, "Errors": AuthenticationFailed, InvalidAuthenticationToken,
   * ExpiredAuthenticationToken). Anything else is a failure, described once for the retry decision, the retry
   * event and the final error.
   */
  private classify(out: Outgoing, outcome: AttemptOutcome, progress: SendProgress): Verdict {
    if (outcome.kind === "network") {
      return {
        kind: "failure",
        failure: {
          input: {
            kind: "network",
            attempt: progress.retries,
            method: out.method,
            idempotent: out.idempotent,
            errorCode: outcome.code,
          },
          code: outcome.code,
          message: errorMessage(outcome.cause),
          cause: outcome.cause,
        },
      };
    }
    const { response, error, rawBody } = outcome;
    if (response.status >= 200 && response.status < 300) {
      return { kind: "success", response: this.parsedSuccess(out.method, out.url, outcome) };
    }
    if (response.status === 401 && !progress.renewedToken) return { kind: "renew-token" };
    const code = response.headers["x-ms-error-code"] ?? error.code;
    return {
      kind: "failure",
      failure: {
        input: {
          kind: "response",
          attempt: progress.retries,
          method: out.method,
          idempotent: out.idempotent,
          status: response.status,
          headers: response.headers,
          errorCode: code,
        },
        code,
        message: error.message ?? `HTTP ${response.status}${snippet(rawBody)}`,
        status: response.status,
        requestId: response.requestId,
        correlationId: response.correlationId,
        details: error.details,
      },
    };
  }

  /** Step 4: retry.ts's decision on a failure: the retry's event, or the error that ends the call. */
  private decide(out: Outgoing, failure: Failure, retries: number): Decision {
    const decision = decideRetry(failure.input, this.retry);
    const { method, url } = out;
    if (!decision.retry) {
      return {
        kind: "give-up",
        error: new ArmError({
          code: failure.code ?? TransportErrorCodes.httpError,
          message: withGiveUp(failure.message, retries, decision.reason),
          method,
          path: url.pathname,
          statusCode: failure.status,
          requestId: failure.requestId,
          correlationId: failure.correlationId,
          retryable: decision.transient,
          details: failure.details,
          attempts: retries + 1,
          cause: failure.cause,
        }),
      };
    }
    const base = { method, path: url.pathname, retry: retries + 1, delayMs: decision.delayMs, reason: decision.reason };
    const event: RetryEvent =
      failure.input.kind === "network"
        ? { ...base, code: failure.code }
        : { ...base, status: failure.status, code: failure.code, requestId: failure.requestId };
    return { kind: "retry", event };
  }

  /**
   * Step 5: reports the retry (`onRetry`, and its start and end as events: events.ts), then waits its delay; the
   * call's signal cuts the wait short.
   */
  private async waitToRetry(event: RetryEvent, call: CallContext): Promise<void> {
    this.onRetry?.(event);
    call.waiting = {
      what: `to retry the ${event.method} (retry ${event.retry}: ${event.reason})`,
      since: Date.now(),
      expectedMs: event.delayMs,
    };
    await reportedRetryWait(event, (e) => this.emit(e), call.signal);
  }

  /** The pacer's admission of one attempt, reporting a hold and its end as events. */
  private async admit(pacer: Pacer, method: HttpMethod, url: URL, call: CallContext): Promise<PacerTicket> {
    let held: { waitId: number; since: number } | undefined;
    // The cancellation ends a hold, and only a hold: a request the pacer lets go at once goes (see `send`).
    const stop = new AbortController();
    const stopHold = () => stop.abort(call.signal?.reason);
    const onHold = (hold: PacerHold) => {
      held = { waitId: nextWaitId(), since: Date.now() };
      if (call.signal?.aborted) queueMicrotask(stopHold);
      else call.signal?.addEventListener("abort", stopHold, { once: true });
      const what =
        hold.budget === undefined
          ? `for the first answer to a ${method} of this kind, which names its budgets`
          : `for ${describeBudget(hold.budget)}`;
      call.waiting = { what: `${what} before the ${method}`, since: held.since, expectedMs: hold.expectedMs };
      this.emit({ kind: "budget-hold", waitId: held.waitId, method, path: url.pathname, ...hold });
    };
    let outcome: "done" | "aborted" = "aborted";
    try {
      const ticket = await pacer.admit(requestClass(method, url.pathname), anyOf(call.exchange, stop.signal), onHold);
      outcome = "done";
      return ticket;
    } finally {
      call.signal?.removeEventListener("abort", stopHold);
      if (held !== undefined) {
        const { waitId, since } = held;
        const waitedMs = Date.now() - since;
        this.emit({ kind: "wait-ended", waitId, method, path: url.pathname, wait: "budget-hold", waitedMs, outcome });
      }
    }
  }

  /** Hands an event to `onEvent`; a listener's exception never breaks the call. */
  private emit(event: TransportEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch {
      // The listener's problem: the call goes on.
    }
  }

  /** One HTTP exchange; its body is always read to the end. */
  private async attempt(out: Outgoing, token: string, call: CallContext): Promise<AttemptOutcome> {
    const requestHeaders: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.userAgent,
      "x-ms-client-request-id": randomUUID(),
      "x-ms-correlation-request-id": call.correlationId,
      ...lowerCaseKeys(out.headers ?? {}),
      authorization: `Bearer ${token}`,
    };
    if (out.payload !== undefined) requestHeaders["content-type"] = "application/json";
    try {
      const res = await this.dispatcher.request({
        origin: out.url.origin,
        path: out.url.pathname + out.url.search,
        method: out.method,
        headers: requestHeaders,
        body: out.payload,
        // An exchange is never cut by a cancellation: whether ARM took a write must be known, and a read is short.
        signal: call.exchange,
      });
      // Always read the body to its end, success or not: an unread body keeps the socket from going back to the pool.
      const rawBody = await res.body.text();
      const responseHeaders = flattenHeaders(res.headers);
      let parsed: unknown = undefined;
      if (rawBody.trim() !== "") {
        try {
          parsed = JSON.parse(rawBody);
        } catch {
          parsed = undefined;
        }
      }
      return {
        kind: "response",
        rawBody,
        error: res.statusCode >= 400 ? readArmErrorBody(parsed) : {},
        response: {
          status: res.statusCode,
          headers: responseHeaders,
          body: parsed,
          requestId: responseHeaders["x-ms-request-id"],
          correlationId: responseHeaders["x-ms-correlation-request-id"],
        },
      };
    } catch (cause) {
      // Stopped by the caller's signal or the deadline: not a network failure to retry.
      if (call.exchange?.aborted) throw cause;
      return { kind: "network", code: networkErrorCode(cause), cause };
    }
  }

  private parsedSuccess(method: HttpMethod, url: URL, outcome: Extract<AttemptOutcome, { kind: "response" }>) {
    const { response, rawBody } = outcome;
    if (rawBody.trim() !== "" && response.body === undefined) {
      throw new ArmError({
        code: TransportErrorCodes.invalidResponseBody,
        message: `HTTP ${response.status} with a body that is not JSON${snippet(rawBody)}`,
        method,
        path: url.pathname,
        statusCode: response.status,
        requestId: response.requestId,
        correlationId: response.correlationId,
      });
    }
    return response;
  }

  /**
   * The scheduler this client's requests to `subscriptionId` go through (undefined with `pacing: false`): what it
   * knows of the budgets, for benchmarks and logs (`snapshot()`). Gets a token to learn the principal.
   */
  async pacerOf(subscriptionId: string): Promise<Pacer | undefined> {
    const url = new URL(`/subscriptions/${subscriptionId}`, this.endpoint);
    return this.schedulerFor(url, await this.token("GET", url));
  }

  /** The process-wide scheduler for this endpoint, the URL's subscription and the token's principal. */
  private schedulerFor(url: URL, token: string): Pacer | undefined {
    if (!this.pacing) return undefined;
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(url.pathname)?.[1] ?? "tenant";
    return pacerFor(this.endpoint.origin, subscription, principalOfToken(token));
  }

  private async token(method: HttpMethod, url: URL): Promise<string> {
    try {
      return await this.tokens.getToken();
    } catch (cause) {
      throw tokenError(method, url, cause, this.authorityRoute());
    }
  }

  private async renewToken(method: HttpMethod, url: URL, rejected: string): Promise<void> {
    try {
      await this.tokens.renewAfterRejection(rejected);
    } catch (cause) {
      throw tokenError(method, url, cause, this.authorityRoute());
    }
  }

  /**
   * The proxy the token requests to the authority host take, for a token failure's message (undefined when none
   * applies): @azure/identity reads the same variables from `process.env` (proxy.ts). A proxy that refuses the
   * connection otherwise surfaces as MSAL's "endpoints_resolution_error", naming neither the proxy nor the host.
   */
  private authorityRoute(): string | undefined {
    try {
      const authority = new URL(this.authorityHost);
      const route = proxyFor(authority, proxySettingsFromEnv(process.env));
      return route === undefined
        ? undefined
        : `the authority ${authority.host} is reached through the proxy ${redactProxyUrl(route.url)} (from ` +
            `${route.variable}; NO_PROXY lists hosts reached directly)`;
    } catch {
      return undefined;
    }
  }
}

/** One signal that aborts when any of the given ones does; undefined when none is given. */
function anyOf(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/**
 * Whether `e` is the call's stop by a signal (an abort reason, an AbortError), not an answer or failure of its own
 * that came while a signal was aborted.
 */
function stoppedBySignal(e: unknown, call: CallContext): boolean {
  return call.signal?.aborted === true && !(e instanceof ArmError);
}

/** How far a cancelled call's write got (ArmError.writeState); undefined for a read. */
function writeStateOf(call: CallContext): "not-sent" | "sent" | "accepted" | undefined {
  if (call.write === undefined) return undefined;
  return call.write.acceptedStatus !== undefined ? "accepted" : call.write.sent ? "sent" : "not-sent";
}

/** Whole seconds from 10 s on, tenths below. */
function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** The request as `send` carries it: its body serialised once for every attempt. */
function outgoing(req: ArmRequest, url: URL): Outgoing {
  return {
    method: req.method,
    url,
    payload: req.body === undefined ? undefined : JSON.stringify(req.body),
    headers: req.headers,
    idempotent: req.idempotent,
  };
}

function tokenError(method: HttpMethod, url: URL, cause: unknown, route?: string): ArmError {
  return new ArmError({
    code: TransportErrorCodes.tokenAcquisitionFailed,
    message: `could not get an access token: ${errorMessage(cause)}${route === undefined ? "" : ` [${route}]`}`,
    method,
    path: url.pathname,
    cause,
  });
}

function withGiveUp(message: string, retries: number, reason: string): string {
  return retries > 0 ? `${message} [${reason}]` : message;
}

function networkErrorCode(cause: unknown): string {
  for (let e: unknown = cause, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
  }
  return TransportErrorCodes.networkError;
}

function errorMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The start of a non-ARM body (e.g. a gateway's HTML) for an error message, with anything token-like redacted. */
function snippet(rawBody: string): string {
  const text = rawBody
    .trim()
    .replace(/\s+/g, " ")
    .replace(/bearer\s+[^\s"',;]+/gi, "Bearer [redacted]")
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[redacted]");
  return text === "" ? "" : `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function nonNegative(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(`${name}: ${String(value)} is invalid; expected a finite number of milliseconds >= 0`);
  }
  return value;
}
