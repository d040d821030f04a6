/**
 * Which credential the transport uses: one per process per authority host and principal, so that @azure/identity's
 * in-memory token cache is shared by every request of that principal (never a token fetch per call), and two principals
 * never share one. The settings (explicit, else `ARM_*`/`AZURE_*` variables) are parsed by
 * provider/grammar/settings.ts; the choice order is azure-native's (docs/transport.md, "Which credential").
 */
import { createHash, createPrivateKey } from "node:crypto";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { readFile } from "node:fs/promises";
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
} from "@azure/identity";
import { ErrorCodes, InvalidInputError } from "../errors";
import { redactUrl } from "../grammar/endpoint";
import {
  CREDENTIAL_SETTINGS,
  type CredentialSettingName,
  type CredentialSettings,
  type ResolvedCredentialSettings,
  credentialFlowProblem,
  resolveCredentialSettings,
} from "../grammar/settings";
import { request, type Dispatcher } from "undici";
import { PUBLIC_AUTHORITY_HOSTNAMES, type Cloud } from "./clouds";
import { dispatcherFor, proxySettingsFromEnv } from "./proxy";

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

/** How {@link getCredential} signs in, in azure-native's order (docs/transport.md, "Which credential"). */
export type CredentialKind = "client-certificate" | "client-secret" | "oidc" | "managed-identity" | "default";

/** Where an OIDC token comes from: the setting itself, a file read at every sign-in, or a request URL. */
export type OidcTokenSource = "token" | "file" | "request";

/** How {@link getCredential} authenticates, without any secret. */
export interface CredentialChoice {
  kind: CredentialKind;
  authorityHost: string;
  /** Set for an authority that is not a public cloud's; instance discovery would go to the internet. */
  disableInstanceDiscovery: boolean;
  /** The setting or variable that chose `kind` (e.g. `ARM_CLIENT_SECRET`, `vmss-identity:useOidc`). */
  source?: string;
  tenantId?: string;
  clientId?: string;
  /** For `oidc`: where the token comes from. */
  oidcTokenSource?: OidcTokenSource;
}

/** The audience GitHub Actions' request URL is asked for, as Entra ID's federated credentials expect it by default. */
export const OIDC_REQUEST_AUDIENCE = "api://AzureADTokenExchange";

/**
 * Settings refused when a credential is chosen: one is missing for the flow the others select (code `InvalidInput`).
 * The message names what is set, what is missing and where to set it; never a value.
 */
export class MissingCredentialSettingError extends InvalidInputError {
  override readonly name = "MissingCredentialSettingError";
  constructor(message: string, property: string) {
    super(message, { code: ErrorCodes.invalidInput, property });
  }
}

/** Where the credential settings come from for {@link getCredential}. */
export interface CredentialSource {
  /** Explicit settings (provider configuration, a resource's `credentials`); when any is set, the environment's credential variables are not read. */
  explicit?: CredentialSettings;
  /** Prefix of explicit settings' names in messages, e.g. `vmss-identity:` or `credentials.`. */
  explicitPrefix?: string;
}

const credentials = new Map<string, RenewableTokenCredential>();

/**
 * The process-wide credential for `cloud` and a principal, chosen by {@link chooseCredential} and built against
 * `cloud.authorityHost`. Instance discovery is disabled for authorities outside the public clouds (it only works
 * there). Cached per authority host, principal and a digest of its secret material (so a rotated secret gets a new
 * credential); secrets themselves go only into @azure/identity.
 *
 * @param env environment to read the credential variables from (default `process.env`). DefaultAzureCredential and
 *   ManagedIdentityCredential themselves always read `process.env`.
 * @throws InvalidInputError naming a malformed variable, or {@link MissingCredentialSettingError} naming what is missing.
 */
export function getCredential(
  cloud: Cloud,
  env: NodeJS.ProcessEnv = process.env,
  source: CredentialSource = {},
): RenewableTokenCredential {
  const settings = resolveCredentialSettings(source.explicit, env, source.explicitPrefix ?? "");
  const choice = choiceOf(cloud, settings, source);
  const key = [
    choice.kind,
    choice.authorityHost,
    choice.tenantId,
    choice.clientId,
    choice.oidcTokenSource,
    digest(JSON.stringify(secretMaterial(choice, settings))),
  ].join("|");
  let credential = credentials.get(key);
  if (credential === undefined) {
    credential = renewableCredential(() => createCredential(choice, settings));
    credentials.set(key, credential);
  }
  return credential;
}

/** Forgets every cached credential (tests; a long-lived process after rotating secrets). */
export function clearCredentialCache(): void {
  credentials.clear();
}

/**
 * Pure: which credential {@link getCredential} builds for `cloud`, `env` and explicit settings. Never returns a secret.
 * Order (azure-native's): a client certificate path, a client secret, `useOidc`, `useMsi`, else DefaultAzureCredential.
 * @throws as {@link getCredential}.
 */
