// Options of startEmulator, their defaults and their validation: a bad option is refused with a
// TypeError naming the option, the value and what was expected (never the client secret itself).
import type { ApplicationSpec } from "./applications";
import type { EmulatorConfig } from "./core";
import { AdminInputError } from "./faults";
import { DEFAULT_REPLICATION_DELAY_MS } from "./principals";
import { ARM_RATE_LIMITS, mergeRateLimits, type RateLimitChanges, type RateLimitSpec } from "./rate-limits";
import { isGuid } from "./resource-ids";

/** Options of `startEmulator`. Every property is optional. */
export interface EmulatorOptions {
  /** TCP port; default 0 (any free port). */
  port?: number;
  /** Interface to listen on; default "127.0.0.1". */
  host?: string;
  /**
   * https with a certificate for 127.0.0.1, ::1 and localhost. `true`: a throw-away CA made at start.
   * `{ caDir }`: the CA in that directory, created once (ensureCa) and reused; a fresh leaf at each start.
   * Default false (http).
   */
  tls?: boolean | { caDir: string };
  /** Persist resources, operations and token state in this file across restarts (written atomically). */
  stateFile?: string;
  /**
   * How long a long-running operation stays InProgress, in ms; default 5000 (real identity operations take 5–40 s,
   * docs/arm-behavior.md "Long-running operations"). Tests that need faster operations name this option.
   */
  opDurationMs?: number;
  /**
   * `Retry-After` seconds on Compute PUT/PATCH/DELETE responses, operation polls and resource group operations.
   * Default: none, as Compute sends none (docs/arm-behavior.md); a client then polls at its own pace. Tests that want
   * a client to poll at a fixed pace name this option.
   */
  retryAfterSeconds?: number;
  /**
   * ARM's subscription buckets and Compute's policies, merged over ARM's sizes (ARM_RATE_LIMITS; RateLimitChanges):
   * e.g. `{ computePolicies: [] }` turns Compute's off, `{ computePolicies: [{ name: "GetVMScaleSet3Min", remove: true }] }`
   * one of them, `{ subscriptionReads: null }` the read bucket. Default ARM's.
   */
  rateLimits?: RateLimitChanges;
  /** The configured service principal's application ID; default EMULATOR_DEFAULTS.clientId. */
  clientId?: string;
  /** Its secret; default EMULATOR_DEFAULTS.clientSecret. Never logged. */
  clientSecret?: string;
  /**
   * More applications (service principals) of the tenant, each with client secrets, certificates (PEM) whose keys sign
   * client assertions, and federated credentials (issuer, subject, audiences). The configured clientId is always one.
   */
  applications?: ApplicationSpec[];
  /** The tenant; default EMULATOR_DEFAULTS.tenantId. */
  tenantId?: string;
  /**
   * The tenant's default domain, which authority paths accept in place of its ID, as Entra ID does
   * (`/<domain>/oauth2/v2.0/token`); default EMULATOR_DEFAULTS.tenantDomain.
   */
  tenantDomain?: string;
  /** Subscription listed by GET /subscriptions (any GUID works in paths); default EMULATOR_DEFAULTS.subscriptionId. */
  subscriptionId?: string;
  /** Lifetime of issued tokens, in seconds; default 3600. */
  tokenLifetimeSeconds?: number;
  /**
   * How long a new principal (a system-assigned identity turned on, a user-assigned identity created) stays unknown to
   * role assignment writes that give no `principalType`, in ms; default 30000 (DEFAULT_REPLICATION_DELAY_MS:
   * docs/arm-behavior.md "Role assignments"). Tests that need no delay name this option.
   */
  principalReplicationDelayMs?: number;
  /** Receives one line per request (method, path, api-version, status, ms, client); never tokens or bodies. */
  log?: (line: string) => void;
}

