// The test controls as a programmatic EmulatorAdmin (admin-http.ts serves the same powers under
// /_emulator/). Every input is validated; a bad one throws AdminInputError naming the property, the
// value and what was expected, and changes nothing.
import { DEFAULT_OPERATION_FAILURE, type EmulatorCore } from "./core";
import { AdminInputError, validateFaultSpec, type ArmedFault, type FaultSpec } from "./faults";
import { UNASSIGNED_REMOVAL_MODES, type UnassignedRemoval } from "./identity";
import {
  mergeRateLimits,
  validateBucket,
  type BucketSpec,
  type RateLimitChanges,
  type RateLimitSpec,
} from "./rate-limits";
import type { RequestLogEntry } from "./request-log";
import { KEY_CASINGS, type KeyCasing } from "./resource-ids";
import type { StoreSnapshot } from "./store";
import type { ApplicationSpec } from "./applications";
import { DEFAULT_FEDERATION_AUDIENCE, ISSUER_PATH } from "./oidc-issuer";
import { MACHINE_IDENTITY_CLIENT_ID } from "./authority";

/** How the next operations fail. */
export interface OperationFailureSpec {
  /** How many scale-set operations started from now on end Failed (and are rolled back). */
  count: number;
  /** error.code of the failed operation (default InternalExecutionError). */
  code?: string;
  /** error.message (default "An internal execution error occurred. Please retry later."). */
  message?: string;
}

/** Test controls of a running emulator. Mirrored by the HTTP admin API under /_emulator/ (docs/emulator.md). */
export interface EmulatorAdmin {
  /** The request log, oldest first (ARM, token and discovery requests; never admin requests). */
  requests(): RequestLogEntry[];
  /** Empties the request log. */
  clearRequests(): void;
  /** Arms a fault for the next `count` matching requests; returns its id. */
  injectFault(spec: FaultSpec): number;
  /** Faults still armed, with their remaining counts. */
  faults(): ArmedFault[];
  /** Disarms every fault. */
  clearFaults(): void;
  /** How long operations started from now on stay InProgress, in ms (>= 0). */
  setOperationDuration(ms: number): void;
  /** Ends every running operation now (as if its time were up). */
  finishOperations(): void;
  /** Makes the next `count` scale-set operations end Failed, rolling their change back. */
  failNextOperations(spec: OperationFailureSpec): void;
  /**
   * `Retry-After` seconds sent on operation responses (>= 0); `null` sends none, as Compute does (the default).
   * Also the default of injected `throttle` faults.
   */
  setRetryAfter(seconds: number | null): void;
  /** How identity dictionary keys (and identityIds) are spelled in scale-set responses. */
  setKeyCasing(casing: KeyCasing): void;
  /** What `null` does for a user-assigned identity that is not assigned: `reject` (400, default) or `ignore`. */
  setUnassignedRemoval(mode: UnassignedRemoval): void;
  /** 403 LinkedAuthorizationFailed when `clientId` assigns or removes `identityId`. */
  denyAssign(clientId: string, identityId: string): void;
  /** 403 AuthorizationFailed when `clientId` writes (PUT/PATCH/DELETE) `scopeId` or anything below it. */
  denyWrite(clientId: string, scopeId: string): void;
  /**
   * Registers an application of the tenant (or adds credentials to one): client secrets, PEM certificates for
   * certificate assertions, federated credentials (issuer, subject, audiences).
   */
  registerApplication(spec: ApplicationSpec): void;
  /** The emulator's OIDC issuer URL (`<url>/_oidc`): name it as a federated credential's issuer. */
  oidcIssuerUrl(): string;
  /**
   * A GitHub-style request token for `subject`: with it, `GET <issuer>/token?audience=…` mints an OIDC token for that
   * subject (set it as ARM_OIDC_REQUEST_TOKEN / ACTIONS_ID_TOKEN_REQUEST_TOKEN).
   */
  oidcRequestToken(subject: string): string;
  /**
   * An OIDC token signed by the emulator's issuer. `audience` default `api://AzureADTokenExchange`; `lifetimeSeconds`
   * default 300; `issuedAt` (seconds since the epoch, default now) in the past makes an expired token.
   */
  mintOidcToken(spec: { subject: string; audience?: string; lifetimeSeconds?: number; issuedAt?: number }): string;
  /** Removes every denial. */
  resetPermissions(): void;
  /**
   * The App Service-style managed identity endpoint (`<url>/msi/token`) and the header value it requires: set them as
   * IDENTITY_ENDPOINT and IDENTITY_HEADER for @azure/identity's ManagedIdentityCredential (ARM_USE_MSI).
   */
  managedIdentityEndpoint(): { endpoint: string; header: string; clientId: string };
  /**
   * How long new principals stay unknown to role assignment writes without `principalType`, in ms (>= 0; default the
   * option principalReplicationDelayMs, 30000).
   */
  setReplicationDelay(ms: number): void;
  /**
   * The next `count` role assignment creations fail 400 PrincipalNotFound even with `principalType` (a replica that has
   * not seen the principal: pulumi/pulumi-azure-native#2816).
   */
  forcePrincipalNotFound(count: number): void;
  /** The budgets in force (ARM's subscription buckets, Compute's policies). */
  rateLimits(): RateLimitSpec;
  /**
   * Changes some budgets, merged over those in force (RateLimitChanges): a bucket given replaces its own, and
   * `computePolicies` is merged by name (`{ name, remove: true }` removes one, `[]` all). Every counter starts again
   * full. Throws, changing nothing, on an invalid change.
   */
  setRateLimits(spec: RateLimitChanges): void;
  /** The subscription write bucket alone (ARM: capacity 200, refill 10/s); `null` turns it off. */
  setWriteBucket(spec: BucketSpec | null): void;
  /** Every token issued so far becomes invalid: 401 InvalidAuthenticationToken. */
  revokeTokens(): void;
  /** Every token issued so far becomes expired: 401 ExpiredAuthenticationToken. */
  expireTokens(): void;
  /** A deep copy of the resources and operations. */
  state(): StoreSnapshot;
  /**
   * Empties resources (role assignments too), operations, request log, faults and permissions; restores default
   * switches (the replication delay too). Tokens stay valid.
   */
  reset(): void;
}