export function chooseCredential(
  cloud: Cloud,
  env: NodeJS.ProcessEnv = process.env,
  source: CredentialSource = {},
): CredentialChoice {
  return choiceOf(cloud, resolveCredentialSettings(source.explicit, env, source.explicitPrefix ?? ""), source);
}

function choiceOf(cloud: Cloud, s: ResolvedCredentialSettings, source: CredentialSource): CredentialChoice {
  const authorityHost = cloud.authorityHost;
  const disableInstanceDiscovery = !PUBLIC_AUTHORITY_HOSTNAMES.includes(new URL(authorityHost).hostname);
  const base = { authorityHost, disableInstanceDiscovery };
  const explicit = Object.keys(s.sources).some((name) => !isVariable(s.sources[name as CredentialSettingName]));
  const names = (name: CredentialSettingName): string =>
    explicit ? `${source.explicitPrefix ?? ""}${name}` : CREDENTIAL_SETTINGS[name].env.join(" or ");
  const problem = credentialFlowProblem(s, names, explicit);
  if (problem !== undefined) throw new MissingCredentialSettingError(problem.reason, problem.property);
  const principal = (chosenBy: CredentialSettingName) => ({
    tenantId: s.tenantId as string,
    clientId: s.clientId as string,
    source: s.sources[chosenBy],
  });
  if (s.clientCertificatePath !== undefined) {
    return { kind: "client-certificate", ...base, ...principal("clientCertificatePath") };
  }
  if (s.clientSecret !== undefined) {
    return { kind: "client-secret", ...base, ...principal("clientSecret") };
  }
  if (s.useOidc === true) {
    const ids = principal("useOidc");
    let oidcTokenSource: OidcTokenSource;
    if (s.oidcToken !== undefined) oidcTokenSource = "token";
    else if (s.oidcTokenFilePath !== undefined) oidcTokenSource = "file";
    else if (s.oidcRequestToken !== undefined && s.oidcRequestUrl !== undefined) oidcTokenSource = "request";
    else {
      const half =
        s.oidcRequestToken !== undefined
          ? `; ${s.sources.oidcRequestToken} is set but no request URL: set ${names("oidcRequestUrl")}`
          : s.oidcRequestUrl !== undefined
            ? `; ${s.sources.oidcRequestUrl} is set but no request token: set ${names("oidcRequestToken")}`
            : "";
      throw new MissingCredentialSettingError(
        `${s.sources.useOidc} is true but no OIDC token source is set: set ${names("oidcToken")}, ` +
          `${names("oidcTokenFilePath")}, or ${names("oidcRequestToken")} with ${names("oidcRequestUrl")}${half}`,
        names("oidcToken"),
      );
    }
    return { kind: "oidc", ...base, ...ids, oidcTokenSource };
  }
  if (s.useMsi === true) {
    return {
      kind: "managed-identity",
      ...base,
      source: s.sources.useMsi,
      ...(s.clientId !== undefined ? { clientId: s.clientId } : {}),
    };
  }
  // (An explicit client ID with no way to sign in as it was refused above: DefaultAzureCredential reads the
  // environment's AZURE_* variables itself and would sign in as the environment's principal instead.)
  return {
    kind: "default",
    ...base,
    ...(explicit && s.tenantId !== undefined ? { tenantId: s.tenantId } : {}),
  };
}

function isVariable(source: string | undefined): boolean {
  return source !== undefined && /^[A-Z][A-Z0-9_]*$/.test(source);
}

function createCredential(choice: CredentialChoice, s: ResolvedCredentialSettings): TokenCredential {
  const options = { authorityHost: choice.authorityHost, disableInstanceDiscovery: choice.disableInstanceDiscovery };
  const tenantId = choice.tenantId as string;
  const clientId = choice.clientId as string;
  switch (choice.kind) {
    case "client-certificate":
      return certificateFileCredential(tenantId, clientId, s, options);
    case "client-secret":
      return new ClientSecretCredential(tenantId, clientId, s.clientSecret as string, options);
    case "oidc":
      return new ClientAssertionCredential(tenantId, clientId, assertionSource(choice, s), options);
    case "managed-identity":
      return new ManagedIdentityCredential(choice.clientId !== undefined ? { clientId: choice.clientId } : {});
    default:
      return new DefaultAzureCredential({ ...options, ...(choice.tenantId ? { tenantId: choice.tenantId } : {}) });
  }
}

/**
 * A client certificate credential on a PEM file holding the certificate and its private key (PKCS#12 is not supported
 * by @azure/identity in Node). The file is read and checked at the first sign-in (and again when the credential is
 * made anew after a 401): @azure/identity's own error for a PEM without a key, or a key the password does not
 * decrypt, is OpenSSL's ("error:1E08010C:DECODER routines::unsupported"). Messages name the path and the settings,
 * never the password.
 */