/** Identity of the emulator when options do not say otherwise (fixed, so docs and demos can rely on them). */
export const EMULATOR_DEFAULTS = {
  tenantId: "11111111-1111-4111-8111-111111111111",
  tenantDomain: "emulator.onmicrosoft.com",
  clientId: "22222222-2222-4222-8222-222222222222",
  clientSecret: "emulator-client-secret",
  subscriptionId: "33333333-3333-4333-8333-333333333333",
  host: "127.0.0.1",
  opDurationMs: 5000,
  tokenLifetimeSeconds: 3600,
} as const;

/** Configuration of the emulator core from the options, defaults applied. @throws TypeError for a bad option. */
export function resolveConfig(options: EmulatorOptions): EmulatorConfig {
  const subscriptionId = stringOption("subscriptionId", options.subscriptionId, EMULATOR_DEFAULTS.subscriptionId);
  if (!isGuid(subscriptionId)) {
    throw new TypeError(`startEmulator: option subscriptionId must be a GUID, got ${JSON.stringify(subscriptionId)}`);
  }
  const tenantId = stringOption("tenantId", options.tenantId, EMULATOR_DEFAULTS.tenantId);
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) {
    throw new TypeError(
      `startEmulator: option tenantId must be a GUID or a domain name, got ${JSON.stringify(tenantId)}`,
    );
  }
  const tenantDomain = stringOption("tenantDomain", options.tenantDomain, EMULATOR_DEFAULTS.tenantDomain);
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(tenantDomain) || tenantDomain.toLowerCase() === "adfs") {
    throw new TypeError(
      `startEmulator: option tenantDomain must be a domain name such as "contoso.onmicrosoft.com", got ${JSON.stringify(tenantDomain)}`,
    );
  }
  return {
    tenantId,
    tenantDomain,
    clientId: stringOption("clientId", options.clientId, EMULATOR_DEFAULTS.clientId),
    clientSecret: secretOption(options.clientSecret),
    ...(options.applications !== undefined ? { applications: applicationsOption(options.applications) } : {}),
    subscriptionId: subscriptionId.toLowerCase(),
    tokenLifetimeSeconds: integerOption(
      "tokenLifetimeSeconds",
      options.tokenLifetimeSeconds,
      EMULATOR_DEFAULTS.tokenLifetimeSeconds,
      1,
      86_400 * 365,
    ),
    opDurationMs: integerOption("opDurationMs", options.opDurationMs, EMULATOR_DEFAULTS.opDurationMs, 0, 86_400_000),
    retryAfterSeconds:
      options.retryAfterSeconds === undefined
        ? undefined
        : integerOption("retryAfterSeconds", options.retryAfterSeconds, 0, 0, 3600),
    rateLimits: rateLimitsOption(options.rateLimits),
    replicationDelayMs: integerOption(
      "principalReplicationDelayMs",
      options.principalReplicationDelayMs,
      DEFAULT_REPLICATION_DELAY_MS,
      0,
      86_400_000,
    ),
  };
}

function rateLimitsOption(value: unknown): RateLimitSpec {
  if (value === undefined) return mergeRateLimits(ARM_RATE_LIMITS, {});
  try {
    return mergeRateLimits(ARM_RATE_LIMITS, value, "rateLimits");
  } catch (error) {
    if (error instanceof AdminInputError) throw new TypeError(`startEmulator: option ${error.message}`);
    throw error;
  }
}

/** A non-empty string option, or its fallback. @throws TypeError */
export function stringOption(name: string, value: unknown, fallback: string | undefined): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`startEmulator: option ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

// The secret itself never appears in an error: only what is wrong with it.
function secretOption(value: unknown): string {
  if (value === undefined) return EMULATOR_DEFAULTS.clientSecret;
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `startEmulator: option clientSecret must be a non-empty string (got ${typeof value === "string" ? "an empty string" : typeof value})`,
    );
  }
  return value;
}

/** An integer option within [min, max], or its fallback. @throws TypeError */
export function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TypeError(
      `startEmulator: option ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

function applicationsOption(value: unknown): ApplicationSpec[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`startEmulator: option applications must be an array of applications, got ${typeof value}`);
  }
  return value as ApplicationSpec[];
}
