/**
 * The one owner of the connection settings: which cloud or endpoint a resource talks to (`environment`, `endpoint`)
 * and which principal it signs in as (`clientId`, `clientSecret`, `useOidc`, …), from the three places they come from:
 * a resource's inputs (`VmssManagedIdentity`, `ArmResource`, `ScaleSet`, and the dynamic door's `credentials`
 * argument), the plugin's provider configuration (`vmss-identity:*`), and the environment variables Pulumi's Azure
 * providers and Terraform's azurerm read (`ARM_*`, then the `AZURE_*` names @azure/identity reads). Parsing,
 * precedence and messages live here; cloud names (cloud.ts) and URLs (endpoint.ts) are the primitives it uses.
 * Nothing else parses an environment name or an endpoint. Pure: no I/O (a file path is checked for shape, not read).
 *
 * One rule for every source (docs/transport.md, "Settings"):
 * - `undefined` and `null` are absent; in an environment variable an empty (or blank) value is absent too, as shells
 *   leave it; in an input or configuration an empty string is refused (it is a mistake more often than a wish).
 * - Explicit values (inputs, configuration) win over environment variables; `ARM_*` over `AZURE_*`.
 * - `environment` and `endpoint` together are refused in one source; a resource's pair wins over its provider's as a
 *   whole (never a resource's `environment` with a provider's `endpoint`).
 * - Explicit credentials are complete on their own: once an input or configuration names any credential setting, no
 *   credential variable of the environment is read (so a second principal never borrows the first one's secret),
 *   except GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_TOKEN`/`_URL`, which belong to the runner, not to a principal.
 * - Messages name the property or variable, the value (never a secret's) and what was expected.
 */
import { ErrorCodes, InvalidInputError } from "../errors";
import { CLOUD_NAME_EXPECTED, type CloudName, UnknownCloudError, cloudNameOf } from "./cloud";
import { describeValue, quote } from "./describeValue";
import { ENDPOINT_EXPECTED, bearerUrlProblem, parseEndpoint, redactUrl } from "./endpoint";

/** One refused setting: the property (or variable) and why, as `check` and `CheckConfig` report it. */
export interface SettingFailure {
  property: string;
  reason: string;
}

/** Where requests go. Both absent: the environment variables decide ({@link targetFromEnvironment}). */
export interface TargetSettings {
  /** Canonical cloud name. */
  environment?: CloudName;
  /** Canonical ARM endpoint (endpoint.ts). */
  endpoint?: string;
}

/** The result of parsing one setting. */
export type Parsed<T> = { absent: true } | { value: T } | { error: string };

