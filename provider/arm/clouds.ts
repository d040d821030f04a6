/**
 * Azure clouds for the transport: which cloud to talk to (options, then environment variables), where tokens come
 * from, and which scope a token needs. Cloud names, their aliases and endpoints have one owner,
 * provider/grammar/cloud.ts (docs/arm-behavior.md, "Tokens").
 */
import { ErrorCodes } from "../errors";
import { CLOUD_ENDPOINTS, type CloudName, UnknownCloudError } from "../grammar/cloud";
import {
  InvalidSettingError,
  TargetEnvVars,
  checkTargetSettings,
  envValue,
  parseAuthorityHost,
  resolveTarget,
} from "../grammar/settings";

export { type CloudName } from "../grammar/cloud";

/** Everything the transport needs to know about one Azure cloud (or a custom endpoint such as the emulator). */
export interface Cloud {
  /** A known cloud, or `custom` for an explicit endpoint. */
  name: CloudName | "custom";
  /** ARM base URL without trailing slash, e.g. `https://management.azure.com`. */
  resourceManagerEndpoint: string;
  /** Microsoft Entra authority host, e.g. `https://login.microsoftonline.com` (no trailing slash). */
  authorityHost: string;
  /** OAuth scope for ARM tokens: `<arm endpoint>/.default`. */
  tokenScope: string;
}

/** Options of {@link resolveCloud}; explicit values win over environment variables. */
export interface CloudOptions {
  /** `public`, `usgovernment` or `china`, or an alias other Azure tools use (`AzureCloud`, `AzureUSGovernment`, ...). */
  environment?: string;
  /** An explicit ARM endpoint (custom cloud, e.g. the emulator); takes precedence over `environment`. */
  endpoint?: string;
  /** Authority host for a custom endpoint; default `AZURE_AUTHORITY_HOST`, else the endpoint itself. */
  authorityHost?: string;
  /** Token scope for a custom endpoint; default `VMSS_IDENTITY_ARM_TOKEN_SCOPE`, else `<endpoint>/.default`. */
  tokenScope?: string;
}

/** Environment variables read by {@link resolveCloud} (documented in docs/transport.md; parsed in provider/grammar/settings.ts). */
export const CloudEnvVars = TargetEnvVars;

const KNOWN_CLOUDS: Record<CloudName, Cloud> = {
  public: knownCloud("public"),
  usgovernment: knownCloud("usgovernment"),
  china: knownCloud("china"),
};

/** Hostnames of the known clouds' authorities (instance discovery only works there). */
export const PUBLIC_AUTHORITY_HOSTNAMES: readonly string[] = Object.values(KNOWN_CLOUDS).map(
  (c) => new URL(c.authorityHost).hostname,
);

/** The {@link Cloud} of a known cloud name. */
export function knownCloudByName(name: CloudName): Cloud {
  return { ...KNOWN_CLOUDS[name] };
}

/**
 * Decides which cloud to talk to. Order: `opts.endpoint` or `opts.environment` (both set is refused), then
 * `VMSS_IDENTITY_ARM_ENDPOINT`, `AZURE_ENVIRONMENT`, `ARM_ENVIRONMENT`, then the public cloud. Every value is parsed by
 * provider/grammar/settings.ts, the one owner of these settings.
 *
 * A custom endpoint gets its authority host from `opts.authorityHost`, `AZURE_AUTHORITY_HOST`, else the
 * endpoint's origin (the emulator serves its token endpoint there), and the scope `<endpoint>/.default`
 * unless `opts.tokenScope` / `VMSS_IDENTITY_ARM_TOKEN_SCOPE` say otherwise.
 *
 * @throws InvalidInputError naming the property or variable, the value and what was expected, for an unknown cloud
 *   name, an endpoint or authority host that is not https (or http to loopback), or both options set.
 */
export function resolveCloud(opts: CloudOptions = {}, env: NodeJS.ProcessEnv = process.env): Cloud {
  const { settings, failures } = checkTargetSettings({ environment: opts.environment, endpoint: opts.endpoint });
  if (failures.length > 0) {
    const { property, reason } = failures[0];
    if (property === "environment") throw new UnknownCloudError(property, String(opts.environment));
    throw new InvalidSettingError(property, reason, ErrorCodes.invalidEndpoint);
  }
  const target = resolveTarget(settings, env);
  if (target.endpoint !== undefined) return customCloud(target.endpoint, opts, env);
  return knownCloudByName(target.environment ?? "public");
}

function customCloud(resourceManagerEndpoint: string, opts: CloudOptions, env: NodeJS.ProcessEnv): Cloud {
  const explicit = opts.authorityHost;
  const fromEnv = envValue(env, TargetEnvVars.authorityHost);
  const authorityHost =
    explicit !== undefined
      ? parseAuthorityHost("authorityHost", explicit)
      : fromEnv !== undefined
        ? parseAuthorityHost(TargetEnvVars.authorityHost, fromEnv)
        : new URL(resourceManagerEndpoint).origin;
  const scope = nonEmpty(opts.tokenScope) ?? envValue(env, TargetEnvVars.tokenScope);
  return {
    name: "custom",
    resourceManagerEndpoint,
    authorityHost,
    tokenScope: scope ?? `${resourceManagerEndpoint}/.default`,
  };
}

function knownCloud(name: CloudName): Cloud {
  const { resourceManagerEndpoint, authorityHost } = CLOUD_ENDPOINTS[name];
  return { name, resourceManagerEndpoint, authorityHost, tokenScope: `${resourceManagerEndpoint}/.default` };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
