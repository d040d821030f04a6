/**
 * The one owner of the cloud grammar: the Azure clouds this package knows by name, the names other Azure tools use
 * for them, and each cloud's ARM endpoint and authority host. Settings that name a cloud (an `environment` input, the
 * plugin's configuration, `AZURE_ENVIRONMENT`/`ARM_ENVIRONMENT`) are parsed by settings.ts through
 * {@link cloudNameOf}, so a name that works in one place works in all. Pure: no I/O.
 */
import { ErrorCodes, InvalidInputError } from "../errors";

/** The national clouds this package knows by name (canonical spelling). */
export type CloudName = "public" | "usgovernment" | "china";

/** Every {@link CloudName}. */
export const CLOUD_NAMES: readonly CloudName[] = ["public", "usgovernment", "china"];

/**
 * The cloud names an `environment` input takes, as TypeScript sees them: the canonical names and the other tools'
 * aliases (any casing is accepted at run time).
 */
export type EnvironmentName =
  | CloudName
  | "AzureCloud"
  | "AzurePublicCloud"
  | "AzureUSGovernment"
  | "AzureUSGovernmentCloud"
  | "AzureChinaCloud";

/** Where a known cloud's ARM and Microsoft Entra authority live (no trailing slash). */
export interface CloudEndpoints {
  /** ARM base URL, e.g. `https://management.azure.com`. */
  resourceManagerEndpoint: string;
  /** Authority host, e.g. `https://login.microsoftonline.com`; the same values as `@azure/identity`'s `AzureAuthorityHosts`. */
  authorityHost: string;
}

/**
 * The endpoints of each known cloud. Sources: https://learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure
 * and https://learn.microsoft.com/azure/china/resources-developer-guide (ARM endpoints), `AzureAuthorityHosts` of
 * `@azure/identity` (authority hosts; a test checks they agree).
 */
export const CLOUD_ENDPOINTS: Readonly<Record<CloudName, CloudEndpoints>> = {
  public: {
    resourceManagerEndpoint: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
  },
  usgovernment: {
    resourceManagerEndpoint: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
  },
  china: {
    resourceManagerEndpoint: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
  },
};

/**
 * Every accepted spelling (lower-case) and the cloud it names: the canonical names (Terraform's azurerm and Pulumi's
 * azure providers use them too), the Azure CLI's cloud names (`AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`)
 * and the Go SDK's (`AzurePublicCloud`, `AzureUSGovernmentCloud`). Compared case-insensitively.
 */
export const CLOUD_ALIASES: Readonly<Record<string, CloudName>> = {
  public: "public",
  azurecloud: "public",
  azurepubliccloud: "public",
  usgovernment: "usgovernment",
  azureusgovernment: "usgovernment",
  azureusgovernmentcloud: "usgovernment",
  china: "china",
  azurechinacloud: "china",
};

/** What a cloud name may be (named in error messages). */
export const CLOUD_NAME_EXPECTED =
  "one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentCloud, " +
  "AzureChinaCloud), in any casing";

/** A cloud name this package does not know (code `UnknownCloud`). */
export class UnknownCloudError extends InvalidInputError {
  override readonly name = "UnknownCloudError";

  constructor(source: string, value: string) {
    super(`${source}: unknown Azure cloud ${JSON.stringify(value)}; expected ${CLOUD_NAME_EXPECTED}`, {
      code: ErrorCodes.unknownCloud,
      property: source,
    });
  }
}

/** The cloud a name or alias names (any casing, surrounding spaces ignored); `undefined` when it names none. */
export function cloudNameOf(value: unknown): CloudName | undefined {
  if (typeof value !== "string") return undefined;
  const key = value.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(CLOUD_ALIASES, key) ? CLOUD_ALIASES[key] : undefined;
}
