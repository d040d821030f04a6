/**
 * Which credential the transport uses, one per process per authority host and configuration, so that
 * @azure/identity's in-memory token cache is shared by every request (never a token fetch per call).
 */
import { createHash } from "node:crypto";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";
import { PUBLIC_AUTHORITY_HOSTNAMES, type Cloud } from "./clouds";

/**
 * A credential that can also produce a token that bypasses every cache, used once after ARM rejects a token
 * with 401 (e.g. revoked before its announced expiry). The client uses it when present and otherwise calls
 * `getToken` again.
 */
export interface RenewableTokenCredential extends TokenCredential {
  /** Drops every cached token and gets a new one from the authority. */
  getFreshToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

/** Whether `credential` implements {@link RenewableTokenCredential}. */
export function isRenewableCredential(credential: TokenCredential): credential is RenewableTokenCredential {
  return typeof (credential as Partial<RenewableTokenCredential>).getFreshToken === "function";
}

/**
 * Makes any credential renewable by building a new instance: @azure/identity's MSAL-based credentials keep
 * their token cache per instance, and a fresh instance has an empty one. (A `claims` option would also skip
 * MSAL's cache for a client secret, but `AzureCliCredential` and others refuse `claims` outright, see
 * @azure/identity `azureCliCredential.js`, so a new instance is the one way that works for every credential.)
 *
 * @param create builds a credential; called now and once per {@link RenewableTokenCredential.getFreshToken}.
 */
export function renewableCredential(create: () => TokenCredential): RenewableTokenCredential {
  let current = create();
  return {
    getToken: (scopes, options) => current.getToken(scopes, options),
    getFreshToken: (scopes, options) => {
      current = create();
      return current.getToken(scopes, options);
    },
  };
}

/** Environment variable triples read by {@link getCredential}, first complete triple wins. */
export const ClientSecretEnvVars = [
  // What @azure/identity's EnvironmentCredential reads.
  { tenantId: "AZURE_TENANT_ID", clientId: "AZURE_CLIENT_ID", clientSecret: "AZURE_CLIENT_SECRET" },
  // What Terraform's azurerm/azapi and Pulumi's azure providers read.
  { tenantId: "ARM_TENANT_ID", clientId: "ARM_CLIENT_ID", clientSecret: "ARM_CLIENT_SECRET" },
] as const;

/** How {@link getCredential} authenticates, without the secret. */
export interface CredentialChoice {
  kind: "client-secret" | "default";
  authorityHost: string;
  /** Set for an authority that is not a public cloud's; instance discovery would go to the internet. */
  disableInstanceDiscovery: boolean;
  /** The environment variable triple used for `client-secret`. */
  source?: string;
  tenantId?: string;
  clientId?: string;
}

const credentials = new Map<string, RenewableTokenCredential>();

/**
 * The process-wide credential for `cloud`: a `ClientSecretCredential` when `AZURE_TENANT_ID`/`AZURE_CLIENT_ID`/
 * `AZURE_CLIENT_SECRET` (or the `ARM_*` triple) are all set, else `DefaultAzureCredential`, both against
 * `cloud.authorityHost`. Instance discovery is disabled for authorities outside the public clouds (it only works
 * there; docs/transport.md, "Which credential"). Cached per authority host and configuration; the secret
 * itself never leaves this function except into @azure/identity.
 *
 * @param env environment to read the client secret triple from (default `process.env`). DefaultAzureCredential
 *   itself always reads `process.env`.
 */
export function getCredential(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): RenewableTokenCredential {
  const choice = chooseCredential(cloud, env);
  const secret = choice.kind === "client-secret" ? secretOf(choice, env) : "";
  // The key holds a digest of the secret, so that a changed secret gets a new credential without the secret
  // itself being kept anywhere but inside @azure/identity.
  const key = [choice.kind, choice.authorityHost, choice.tenantId, choice.clientId, digest(secret)].join("|");
  let credential = credentials.get(key);
  if (credential === undefined) {
    credential = renewableCredential(() => createCredential(choice, secret));
    credentials.set(key, credential);
  }
  return credential;
}

/** Forgets every cached credential (tests; a long-lived process after rotating secrets). */
export function clearCredentialCache(): void {
  credentials.clear();
}

/** Pure: which credential {@link getCredential} builds for `cloud` and `env`. Never returns the secret. */
export function chooseCredential(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): CredentialChoice {
  const authorityHost = cloud.authorityHost;
  const disableInstanceDiscovery = !PUBLIC_AUTHORITY_HOSTNAMES.includes(new URL(authorityHost).hostname);
  for (const names of ClientSecretEnvVars) {
    const tenantId = env[names.tenantId];
    const clientId = env[names.clientId];
    const clientSecret = env[names.clientSecret];
    if (tenantId && clientId && clientSecret) {
      return {
        kind: "client-secret",
        authorityHost,
        disableInstanceDiscovery,
        source: names.tenantId.replace(/_TENANT_ID$/, "_*"),
        tenantId,
        clientId,
      };
    }
  }
  return { kind: "default", authorityHost, disableInstanceDiscovery };
}

function createCredential(choice: CredentialChoice, secret: string): TokenCredential {
  const options = { authorityHost: choice.authorityHost, disableInstanceDiscovery: choice.disableInstanceDiscovery };
  if (choice.kind === "client-secret") {
    return new ClientSecretCredential(choice.tenantId as string, choice.clientId as string, secret, options);
  }
  return new DefaultAzureCredential(options);
}

function secretOf(choice: CredentialChoice, env: NodeJS.ProcessEnv): string {
  const names = ClientSecretEnvVars.find((n) => n.tenantId.replace(/_TENANT_ID$/, "_*") === choice.source);
  return (names && env[names.clientSecret]) || "";
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}
