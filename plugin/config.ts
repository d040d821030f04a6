/**
 * The provider configuration of the `vmss-identity` plugin (`vmss-identity:environment`, `vmss-identity:endpoint`):
 * validation for `CheckConfig`, comparison for `DiffConfig`, and which cloud a resource talks to. Pure.
 *
 * Credentials are not configuration: they come from the environment of the process, as for the dynamic resource
 * (docs/transport.md), so the configuration holds nothing secret and nothing secret reaches the provider's state.
 */
import {
  CLOUD_NAME_EXPECTED,
  canonicalEndpoint,
  cloudNameOf,
  describeValue,
  parseEndpoint,
  quote,
  redactUrl,
} from "../provider/identity";

/** The provider's settings, canonical. Both absent: the environment variables decide (docs/transport.md). */
export interface ProviderConfig {
  environment?: string;
  endpoint?: string;
}

/** One invalid setting, as `CheckConfig` reports it. */
export interface ConfigFailure {
  property: string;
  reason: string;
}

/** Keys the engine itself puts in a provider's inputs; they are not settings of ours. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL", "pluginChecksums", "parameterization", "name"]);
const SETTINGS = ["environment", "endpoint"];

/**
 * Validates provider inputs: `environment` one of `public`, `usgovernment`, `china` (any casing, returned
 * lower-case); `endpoint` an https URL or http on loopback (canonical spelling); not both; no other setting (a
 * misspelt key must not silently fall back to the public cloud). Engine keys such as `version` pass through.
 */
export function checkProviderConfig(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: ConfigFailure[];
} {
  const inputs: Record<string, unknown> = { ...news };
  const failures: ConfigFailure[] = [];
  for (const key of Object.keys(news)) {
    if (!SETTINGS.includes(key) && !ENGINE_KEYS.has(key) && !key.startsWith("__")) {
      failures.push({
        property: key,
        reason: `unknown setting vmss-identity:${key}; expected one of vmss-identity:environment, vmss-identity:endpoint`,
      });
    }
  }
  const { environment, endpoint } = news;
  if (environment !== undefined && environment !== null && environment !== "") {
    // The same names as the resources' `environment` and AZURE_ENVIRONMENT (provider/grammar/cloud.ts).
    const name = cloudNameOf(environment);
    if (name !== undefined) inputs.environment = name;
    else
      failures.push({
        property: "environment",
        reason: `expected ${CLOUD_NAME_EXPECTED}, got ${describeValue(environment)}`,
      });
  } else delete inputs.environment;
  if (endpoint !== undefined && endpoint !== null && endpoint !== "") {
    try {
      if (typeof endpoint !== "string") throw new Error(`expected a URL, got ${describeValue(endpoint)}`);
      inputs.endpoint = parseEndpoint(endpoint);
      if (typeof inputs.environment === "string") {
        failures.push({
          property: "endpoint",
          reason:
            `both environment ${quote(inputs.environment)} and endpoint ${quote(redactUrl(endpoint))} are set; ` +
            `set one of them`,
        });
      }
    } catch (e) {
      failures.push({ property: "endpoint", reason: (e as Error).message });
    }
  } else delete inputs.endpoint;
  return { inputs, failures };
}

/**
 * Whether the settings changed. Never a replacement: a provider replaced would replace every resource it manages,
 * while a resource only needs the new endpoint for its next call (as a resource's own `endpoint` change is an update).
 */
export function diffProviderConfig(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const changed: string[] = [];
  const env = (v: unknown) => (typeof v === "string" && v !== "" ? v.toLowerCase() : undefined);
  const end = (v: unknown) => (v === "" ? undefined : canonicalEndpoint(v));
  if (env(olds.environment) !== env(news.environment)) changed.push("environment");
  if (end(olds.endpoint) !== end(news.endpoint)) changed.push("endpoint");
  return changed;
}

/** The settings of a checked configuration (strings only; anything else is absent). */
export function providerConfigOf(inputs: Record<string, unknown>): ProviderConfig {
  const config: ProviderConfig = {};
  if (typeof inputs.environment === "string" && inputs.environment !== "") config.environment = inputs.environment;
  if (typeof inputs.endpoint === "string" && inputs.endpoint !== "") config.endpoint = inputs.endpoint;
  return config;
}

/**
 * Where a resource's requests go: its own `environment`/`endpoint` when it sets either, else the provider's.
 * The pair is taken as a whole, so a resource's `environment` is never combined with the provider's `endpoint`.
 */
export function cloudTarget(props: Record<string, unknown>, config: ProviderConfig): ProviderConfig {
  const own = providerConfigOf(props);
  return own.environment !== undefined || own.endpoint !== undefined ? own : config;
}
