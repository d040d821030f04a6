/**
 * The one error type of the ARM transport, a {@link VmssIdentityError} (provider/errors.ts). Callers branch on `code`
 * and `statusCode`, never on message text. `instanceof ArmError` works across copies of the package (dynamic
 * providers run deserialised code in another process, where a second copy of this class exists); so does
 * {@link isArmError}.
 */
import { ErrorCodes, VmssIdentityError } from "../errors";

/** Codes the transport itself produces (ARM's own codes pass through unchanged). All are listed in docs/errors.md. */
export const TransportErrorCodes = {
  /** An `Azure-AsyncOperation` status or a `provisioningState` ended in `Failed` without an `error.code`. */
  operationFailed: ErrorCodes.operationFailed,
  /** An operation ended in `Canceled`/`Cancelled` without an `error.code`. */
  operationCanceled: ErrorCodes.operationCanceled,
  /** The operation did not reach a terminal status within `operationTimeoutMs`. */
  operationTimedOut: ErrorCodes.operationTimedOut,
  /** A 202 for DELETE/POST carried neither `Azure-AsyncOperation` nor `Location` (azcore: "response is missing polling URL"). */
  missingPollingUrl: ErrorCodes.missingPollingUrl,
  /** A polling URL points outside the ARM endpoint, where the bearer token must not go. */
  pollingUrlOutsideEndpoint: ErrorCodes.pollingUrlOutsideEndpoint,
  /** A 2xx response whose body is not JSON. */
  invalidResponseBody: ErrorCodes.invalidResponseBody,
  /** The credential could not produce a token. */
  tokenAcquisitionFailed: ErrorCodes.tokenAcquisitionFailed,
  /** The request was refused before sending: bad path, api-version, or endpoint. */
  invalidRequest: ErrorCodes.invalidRequest,
  /** An error response without `x-ms-error-code` or an ARM error body. */
  httpError: ErrorCodes.httpError,
  /** A network failure without a code of its own. */
  networkError: ErrorCodes.networkError,
  /** The proxy answered a CONNECT with something else than 200 (403 by policy, 407 without credentials, 502, …). */
  proxyTunnelFailed: ErrorCodes.proxyTunnelFailed,
  /** The caller's AbortSignal stopped the call. */
  requestAborted: ErrorCodes.requestAborted,
} as const;

/** What an {@link ArmError} is built from. */
export interface ArmErrorInit {
  code: string;
  message: string;
  method: string;
  /** Request path or URL; any query string or fragment is dropped before it is stored. */
  path: string;
  statusCode?: number;
  requestId?: string;
  correlationId?: string;
  retryable?: boolean;
  details?: unknown;
  /** How many attempts were made (1 = no retry). */
  attempts?: number;
  cause?: unknown;
  /** A cancelled call's write: `not-sent`, `sent` (not accepted), `accepted` (ARM took it; it may still run). */
  writeState?: "not-sent" | "sent" | "accepted";
}

/**
 * An ARM request or long-running operation that did not succeed.
 *
 * `message` reads `<code>: <ARM message> (<METHOD> <path>[, HTTP <status>][, request id <id>])`; it never contains
 * a query string, a token or a secret.
 */
export class ArmError extends VmssIdentityError {
  override readonly name = "ArmError" as const;
  /** `x-ms-correlation-request-id` of the failing response. */
  readonly correlationId?: string;
  /** HTTP method of the request. */
  readonly method: string;
  /** Path of the request, without query string. */
  readonly path: string;
  /** Whether the retry policy considered this failure transient (it may have given up after retries). */
  readonly retryable: boolean;
  /** ARM's `error.details` (or the operation's error object), as received. */
  readonly details?: unknown;
  /** Attempts made before this error was thrown (1 when the first attempt failed for good). */
  readonly attempts: number;
  /** ARM's message without the decoration added to `message`. */
  readonly armMessage: string;
  /**
   * Set when the context's cancellation stopped the call (client.ts `cancellation`): how far its write got.
   * `accepted`: ARM took the write and its operation may still complete.
   */
  readonly writeState?: "not-sent" | "sent" | "accepted";

  constructor(init: ArmErrorInit) {
    const path = stripQuery(init.path);
    // `code` is ARM's `error.code` (from `x-ms-error-code`, else the body), a network error code, or a
    // {@link TransportErrorCodes} value; `statusCode` is absent for network failures and failed operations.
    super(formatMessage(init.code, init.message, init.method, path, init.statusCode, init.requestId), {
      code: init.code,
      statusCode: init.statusCode,
      requestId: init.requestId,
      cause: init.cause,
    });
    this.correlationId = init.correlationId;
    this.method = init.method;
    this.path = path;
    this.retryable = init.retryable ?? false;
    this.details = init.details;
    this.attempts = init.attempts ?? 1;
    this.armMessage = init.message;
    this.writeState = init.writeState;
  }
}

/**
 * Whether `e` is an {@link ArmError} of any copy of the package: by its brand (`instanceof`), or by its stable `name`
 * and a string `code` (an error of a package version from before the brand).
 */
export function isArmError(e: unknown): e is ArmError {
  return (
    e instanceof ArmError ||
    (typeof e === "object" &&
      e !== null &&
      (e as { name?: unknown }).name === "ArmError" &&
      typeof (e as { code?: unknown }).code === "string")
  );
}

/**
 * ARM's codes for "this resource, or the resource group that held it, does not exist". A 404 with another code
 * (`SubscriptionNotFound` when the tenant or cloud is wrong, a 404 from something that is not ARM) says nothing about
 * the resource, so it must never be read as "deleted".
 */
export const RESOURCE_GONE_CODES: readonly string[] = ["ResourceNotFound", "ResourceGroupNotFound"];

/** Whether `e` (or the error it wraps, through `cause`) is ARM saying the resource no longer exists. */
export function isResourceGone(e: unknown): boolean {
  for (let current = e, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (isArmError(current)) return current.statusCode === 404 && RESOURCE_GONE_CODES.includes(current.code);
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The `{ code, message, details }` of an ARM error body, `{"error":{...}}` or bare (ARM RPC common-api-details). */
export interface ArmErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
}

/**
 * Extracts ARM's error object from a parsed response body. ARM wraps it in `error`
 * (docs/arm-behavior.md, "Errors"); some services answer with the bare object.
 */
export function readArmErrorBody(body: unknown): ArmErrorBody {
  if (typeof body !== "object" || body === null) return {};
  const wrapped = (body as { error?: unknown }).error;
  const source = typeof wrapped === "object" && wrapped !== null ? wrapped : body;
  const { code, message, details } = source as { code?: unknown; message?: unknown; details?: unknown };
  return {
    code: typeof code === "string" && code !== "" ? code : undefined,
    message: typeof message === "string" ? message : undefined,
    details,
  };
}

function formatMessage(
  code: string,
  message: string,
  method: string,
  path: string,
  statusCode: number | undefined,
  requestId: string | undefined,
): string {
  const where = [`${method} ${path}`];
  if (statusCode !== undefined) where.push(`HTTP ${statusCode}`);
  if (requestId) where.push(`request id ${requestId}`);
  return `${code}: ${message} (${where.join(", ")})`;
}

function stripQuery(pathOrUrl: string): string {
  const cut = pathOrUrl.search(/[?#]/);
  return cut === -1 ? pathOrUrl : pathOrUrl.slice(0, cut);
}