function absentValue(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Parses an `environment` value: a cloud name or alias in any casing (cloud.ts), returned canonical. */
export function parseEnvironmentSetting(value: unknown): Parsed<CloudName> {
  if (absentValue(value)) return { absent: true };
  const name = cloudNameOf(value);
  return name !== undefined
    ? { value: name }
    : { error: `expected ${CLOUD_NAME_EXPECTED}, got ${describeValue(value)}` };
}

/** Parses an `endpoint` value (endpoint.ts: https, or http to loopback; no user info, query or fragment). */
export function parseEndpointSetting(value: unknown): Parsed<string> {
  if (absentValue(value)) return { absent: true };
  if (typeof value !== "string") return { error: `expected ${ENDPOINT_EXPECTED}, got ${describeValue(value)}` };
  try {
    return { value: parseEndpoint(value) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * Checks an `environment`/`endpoint` pair of one source (a resource's inputs, a provider's configuration) and returns
 * the canonical values and one failure per bad property. Values equal to `unknown` (Pulumi's preview sentinel) pass
 * untouched and are left out of `settings`. Both set is a failure on `endpoint`.
 */
export function checkTargetSettings(
  values: { environment?: unknown; endpoint?: unknown },
  unknown?: unknown,
): { settings: TargetSettings; failures: SettingFailure[] } {
  const settings: TargetSettings = {};
  const failures: SettingFailure[] = [];
  const isUnknown = (v: unknown) => unknown !== undefined && v === unknown;
  if (!isUnknown(values.environment)) {
    const env = parseEnvironmentSetting(values.environment);
    if ("error" in env) failures.push({ property: "environment", reason: env.error });
    else if ("value" in env) settings.environment = env.value;
  }
  if (!isUnknown(values.endpoint)) {
    const end = parseEndpointSetting(values.endpoint);
    if ("error" in end) failures.push({ property: "endpoint", reason: end.error });
    else if ("value" in end) {
      if (settings.environment !== undefined) {
        failures.push({
          property: "endpoint",
          reason:
            `both environment ${quote(settings.environment)} and endpoint ${quote(redactUrl(values.endpoint as string))} ` +
            `are set; set one of them`,
        });
      } else settings.endpoint = end.value;
    }
  }
  return { settings, failures };
}

/**
 * The pair of already checked values (strings only; anything else counts as absent): what a runtime reads back from
 * state, where the values were canonicalised by {@link checkTargetSettings}.
 */
export function targetOf(values: { environment?: unknown; endpoint?: unknown }): TargetSettings {
  const target: TargetSettings = {};
  const env = cloudNameOf(values.environment);
  if (typeof values.environment === "string" && env !== undefined) target.environment = env;
  if (typeof values.endpoint === "string" && values.endpoint !== "") target.endpoint = values.endpoint;
  return target;
}

/**
 * Where a resource's requests go: its own pair when it sets either, else its provider's. The pair is taken whole, so a
 * resource's `environment` is never combined with a provider's `endpoint`.
 */
export function effectiveTarget(own: TargetSettings, provider: TargetSettings): TargetSettings {
  return own.environment !== undefined || own.endpoint !== undefined ? own : provider;
}

/**
 * An endpoint value in canonical spelling for comparisons; a value that is not a string, or does not parse (old state
 * may predate a grammar change), is compared as it is rather than failing a preview.
 */
export function canonicalEndpoint(value: unknown): unknown {
  if (typeof value !== "string") return value ?? undefined;
  const parsed = parseEndpointSetting(value);
  return "value" in parsed ? parsed.value : value;
}

/**
 * Whether two `environment` or `endpoint` values differ after canonicalisation (a value that does not parse, e.g. old
 * state from before a grammar change, is compared as it is rather than failing a preview).
 */
export function sameTargetValue(kind: "environment" | "endpoint", a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => {
    const parsed = kind === "environment" ? parseEnvironmentSetting(v) : parseEndpointSetting(v);
    return "value" in parsed ? parsed.value : "absent" in parsed ? undefined : v;
  };
  return canon(a) === canon(b);
}

/** Environment variables that name the target (documented in docs/transport.md, "Settings"). */
export const TargetEnvVars = {
  /** Explicit ARM endpoint (the emulator, Azure Stack); same meaning as the `endpoint` setting. */
  endpoint: "VMSS_IDENTITY_ARM_ENDPOINT",
  /** Cloud name as the Azure SDKs read it. */
  azureEnvironment: "AZURE_ENVIRONMENT",
  /** Cloud name as Terraform's azurerm and Pulumi's azure providers read it. */
  armEnvironment: "ARM_ENVIRONMENT",
  /** Authority host override, as @azure/identity reads it. */
  authorityHost: "AZURE_AUTHORITY_HOST",
  /** Token scope for a custom endpoint. */
  tokenScope: "VMSS_IDENTITY_ARM_TOKEN_SCOPE",
} as const;

/** A setting refused when a connection is made (code `InvalidInput`, or `UnknownCloud`/`InvalidEndpoint`). */
export class InvalidSettingError extends InvalidInputError {
  override readonly name = "InvalidSettingError";

  constructor(source: string, reason: string, code: string = ErrorCodes.invalidInput) {
    super(`${source}: ${reason}`, { code, property: source });
  }
}

/** An environment variable's value, blank counted as absent. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * The target named by explicit settings, else by the environment: `VMSS_IDENTITY_ARM_ENDPOINT`, then
 * `AZURE_ENVIRONMENT`, then `ARM_ENVIRONMENT`; `{}` (the public cloud) when none is set. Explicit settings are taken as
 * given (already checked); environment values are parsed here.
 * @throws InvalidSettingError naming the variable, its value and what was expected.
 */
export function resolveTarget(explicit: TargetSettings, env: NodeJS.ProcessEnv): TargetSettings & { source?: string } {
  if (explicit.endpoint !== undefined) return { endpoint: explicit.endpoint, source: "endpoint" };
  if (explicit.environment !== undefined) return { environment: explicit.environment, source: "environment" };
  const endpoint = envValue(env, TargetEnvVars.endpoint);
  if (endpoint !== undefined) {
    const parsed = parseEndpointSetting(endpoint);
    if ("error" in parsed)
      throw new InvalidSettingError(TargetEnvVars.endpoint, parsed.error, ErrorCodes.invalidEndpoint);
    return { endpoint: (parsed as { value: string }).value, source: TargetEnvVars.endpoint };
  }
  for (const variable of [TargetEnvVars.azureEnvironment, TargetEnvVars.armEnvironment]) {
    const value = envValue(env, variable);
    if (value === undefined) continue;
    const name = cloudNameOf(value);
    if (name === undefined) throw new UnknownCloudError(variable, value);
    return { environment: name, source: variable };
  }
  return {};
}

/**
 * Parses an authority host (`AZURE_AUTHORITY_HOST`, or an explicit one) with the endpoint rule: a client secret or an
 * assertion is sent there, so it must be https, or http to a loopback host.
 * @throws InvalidSettingError naming the source.
 */
export function parseAuthorityHost(source: string, value: string): string {
  const parsed = parseEndpointSetting(value);
  if ("error" in parsed) throw new InvalidSettingError(source, parsed.error, ErrorCodes.invalidEndpoint);
  return (parsed as { value: string }).value;
}

// ---------------------------------------------------------------------------------------------------------------------
// Credentials

/** The credential settings, named as Pulumi's azure-native provider names them. */
export interface CredentialSettings {
  /** Application (client) ID of the service principal, or of a user-assigned managed identity with `useMsi`. */
  clientId?: string;
  /** Tenant (directory) ID or domain. */
  tenantId?: string;
  /** Client secret. Secret. */
  clientSecret?: string;
  /** Path to a PEM file holding the client certificate and its private key. */
  clientCertificatePath?: string;
  /** Password of the certificate's private key. Secret. */
  clientCertificatePassword?: string;
  /** Sign in with an OIDC token (workload identity federation). */
  useOidc?: boolean;
  /** The OIDC token itself. Secret. */
  oidcToken?: string;
  /** Path to a file holding the OIDC token, read at every sign-in (Kubernetes rotates it). */
  oidcTokenFilePath?: string;
  /** Bearer token for the OIDC request URL (GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_TOKEN`). Secret. */
  oidcRequestToken?: string;
  /** URL that mints an OIDC token (GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL`). */
  oidcRequestUrl?: string;
  /** Sign in as the managed identity of the machine. */
  useMsi?: boolean;
}

/** The name of a credential setting. */
export type CredentialSettingName = keyof CredentialSettings;

interface CredentialSettingSpec {
  kind: "string" | "boolean" | "path" | "url";
  secret: boolean;
  /** Environment variables, first set wins. */
  env: readonly string[];
  description: string;
}

/**
 * Every credential setting: its kind, whether it is secret, and the environment variables that supply it when no
 * explicit credential is given (`ARM_*` as Pulumi's Azure providers and azurerm read them, then the `AZURE_*` names
 * @azure/identity reads). Sources: https://www.pulumi.com/registry/packages/azure-native/installation-configuration/
 * and https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs (Authentication).
 */
export const CREDENTIAL_SETTINGS: Readonly<Record<CredentialSettingName, CredentialSettingSpec>> = {
  clientId: {
    kind: "string",
    secret: false,
    env: ["ARM_CLIENT_ID", "AZURE_CLIENT_ID"],
    description: "The application (client) ID of the service principal (or of a user-assigned managed identity).",
  },
  tenantId: {
    kind: "string",
    secret: false,
    env: ["ARM_TENANT_ID", "AZURE_TENANT_ID"],
    description: "The tenant (directory) ID.",
  },
  clientSecret: {
    kind: "string",
    secret: true,
    env: ["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"],
    description: "The client secret, to sign in as a service principal with a secret.",
  },
  clientCertificatePath: {
    kind: "path",
    secret: false,
    env: ["ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"],
    description: "Path to a PEM file with the client certificate and its private key, to sign in with a certificate.",
  },
  clientCertificatePassword: {
    kind: "string",
    secret: true,
    env: ["ARM_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD"],
    description: "The password of the client certificate's private key.",
  },
  useOidc: {
    kind: "boolean",
    secret: false,
    env: ["ARM_USE_OIDC"],
    description:
      "Sign in with an OIDC token (workload identity federation): oidcToken, oidcTokenFilePath or oidcRequestToken with oidcRequestUrl.",
  },
  oidcToken: {
    kind: "string",
    secret: true,
    env: ["ARM_OIDC_TOKEN"],
    description: "The OIDC token to exchange for an access token.",
  },
  oidcTokenFilePath: {
    kind: "path",
    secret: false,
    env: ["ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"],
    description: "Path to a file holding the OIDC token; read again at every sign-in.",
  },
  oidcRequestToken: {
    kind: "string",
    secret: true,
    env: ["ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
    description: "The bearer token for oidcRequestUrl (GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_TOKEN).",
  },
  oidcRequestUrl: {
    kind: "url",
    secret: false,
    env: ["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"],
    description: "The URL that mints an OIDC token (GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL).",
  },
  useMsi: {
    kind: "boolean",
    secret: false,
    env: ["ARM_USE_MSI"],
    description: "Sign in as the managed identity of the machine (with clientId: that user-assigned identity).",
  },
};

/** Every credential setting name, in documentation order. */
export const CREDENTIAL_SETTING_NAMES = Object.keys(CREDENTIAL_SETTINGS) as CredentialSettingName[];

/** The credential settings whose values are secret (Pulumi secrets in configuration and inputs). */
export const SECRET_CREDENTIAL_SETTINGS: readonly CredentialSettingName[] = CREDENTIAL_SETTING_NAMES.filter(
  (name) => CREDENTIAL_SETTINGS[name].secret,
);

/**
 * The variables that belong to the machine or runner rather than to a principal: read even when explicit credentials
 * are given (GitHub Actions sets them for every job; see the module comment).
 */
const RUNNER_VARIABLES: Partial<Record<CredentialSettingName, readonly string[]>> = {
  oidcRequestToken: ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
  oidcRequestUrl: ["ACTIONS_ID_TOKEN_REQUEST_URL"],
};

/** Credential settings with where each came from (a property or a variable name), for messages. */
export interface ResolvedCredentialSettings extends CredentialSettings {
  /** For each setting present, the property (e.g. `vmss-identity:clientId`) or variable it came from. */
  sources: Partial<Record<CredentialSettingName, string>>;
}

/** What a URL setting that receives a bearer token must be (named in messages). */
export const TOKEN_URL_EXPECTED =
  "an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password or fragment";

function parseCredentialValue(name: CredentialSettingName, value: unknown, fromEnv: boolean): Parsed<string | boolean> {
  const spec = CREDENTIAL_SETTINGS[name];
  if (absentValue(value)) return { absent: true };
  if (fromEnv && typeof value === "string" && value.trim() === "") return { absent: true };
  // A secret's value is never shown, only its kind.
  const shown = spec.secret ? (typeof value === "string" ? "a string" : describeKind(value)) : describeValue(value);
  if (spec.kind === "boolean") {
    if (typeof value === "boolean") return { value };
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
      return { value: value.trim().toLowerCase() === "true" };
    }
    return { error: `expected true or false, got ${shown}` };
  }
  if (typeof value !== "string") return { error: `expected a string, got ${shown}` };
  if (value.trim() === "")
    return { error: `expected a non-empty string, got ${spec.secret ? "an empty string" : quote(value)}` };
  if (spec.kind === "url") {
    const problem = bearerUrlProblem(value, { query: true });
    if (problem !== undefined)
      return { error: `invalid URL ${quote(redactUrl(value))}: ${problem}; expected ${TOKEN_URL_EXPECTED}` };
  }
  return { value: spec.kind === "string" && !spec.secret ? value.trim() : value };
}

function describeKind(value: unknown): string {
  return Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
}

/**
 * Checks explicit credential settings (a provider's configuration, the dynamic door's `credentials` argument): each
 * known setting parsed, unknown names refused. `prefix` is put before property names in `failures` (e.g.
 * `credentials.`); values equal to `unknown` (preview) pass untouched and are left out.
 */
export function checkCredentialSettings(
  values: Readonly<Record<string, unknown>>,
  options: { prefix?: string; unknown?: unknown; allowOther?: (key: string) => boolean } = {},
): { settings: CredentialSettings; failures: SettingFailure[] } {
  const prefix = options.prefix ?? "";
  const settings: Record<string, string | boolean> = {};
  const failures: SettingFailure[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!(key in CREDENTIAL_SETTINGS)) {
      if (options.allowOther?.(key)) continue;
      failures.push({
        property: `${prefix}${key}`,
        reason: `unknown credential setting ${quote(key)}; expected one of ${CREDENTIAL_SETTING_NAMES.join(", ")}`,
      });
      continue;
    }
    if (options.unknown !== undefined && value === options.unknown) continue;
    const parsed = parseCredentialValue(key as CredentialSettingName, value, false);
    if ("error" in parsed) failures.push({ property: `${prefix}${key}`, reason: parsed.error });
    else if ("value" in parsed) settings[key] = parsed.value;
  }
  return { settings: settings as CredentialSettings, failures };
}

/** Whether explicit settings name any credential setting (then the environment's credential variables are not read). */
export function hasCredentialSettings(settings: CredentialSettings | undefined): boolean {
  return settings !== undefined && CREDENTIAL_SETTING_NAMES.some((name) => settings[name] !== undefined);
}

/**
 * The credential settings in force: the explicit ones when any is given (with GitHub Actions' runner variables), else
 * those of the environment (`ARM_*` before `AZURE_*`, per setting). `explicitSource` names where explicit settings came
 * from in messages (e.g. `vmss-identity:` or `credentials.`).
 * @throws InvalidSettingError naming the variable and what was expected (never a secret's value).
 */
export function resolveCredentialSettings(
  explicit: CredentialSettings | undefined,
  env: NodeJS.ProcessEnv,
  explicitSource = "",
): ResolvedCredentialSettings {
  const resolved: ResolvedCredentialSettings = { sources: {} };
  const set = (name: CredentialSettingName, value: string | boolean, source: string) => {
    (resolved as unknown as Record<string, unknown>)[name] = value;
    resolved.sources[name] = source;
  };
  const useExplicit = hasCredentialSettings(explicit);
  for (const name of CREDENTIAL_SETTING_NAMES) {
    const given = useExplicit ? explicit?.[name] : undefined;
    if (given !== undefined) {
      set(name, given, `${explicitSource}${name}`);
      continue;
    }
    const variables = useExplicit ? (RUNNER_VARIABLES[name] ?? []) : CREDENTIAL_SETTINGS[name].env;
    for (const variable of variables) {
      const parsed = parseCredentialValue(name, env[variable], true);
      if ("error" in parsed) throw new InvalidSettingError(variable, parsed.error);
      if ("value" in parsed) {
        set(name, parsed.value, variable);
        break;
      }
    }
  }
  return resolved;
}

/**
 * The explicit credential settings of an already checked value (a resource's `credentials`, a provider's settings):
 * `undefined` when absent.
 * @throws InvalidSettingError naming the first bad setting (a value that skipped `check`, e.g. from old state).
 */
export function credentialSettingsOf(value: unknown, prefix = "credentials."): CredentialSettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidSettingError(
      prefix.replace(/[.:]$/, ""),
      `expected an object of credential settings, got ${describeValue(value)}`,
    );
  }
  const { settings, failures } = checkCredentialSettings(value as Record<string, unknown>, { prefix });
  if (failures.length > 0) throw new InvalidSettingError(failures[0].property, failures[0].reason);
  return hasCredentialSettings(settings) ? settings : undefined;
}

/**
 * What keeps credential settings from choosing a principal, in azure-native's order (provider/arm/credential.ts
 * chooses the flow; this is the rule it throws by): a client certificate, a client secret or `useOidc` needs both
 * the tenant and the client ID; with `explicit` settings, a client ID needs a way to sign in as it (else
 * DefaultAzureCredential would sign in as the environment's principal). Undefined when nothing is missing. An OIDC
 * token source is not checked here (a runner's variables may give it). `names` spells a setting for the message
 * (e.g. `credentials.clientId`, or the variables that set it); never a value.
 */
export function credentialFlowProblem(
  s: ResolvedCredentialSettings,
  names: (name: CredentialSettingName) => string,
  explicit: boolean,
): SettingFailure | undefined {
  const chosenBy: [CredentialSettingName, string] | undefined =
    s.clientCertificatePath !== undefined
      ? ["clientCertificatePath", "a client certificate"]
      : s.clientSecret !== undefined
        ? ["clientSecret", "a client secret"]
        : s.useOidc === true
          ? ["useOidc", "OIDC (workload identity federation)"]
          : undefined;
  if (chosenBy !== undefined) {
    for (const name of ["tenantId", "clientId"] as const) {
      if (s[name] === undefined) {
        return {
          property: names(name),
          reason:
            `${s.sources[chosenBy[0]]} is set, so ${chosenBy[1]} is used, but no ` +
            `${name === "tenantId" ? "tenant ID" : "client ID"} is set: set ${names(name)}`,
        };
      }
    }
    return undefined;
  }
  if (explicit && s.useMsi !== true && s.clientId !== undefined) {
    return {
      property: names("clientSecret"),
      reason:
        `${s.sources.clientId} is set, but no way to sign in as that client is: set ${names("clientSecret")}, ` +
        `${names("clientCertificatePath")}, ${names("useOidc")} (with a token) or ${names("useMsi")} ` +
        "(DefaultAzureCredential, used when none is set, would sign in as the environment's principal instead)",
    };
  }
  return undefined;
}

/**
 * The {@link credentialFlowProblem} of explicit settings already parsed (`checkCredentialSettings`), for `check`:
 * explicit settings never read the environment's credential variables, so preview can tell. `prefix` as in
 * `checkCredentialSettings`.
 */
export function explicitCredentialProblem(settings: CredentialSettings, prefix: string): SettingFailure | undefined {
  if (!hasCredentialSettings(settings)) return undefined;
  const resolved: ResolvedCredentialSettings = { ...settings, sources: {} };
  for (const name of CREDENTIAL_SETTING_NAMES) {
    if (settings[name] !== undefined) resolved.sources[name] = `${prefix}${name}`;
  }
  return credentialFlowProblem(resolved, (name) => `${prefix}${name}`, true);
}

/**
 * Checks a resource's `credentials` input (the dynamic door's explicit principal): absent, Pulumi's unknown sentinel
 * (preview), or an object of credential settings. Failures are named `credentials.<setting>`; a secret's value is
 * never shown.
 */
export function checkCredentialsInput(value: unknown, unknown?: unknown): SettingFailure[] {
  if (value === undefined || value === null || (unknown !== undefined && value === unknown)) return [];
  if (typeof value !== "object" || Array.isArray(value)) {
    return [
      {
        property: "credentials",
        reason: `expected an object of credential settings (${CREDENTIAL_SETTING_NAMES.join(", ")}), got ${
          typeof value === "string" ? "a string" : describeValue(value)
        }`,
      },
    ];
  }
  const values = value as Record<string, unknown>;
  const { settings, failures } = checkCredentialSettings(values, { prefix: "credentials.", unknown });
  // An unknown value (preview) may be the missing one: the rule waits for up.
  const allKnown = unknown === undefined || Object.values(values).every((v) => v !== unknown);
  if (failures.length > 0 || !allKnown) return failures;
  const problem = explicitCredentialProblem(settings, "credentials.");
  return problem === undefined ? [] : [problem];
}