function certificateFileCredential(
  tenantId: string,
  clientId: string,
  s: ResolvedCredentialSettings,
  options: { authorityHost: string; disableInstanceDiscovery: boolean },
): TokenCredential {
  let inner: Promise<TokenCredential> | undefined;
  const make = async (): Promise<TokenCredential> => {
    const certificate = await readCertificateFile(s);
    const password = s.clientCertificatePassword;
    return new ClientCertificateCredential(
      tenantId,
      clientId,
      { certificate, ...(password !== undefined ? { certificatePassword: password } : {}) },
      options,
    );
  };
  return {
    getToken: async (scopes, getTokenOptions) => {
      inner ??= make().catch((e: unknown) => {
        inner = undefined; // a fixed file is read again at the next sign-in
        throw e;
      });
      return (await inner).getToken(scopes, getTokenOptions);
    },
  };
}

/** Reads the PEM of `clientCertificatePath` and checks that it holds a certificate and a key the password opens. */
async function readCertificateFile(s: ResolvedCredentialSettings): Promise<string> {
  const path = s.clientCertificatePath as string;
  const shown = `${JSON.stringify(path)} (${s.sources.clientCertificatePath})`;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new Error(`could not read the client certificate file ${shown}: ${(e as Error).message}`);
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
    throw new Error(
      `the client certificate file ${shown} holds no PEM certificate (expected the certificate and its private ` +
        "key in one PEM file; PKCS#12 is not supported)",
    );
  }
  const passwordSource = s.sources.clientCertificatePassword;
  try {
    createPrivateKey({ key: text, format: "pem", passphrase: s.clientCertificatePassword ?? "" });
  } catch {
    throw new Error(
      `the client certificate file ${shown} holds no private key, or ` +
        (passwordSource === undefined
          ? "its key is encrypted and no client certificate password is set"
          : `the client certificate password (${passwordSource}) does not decrypt it`),
    );
  }
  return text;
}

/**
 * The OIDC token, fetched anew each time MSAL needs an assertion (its access token cache is in front): the setting's
 * value, the file read again (Kubernetes and CI runners rotate it), or GitHub Actions' request URL asked for the
 * `api://AzureADTokenExchange` audience.
 */
function assertionSource(choice: CredentialChoice, s: ResolvedCredentialSettings): () => Promise<string> {
  if (choice.oidcTokenSource === "token") {
    const token = s.oidcToken as string;
    return async () => token;
  }
  if (choice.oidcTokenSource === "file") {
    const path = s.oidcTokenFilePath as string;
    const source = s.sources.oidcTokenFilePath;
    return async () => {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (e) {
        throw new Error(
          `could not read the OIDC token file ${JSON.stringify(path)} (${source}): ${(e as Error).message}`,
        );
      }
      const token = text.trim();
      if (token === "") throw new Error(`the OIDC token file ${JSON.stringify(path)} (${source}) is empty`);
      return token;
    };
  }
  const requestUrl = s.oidcRequestUrl as string;
  const requestToken = s.oidcRequestToken as string;
  const source = s.sources.oidcRequestUrl;
  // Through the proxy of HTTPS_PROXY/NO_PROXY, as the ARM requests (proxy.ts): a self-hosted runner behind a proxy.
  let dispatcher: Dispatcher | undefined;
  return async () => {
    const url = new URL(requestUrl);
    url.searchParams.set("audience", OIDC_REQUEST_AUDIENCE);
    const shown = `${JSON.stringify(redactUrl(requestUrl))} (${source})`;
    dispatcher ??= dispatcherFor(new URL(url.origin), proxySettingsFromEnv(process.env));
    let status: number;
    let text: string;
    try {
      // undici's request follows no redirect: the request token goes to this URL only.
      const response = await request(url, {
        method: "GET",
        headers: { authorization: `Bearer ${requestToken}`, accept: "application/json" },
        dispatcher,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (e) {
      throw new Error(`could not reach the OIDC request URL ${shown}: ${(e as Error).message}`);
    }
    if (status < 200 || status > 299) {
      throw new Error(`the OIDC request URL ${shown} answered ${status}: ${text.slice(0, 200)}`);
    }
    let value: unknown;
    try {
      value = (JSON.parse(text) as { value?: unknown }).value;
    } catch {
      value = undefined;
    }
    if (typeof value !== "string" || value === "") {
      throw new Error(`the OIDC request URL ${shown} answered without a token (expected JSON with a "value" string)`);
    }
    return value;
  };
}

/** Everything that makes two principals' credentials different beyond their IDs (hashed into the cache key). */
function secretMaterial(choice: CredentialChoice, s: ResolvedCredentialSettings): unknown[] {
  switch (choice.kind) {
    case "client-certificate":
      return [s.clientCertificatePath, s.clientCertificatePassword];
    case "client-secret":
      return [s.clientSecret];
    case "oidc":
      return [s.oidcToken, s.oidcTokenFilePath, s.oidcRequestToken, s.oidcRequestUrl];
    default:
      return [];
  }
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}
