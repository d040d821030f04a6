/**
 * The provider configuration of the `vmss-identity` plugin: where resources go (`vmss-identity:environment`,
 * `vmss-identity:endpoint`) and which principal they sign in as (`vmss-identity:clientId`, `:tenantId`,
 * `:clientSecret`, `:clientCertificatePath`, `:useOidc`, …, named as Pulumi's azure-native provider names them).
 * Validation for `CheckConfig`, comparison for `DiffConfig`, and the settings a resource's requests use. Parsing,
 * precedence and messages belong to provider/grammar/settings.ts; this file only maps configuration keys onto it.
 * Pure.
 *
 * Secret settings (`clientSecret`, `clientCertificatePassword`, `oidcToken`, `oidcRequestToken`) are returned by
 * `CheckConfig` as secrets whatever the engine sent, so the provider's inputs never hold them in clear in the state.
 */
import {
  CREDENTIAL_SETTINGS,
  CREDENTIAL_SETTING_NAMES,
  SECRET_CREDENTIAL_SETTINGS,
  type CredentialSettings,
  type SettingFailure,
  type TargetSettings,
  checkCredentialSettings,
  checkTargetSettings,
  effectiveTarget,
  explicitCredentialProblem,
  hasCredentialSettings,
  sameTargetValue,
  targetOf,
} from "../provider/grammar/settings";

/** The provider's settings, checked. Absent ones: the environment variables decide (docs/transport.md). */
export interface ProviderConfig extends TargetSettings {
  /** Explicit credentials; when any is set, the environment's credential variables are not read. */
  credentials?: CredentialSettings;
}

/** One invalid setting, as `CheckConfig` reports it; `property` is empty for an unknown key (named in `reason`). */
export type ConfigFailure = SettingFailure;

/** Keys the engine itself puts in a provider's inputs; they are not settings of ours. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL", "pluginChecksums", "parameterization", "name"]);

/** Every configuration key of the provider, in documentation order. */
export const CONFIG_KEYS: readonly string[] = ["environment", "endpoint", ...CREDENTIAL_SETTING_NAMES];

/** The configuration keys whose values are secret. */
export const SECRET_CONFIG_KEYS: readonly string[] = SECRET_CREDENTIAL_SETTINGS;

/**
 * Validates provider inputs: `environment` a cloud name (any casing, returned canonical), `endpoint` an https URL or
 * http on loopback (canonical spelling), not both; the credential settings as provider/grammar/settings.ts parses them
 * (booleans also as "true"/"false", as stack configuration gives them); no other setting (a misspelt key must not
 * silently fall back to the public cloud or to another principal). Engine keys such as `version` pass through.
 */
export function checkProviderConfig(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: ConfigFailure[];
} {
  const inputs: Record<string, unknown> = { ...news };
  const failures: ConfigFailure[] = [];
  const credentialValues: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(news)) {
    if (key in CREDENTIAL_SETTINGS) credentialValues[key] = value;
    else if (!CONFIG_KEYS.includes(key) && !ENGINE_KEYS.has(key) && !key.startsWith("__")) {
      // Not tied to the property: the engine prints the value of a failure's property, and a misspelt key's value
      // (`client_secret` set without --secret) may be a secret. Nor is the value kept in the inputs.
      delete inputs[key];
      failures.push({
        property: "",
        reason: `unknown setting vmss-identity:${key}; expected one of ${CONFIG_KEYS.map((k) => `vmss-identity:${k}`).join(", ")}`,
      });
    }
  }
  const target = checkTargetSettings({ environment: news.environment, endpoint: news.endpoint });
  failures.push(...target.failures);
  delete inputs.environment;
  delete inputs.endpoint;
  if (target.settings.environment !== undefined) inputs.environment = target.settings.environment;
  if (target.settings.endpoint !== undefined) inputs.endpoint = target.settings.endpoint;
  else if (target.failures.some((f) => f.property === "endpoint")) inputs.endpoint = news.endpoint;
  const credentials = checkCredentialSettings(credentialValues);
  failures.push(...credentials.failures);
  // Explicit settings never read the environment's credential variables: an incomplete principal fails here, not at up.
  // (A setting unknown at preview comes as the engine's unknown sentinel string: present, so never reported missing.)
  const incomplete =
    credentials.failures.length === 0 ? explicitCredentialProblem(credentials.settings, "vmss-identity:") : undefined;
  if (incomplete !== undefined) {
    failures.push({ property: incomplete.property.replace(/^vmss-identity:/, ""), reason: incomplete.reason });
  }
  for (const name of CREDENTIAL_SETTING_NAMES) {
    const value = credentials.settings[name];
    if (value !== undefined) inputs[name] = value;
    else if (credentials.failures.every((f) => f.property !== name)) delete inputs[name];
  }
  return { inputs, failures };
}

/**
 * Which settings changed. Never a replacement: a provider replaced would replace every resource it manages, while a
 * resource only needs the new endpoint or principal for its next call (as a resource's own `endpoint` change is an
 * update). Secret values are compared, never shown.
 */
export function diffProviderConfig(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const changed: string[] = [];
  if (!sameTargetValue("environment", olds.environment, news.environment)) changed.push("environment");
  if (!sameTargetValue("endpoint", olds.endpoint, news.endpoint)) changed.push("endpoint");
  const before = checkCredentialSettings(pick(olds, CREDENTIAL_SETTING_NAMES)).settings;
  const after = checkCredentialSettings(pick(news, CREDENTIAL_SETTING_NAMES)).settings;
  for (const name of CREDENTIAL_SETTING_NAMES) if (before[name] !== after[name]) changed.push(name);
  return changed;
}

/** The settings of a checked configuration (values that are not of their kind count as absent). */
export function providerConfigOf(inputs: Record<string, unknown>): ProviderConfig {
  const config: ProviderConfig = { ...targetOf(inputs) };
  const credentials = checkCredentialSettings(pick(inputs, CREDENTIAL_SETTING_NAMES)).settings;
  if (hasCredentialSettings(credentials)) config.credentials = credentials;
  return config;
}

/**
 * Where a resource's requests go and as whom: its own `environment`/`endpoint` pair when it sets either, else the
 * provider's (taken whole, never mixed); always the provider's principal.
 */
export function cloudTarget(props: Record<string, unknown>, config: ProviderConfig): ProviderConfig {
  const target: ProviderConfig = { ...effectiveTarget(targetOf(props), targetOf(config)) };
  if (config.credentials !== undefined) target.credentials = config.credentials;
  return target;
}

function pick(values: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (values[key] !== undefined) out[key] = values[key];
  return out;
}