/** Creates the admin facade over an emulator core. */
export function createAdmin(core: EmulatorCore, baseUrl: () => string = () => ""): EmulatorAdmin {
  const settle = (): void => core.store.settleDue(Date.now());
  return {
    requests: () => core.log.list(),
    clearRequests: () => core.log.clear(),
    injectFault: (spec) => core.faults.inject(validateFaultSpec(spec)),
    faults: () => core.faults.list(),
    clearFaults: () => core.faults.clear(),
    setOperationDuration: (ms) => {
      core.opDurationMs = nonNegativeInteger("setOperationDuration.ms", ms);
    },
    finishOperations: () => core.store.finishAll(Date.now()),
    failNextOperations: (spec) => {
      core.failures = validateFailureSpec(spec);
    },
    setRetryAfter: (seconds) => {
      core.retryAfterSeconds = seconds === null ? undefined : nonNegativeInteger("setRetryAfter.seconds", seconds);
    },
    setKeyCasing: (casing) => {
      core.keyCasing = oneOf("setKeyCasing.casing", casing, KEY_CASINGS);
    },
    setUnassignedRemoval: (mode) => {
      core.unassignedRemoval = oneOf("setUnassignedRemoval.mode", mode, UNASSIGNED_REMOVAL_MODES);
    },
    denyAssign: (clientId, identityId) => core.permissions.denyAssign(clientId, identityId),
    denyWrite: (clientId, scopeId) => core.permissions.denyWrite(clientId, scopeId),
    resetPermissions: () => core.permissions.reset(),
    registerApplication: (spec) => {
      try {
        core.applications.register(spec);
      } catch (e) {
        throw new AdminInputError(`registerApplication: ${(e as Error).message}`);
      }
    },
    oidcIssuerUrl: () => `${baseUrl()}${ISSUER_PATH}`,
    managedIdentityEndpoint: () => ({
      endpoint: `${baseUrl()}/msi/token`,
      header: core.identityHeader,
      clientId: MACHINE_IDENTITY_CLIENT_ID,
    }),
    oidcRequestToken: (subject) => core.oidcIssuer.newRequestToken(nonEmpty("oidcRequestToken.subject", subject)),
    mintOidcToken: (spec) => {
      if (typeof spec !== "object" || spec === null) {
        throw new AdminInputError(
          `mintOidcToken: expected an object {subject, audience?, lifetimeSeconds?, issuedAt?}`,
        );
      }
      for (const key of ["lifetimeSeconds", "issuedAt"] as const) {
        if (spec[key] !== undefined && !Number.isInteger(spec[key])) {
          throw new AdminInputError(
            `mintOidcToken.${key}: expected an integer (seconds), got ${JSON.stringify(spec[key])}`,
          );
        }
      }
      return core.oidcIssuer.mint({
        issuer: `${baseUrl()}${ISSUER_PATH}`,
        subject: nonEmpty("mintOidcToken.subject", spec?.subject),
        audience: spec.audience ?? DEFAULT_FEDERATION_AUDIENCE,
        ...(spec.lifetimeSeconds !== undefined ? { lifetimeSeconds: spec.lifetimeSeconds } : {}),
        ...(spec.issuedAt !== undefined ? { issuedAt: spec.issuedAt } : {}),
      });
    },
    setReplicationDelay: (ms) => {
      core.directory.replicationDelayMs = nonNegativeInteger("setReplicationDelay.ms", ms);
    },
    forcePrincipalNotFound: (count) => {
      const value = nonNegativeInteger("forcePrincipalNotFound.count", count);
      core.directory.forcedNotFound = value;
    },
    rateLimits: () => core.rateLimits.current(),
    setRateLimits: (spec) => core.rateLimits.set(mergeRateLimits(core.rateLimits.current(), spec)),
    setWriteBucket: (spec) =>
      core.rateLimits.set({ ...core.rateLimits.current(), subscriptionWrites: validateBucket(spec, "writeBucket") }),
    revokeTokens: () => {
      core.tokens.revokeAll();
      core.store.onChange();
    },
    expireTokens: () => {
      core.tokens.expireAll(Date.now());
      core.store.onChange();
    },
    state: () => {
      settle();
      return core.store.snapshot();
    },
    reset: () => core.reset(),
  };
}

function validateFailureSpec(input: unknown): { remaining: number; code: string; message: string } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new AdminInputError(`failNextOperations: expected { count, code?, message? }, got ${JSON.stringify(input)}`);
  }
  const spec = input as Record<string, unknown>;
  const count = spec.count;
  if (!Number.isInteger(count) || (count as number) < 1) {
    throw new AdminInputError(`failNextOperations.count: expected an integer >= 1, got ${JSON.stringify(count)}`);
  }
  for (const name of ["code", "message"]) {
    if (spec[name] !== undefined && (typeof spec[name] !== "string" || spec[name] === "")) {
      throw new AdminInputError(
        `failNextOperations.${name}: expected a non-empty string, got ${JSON.stringify(spec[name])}`,
      );
    }
  }
  return {
    remaining: count as number,
    code: (spec.code as string | undefined) ?? DEFAULT_OPERATION_FAILURE.code,
    message: (spec.message as string | undefined) ?? DEFAULT_OPERATION_FAILURE.message,
  };
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new AdminInputError(`${name}: expected an integer >= 0, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new AdminInputError(
      `${name}: expected one of ${allowed.map((v) => `"${v}"`).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new AdminInputError(`${name}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}
