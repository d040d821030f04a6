// The emulator's mutable world: configuration, resources, tokens and the switches tests turn.
// Handlers receive it; the HTTP server and the admin API are the only things that hold it.
import { createHash, randomBytes } from "node:crypto";
import { FaultInjector } from "./faults";
import type { UnassignedRemoval } from "./identity";
import { Permissions } from "./permissions";
import { Directory } from "./principals";
import { RateLimits, type RateLimitSpec } from "./rate-limits";
import { RequestLog } from "./request-log";
import type { KeyCasing } from "./resource-ids";
import { Store } from "./store";
import { TokenService } from "./tokens";
import { Applications, type ApplicationSpec } from "./applications";
import { OidcIssuer } from "./oidc-issuer";

/** Fixed configuration of one emulator. */
export interface EmulatorConfig {
  tenantId: string;
  /** The tenant's default domain (an alias of tenantId in authority paths). */
  tenantDomain: string;
  clientId: string;
  clientSecret: string;
  /** More applications of the tenant (the configured client is always one). */
  applications?: ApplicationSpec[];
  subscriptionId: string;
  /** Lifetime of issued tokens, seconds. */
  tokenLifetimeSeconds: number;
  /** Initial operation duration, ms (admin setOperationDuration changes it; reset restores it). */
  opDurationMs: number;
  /** Retry-After seconds on operation responses; undefined: none, as Compute (docs/arm-behavior.md). */
  retryAfterSeconds: number | undefined;
  /** Budgets at start (admin setRateLimits changes them; reset restores them). */
  rateLimits: RateLimitSpec;
  /** Initial replication delay of new principals, ms (admin setReplicationDelay changes it; reset restores it). */
  replicationDelayMs: number;
}

/** How operations started from now on end (admin failNextOperations). */
export interface PendingFailures {
  remaining: number;
  code: string;
  message: string;
}

/**
 * Compute's usual error for an operation that failed inside the service (inferred; the emulator's
 * default when a test asks for failed operations without naming a code).
 */
export const DEFAULT_OPERATION_FAILURE = {
  code: "InternalExecutionError",
  message: "An internal execution error occurred. Please retry later.",
};

/** Everything the handlers read and change. */
export class EmulatorCore {
  readonly store = new Store();
  readonly faults = new FaultInjector();
  readonly log = new RequestLog();
  readonly rateLimits: RateLimits;
  readonly permissions = new Permissions();
  /** The tenant's applications and their credentials (secrets, certificates, federated credentials). */
  readonly applications: Applications;
  /** The OIDC issuer the tenant trusts for federated credentials (served under /_oidc). */
  readonly oidcIssuer = new OidcIssuer();
  /** The secret an App Service-style managed identity request must carry (IDENTITY_HEADER; authority.ts). */
  readonly identityHeader = randomBytes(16).toString("hex");
  /** Principals' creation times, the replication delay and forced PrincipalNotFound (principals.ts). */
  readonly directory: Directory;
  tokens = new TokenService();
  opDurationMs: number;
  retryAfterSeconds: number | undefined;
  keyCasing: KeyCasing = "canonical";
  unassignedRemoval: UnassignedRemoval = "reject";
  failures: PendingFailures | undefined;
  /**
   * Runs `send` once the changes made so far are durable (with --state: written to the state file; else at once).
   * `saved` is false when the state file could not be written.
   */
  afterPersist: (send: (saved: boolean) => void) => void = (send) => send(true);

  constructor(readonly config: EmulatorConfig) {
    this.opDurationMs = config.opDurationMs;
    this.retryAfterSeconds = config.retryAfterSeconds;
    this.rateLimits = new RateLimits(config.rateLimits);
    this.applications = new Applications({ clientId: config.clientId, clientSecret: config.clientSecret });
    for (const app of config.applications ?? []) this.applications.register(app);
    this.directory = new Directory(config.replicationDelayMs);
  }

  /**
   * Object ID of a client's service principal: stable per tenant and client, so messages and token
   * claims name the same principal across restarts.
   */
  objectIdOf(clientId: string): string {
    const hex = createHash("sha256")
      .update(`${this.config.tenantId.toLowerCase()}/${clientId.toLowerCase()}`)
      .digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** The `Retry-After` header of an operation response: none unless a test asked for one (retryAfterSeconds). */
  retryAfterHeader(): Record<string, string> {
    return this.retryAfterSeconds === undefined ? {} : { "retry-after": String(this.retryAfterSeconds) };
  }

  /** The failure the next operation must end with, if any (consumes one). */
  takeOperationFailure(): { code: string; message: string } | undefined {
    if (this.failures === undefined) return undefined;
    const { code, message } = this.failures;
    this.failures.remaining -= 1;
    if (this.failures.remaining <= 0) this.failures = undefined;
    return { code, message };
  }

  /** Back to an empty world with default switches; tokens stay valid. */
  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.log.clear();
    this.permissions.reset();
    this.directory.reset(this.config.replicationDelayMs);
    this.rateLimits.set(this.config.rateLimits);
    this.opDurationMs = this.config.opDurationMs;
    this.retryAfterSeconds = this.config.retryAfterSeconds;
    this.keyCasing = "canonical";
    this.unassignedRemoval = "reject";
    this.failures = undefined;
  }
}
