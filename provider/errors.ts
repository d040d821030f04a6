/**
 * The package's one error hierarchy. Every failure this package raises is a {@link VmssIdentityError}: callers branch
 * on `code` (and `statusCode` for ARM's answers), never on message text. Every code is listed in docs/errors.md.
 *
 * `instanceof` works across copies of the package (a dynamic provider runs a second copy, deserialised in the
 * provider process; an application may bundle two versions): each class answers `instanceof` by a brand that
 * `Symbol.for` makes the same in every copy, as undici's `lib/core/errors.js` does. No Pulumi, no I/O here.
 */

const BRAND_PREFIX = "pulumi-vmss-identity.error.";

/** The brand symbol of a class, the same in every copy of the package. */
function brandOf(className: string): symbol {
  return Symbol.for(BRAND_PREFIX + className);
}

/**
 * The codes this package itself gives its errors. ARM's own codes (`ResourceNotFound`, `Conflict`,
 * `LinkedAuthorizationFailed`, …) pass through unchanged on errors that ARM caused.
 */
export const ErrorCodes = {
  /** An input (or configuration value) failed validation: the message names the property, the value, what is expected. */
  invalidInput: "InvalidInput",
  /** An ARM resource ID does not match the expected grammar. */
  invalidArmId: "InvalidArmId",
  /** An api-version is malformed, too old for identities, or not served by the resource type. */
  invalidApiVersion: "InvalidApiVersion",
  /** An ARM endpoint is not https (or http to loopback), or carries credentials, a query or a fragment. */
  invalidEndpoint: "InvalidEndpoint",
  /** An identity `type` string is none of ARM's four types. */
  invalidIdentityType: "InvalidIdentityType",
  /** A cloud name (`environment`, `AZURE_ENVIRONMENT`, `ARM_ENVIRONMENT`) is not one this package knows. */
  unknownCloud: "UnknownCloud",
  /** ARM returned a scale set `identity` whose shape is not one ARM documents; nothing was written. */
  unexpectedIdentityShape: "UnexpectedIdentityShape",
  /** `ScaleSet` found a scale set with its ID already there and will not take it over. */
  scaleSetExists: "ScaleSetExists",
  /** A failure that is none of the above (a bug, or a response nothing here expects); the cause is attached. */
  unexpected: "Unexpected",
  /** An `Azure-AsyncOperation` status or a `provisioningState` ended in `Failed` without an `error.code`. */
  operationFailed: "OperationFailed",
  /** An operation ended in `Canceled`/`Cancelled` without an `error.code`. */
  operationCanceled: "OperationCanceled",
  /** The operation did not reach a terminal status within `operationTimeoutMs`. */
  operationTimedOut: "OperationTimedOut",
  /** A 202 for DELETE/POST carried neither `Azure-AsyncOperation` nor `Location`. */
  missingPollingUrl: "MissingPollingUrl",
  /** A polling URL points outside the ARM endpoint, where the bearer token must not go. */
  pollingUrlOutsideEndpoint: "PollingUrlOutsideEndpoint",
  /** A 2xx response whose body is not JSON. */
  invalidResponseBody: "InvalidResponseBody",
  /** The credential could not produce a token. */
  tokenAcquisitionFailed: "TokenAcquisitionFailed",
  /** The request was refused before sending: bad path, api-version, or endpoint. */
  invalidRequest: "InvalidRequest",
  /** An error response without `x-ms-error-code` or an ARM error body. */
  httpError: "HttpError",
  /** A network failure without a code of its own. */
  networkError: "NetworkError",
  /** The proxy (`HTTPS_PROXY` & co.) answered a CONNECT with something else than 200: 403, 407, 502, … */
  proxyTunnelFailed: "ProxyTunnelFailed",
  /** The caller's AbortSignal stopped an ARM call. */
  requestAborted: "RequestAborted",
} as const;

/** One of the package's own error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What a {@link VmssIdentityError} carries besides its message. */
export interface VmssIdentityErrorInit {
  /** A {@link ErrorCodes} value, or ARM's `error.code` for a failure ARM reported. */
  code: string;
  /** HTTP status of the ARM response that failed, when there was one. */
  statusCode?: number;
  /** `x-ms-request-id` of the ARM response that failed, when there was one. */
  requestId?: string;
  /** What the package was doing, e.g. `assigning identities to`. */
  operation?: string;
  /** The ARM ID the operation was about. */
  resourceId?: string;
  /** The error this one wraps. */
  cause?: unknown;
}

/**
 * A failure of pulumi-vmss-identity. Subclasses: {@link InvalidInputError} (and the grammar errors:
 * `InvalidArmIdError`, `InvalidApiVersionError`, `InvalidEndpointError`, `InvalidIdentityTypeError`,
 * `UnknownCloudError`), `IdentityShapeError` (the identity algebra), `ArmError` (the transport).
 */
export class VmssIdentityError extends Error {
  override readonly name: string = "VmssIdentityError";
  /** A {@link ErrorCodes} value, or ARM's own `error.code`. */
  readonly code: string;
  /** HTTP status of the ARM response that failed, when there was one. */
  readonly statusCode?: number;
  /** `x-ms-request-id` of the ARM response that failed, when there was one. */
  readonly requestId?: string;
  /** What the package was doing, e.g. `assigning identities to`. */
  readonly operation?: string;
  /** The ARM ID the operation was about. */
  readonly resourceId?: string;

  constructor(message: string, init: VmssIdentityErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    if (init.statusCode !== undefined) this.statusCode = init.statusCode;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.operation !== undefined) this.operation = init.operation;
    if (init.resourceId !== undefined) this.resourceId = init.resourceId;
    // Brand this object with every class of its chain, so that `instanceof` of each works in any copy.
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      Object.defineProperty(this, brandOf((c as { name: string }).name), { value: true, enumerable: false });
    }
  }

  /** `instanceof` by brand: true for an error of this class made by any copy of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brandOf(this.name)] === true
    );
  }
}

/** An input or configuration value that failed validation; `property` names it. */
export class InvalidInputError extends VmssIdentityError {
  override readonly name: string = "InvalidInputError";
  /** The property, variable or argument whose value was refused. */
  readonly property?: string;

  constructor(message: string, init: Partial<VmssIdentityErrorInit> & { property?: string } = {}) {
    super(message, { ...init, code: init.code ?? ErrorCodes.invalidInput });
    if (init.property !== undefined) this.property = init.property;
  }
}

/** Whether `e` is a {@link VmssIdentityError} of any copy of the package. */
export function isVmssIdentityError(e: unknown): e is VmssIdentityError {
  return e instanceof VmssIdentityError;
}
