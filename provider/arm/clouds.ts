/**
 * Azure clouds for the transport: which cloud to talk to (options, then environment variables), where tokens come
 * from, and which scope a token needs. Cloud names, their aliases and endpoints have one owner,
 * provider/grammar/cloud.ts (docs/arm-behavior.md, "Tokens").
 */
import { ErrorCodes, InvalidInputError } from "../errors";
import { CLOUD_ENDPOINTS, type CloudName, parseCloudName } from "../grammar/cloud";

export { type CloudName, parseCloudName } from "../grammar/cloud";

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

/** Environment variables read by {@link resolveCloud} (documented in docs/transport.md). */
export const CloudEnvVars = {
  /** Explicit ARM endpoint (the emulator, Azure Stack); same meaning as the `endpoint` option. */
  endpoint: "VMSS_IDENTITY_ARM_ENDPOINT",
  /** Token scope for a custom endpoint. */
  tokenScope: "VMSS_IDENTITY_ARM_TOKEN_SCOPE",
  /** Cloud name as the Azure SDKs read it. */
  azureEnvironment: "AZURE_ENVIRONMENT",
  /** Cloud name as Terraform's azurerm and Pulumi's azure providers read it. */
  armEnvironment: "ARM_ENVIRONMENT",
  /** Authority host override, as @azure/identity reads it. */
  authorityHost: "AZURE_AUTHORITY_HOST",
} as const;

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
 * Decides which cloud to talk to. Order: `opts.endpoint`, `opts.environment`, `VMSS_IDENTITY_ARM_ENDPOINT`,
 * `AZURE_ENVIRONMENT`, `ARM_ENVIRONMENT`, then the public cloud.
 *
 * A custom endpoint gets its authority host from `opts.authorityHost`, `AZURE_AUTHORITY_HOST`, else the
 * endpoint's origin (the emulator serves its token endpoint there), and the scope `<endpoint>/.default`
 * unless `opts.tokenScope` / `VMSS_IDENTITY_ARM_TOKEN_SCOPE` say otherwise.
 *
 * @throws Error naming the property or variable, the value and what was expected, for an unknown cloud name or a
 *   malformed URL.
 */
export function resolveCloud(opts: CloudOptions = {}, env: NodeJS.ProcessEnv = process.env): Cloud {
  const fromEnv = (name: string) => nonEmpty(env[name]);

  if (nonEmpty(opts.endpoint) !== undefined) {
    return customCloud("endpoint", opts.endpoint as string, opts, env);
  }
  if (nonEmpty(opts.environment) !== undefined) {
    return knownCloudByName(parseCloudName("environment", opts.environment as string));
  }
  const envEndpoint = fromEnv(CloudEnvVars.endpoint);
  if (envEndpoint !== undefined) return customCloud(CloudEnvVars.endpoint, envEndpoint, opts, env);
  for (const variable of [CloudEnvVars.azureEnvironment, CloudEnvVars.armEnvironment]) {
    const value = fromEnv(variable);
    if (value !== undefined) return knownCloudByName(parseCloudName(variable, value));
  }
  return knownCloudByName("public");
}

function customCloud(source: string, endpoint: string, opts: CloudOptions, env: NodeJS.ProcessEnv): Cloud {
  const resourceManagerEndpoint = parseBaseUrl(source, endpoint);
  const authoritySource = nonEmpty(opts.authorityHost) !== undefined ? "authorityHost" : CloudEnvVars.authorityHost;
  const authority = nonEmpty(opts.authorityHost) ?? nonEmpty(env[CloudEnvVars.authorityHost]);
  const authorityHost =
    authority !== undefined ? parseBaseUrl(authoritySource, authority) : new URL(resourceManagerEndpoint).origin;
  const scope = nonEmpty(opts.tokenScope) ?? nonEmpty(env[CloudEnvVars.tokenScope]);
  return {
    name: "custom",
    resourceManagerEndpoint,
    authorityHost,
    tokenScope: scope ?? `${resourceManagerEndpoint}/.default`,
  };
}

/** Validates an absolute http(s) URL without query, fragment or credentials, and drops trailing slashes. */
function parseBaseUrl(source: string, value: string): string {
  const expected = "expected an absolute http(s) URL without query string, fragment or user info";
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidInputError(`${source}: ${JSON.stringify(value)} is not a URL; ${expected}`, {
      code: ErrorCodes.invalidEndpoint,
      property: source,
    });
  }
  if (
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.search !== "" ||
    url.hash !== "" ||
    url.username !== "" ||
    url.password !== ""
  ) {
    // The value may carry user info (a password): name only the parts that are safe to show.
    throw new InvalidInputError(
      `${source}: ${JSON.stringify(`${url.protocol}//${url.host}${url.pathname}`)} is invalid; ${expected}`,
      { code: ErrorCodes.invalidEndpoint, property: source },
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function knownCloud(name: CloudName): Cloud {
  const { resourceManagerEndpoint, authorityHost } = CLOUD_ENDPOINTS[name];
  return { name, resourceManagerEndpoint, authorityHost, tokenScope: `${resourceManagerEndpoint}/.default` };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
