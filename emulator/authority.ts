// The Entra ID side: OpenID discovery documents and the OAuth 2.0 client-credentials token endpoint,
// enough for curl and for @azure/identity's ClientSecretCredential with this emulator as authority host
// (docs/arm-behavior.md, "Tokens": it reads token_endpoint, issuer, authorization_endpoint, jwks_uri,
// end_session_endpoint, then POSTs the form), and for the Azure CLI through an ADFS-style authority `<emulator>/adfs`
// (as Azure Stack Hub uses: MSAL asks no instance-discovery service for a tenant named `adfs`, so `az login` stays
// offline). The tenant is addressed as Entra ID accepts it: its GUID or its default domain; `adfs` is the AD FS
// authority. Error bodies follow Entra ID's shape
// ({error, error_description "AADSTSnnnn: …", error_codes, timestamp, trace_id, correlation_id}).
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorCore } from "./core";
import { ISSUER_PATH } from "./oidc-issuer";

/** An answer of the authority endpoints. */
export interface AuthorityReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Client named by a token request, for the request log. */
  clientId?: string;
  requestId: string;
}

/** An authority request. */
export interface AuthorityCall {
  method: string;
  tenant: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  baseUrl: string;
  now: number;
  /** The query string (the OIDC issuer's request URL reads `audience`). */
  query?: URLSearchParams;
}

// Audiences ARM tokens are issued for in the public, US Government and China clouds
// (docs/arm-behavior.md, "Tokens"); the emulator also accepts its own URL (any loopback origin, or the
// origin the client connected to).
const ARM_AUDIENCES = new Set([
  "https://management.azure.com",
  "https://management.core.windows.net",
  "https://management.usgovcloudapi.net",
  "https://management.core.usgovcloudapi.net",
  "https://management.chinacloudapi.cn",
  "https://management.core.chinacloudapi.cn",
]);
const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

/** GET /{tenant}/v2.0/.well-known/openid-configuration and GET /{tenant}/.well-known/openid-configuration */
export function openidConfiguration(core: EmulatorCore, call: AuthorityCall, version: "v1" | "v2"): AuthorityReply {
  const requestId = randomUUID();
  if (call.method !== "GET") return methodNotAllowed(call, requestId);
  const tenant = tenantKind(core, call.tenant);
  // AD FS publishes one document, at /adfs/.well-known/openid-configuration; /adfs/v2.0/… is Entra's path.
  if (tenant === "adfs" && version === "v1") return adfsConfiguration(call, requestId);
  if (tenant !== "entra") return tenantNotFound(call, requestId);
  const base = `${call.baseUrl}/${core.config.tenantId}`;
  const v2 = version === "v2";
  const body = {
    token_endpoint: v2 ? `${base}/oauth2/v2.0/token` : `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: v2 ? `${base}/v2.0` : `https://sts.windows.net/${core.config.tenantId}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${call.baseUrl}/oidc/userinfo`,
    authorization_endpoint: v2 ? `${base}/oauth2/v2.0/authorize` : `${base}/oauth2/authorize`,
    device_authorization_endpoint: v2 ? `${base}/oauth2/v2.0/devicecode` : `${base}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: v2 ? `${base}/oauth2/v2.0/logout` : `${base}/oauth2/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid"],
    tenant_region_scope: "WW",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
  return { status: 200, body, requestId, headers: commonHeaders(call, requestId) };
}

/**
 * The AD FS discovery document (the fields of AD FS 2019's, https://learn.microsoft.com/windows-server/identity/ad-fs/development/ad-fs-openid-connect-oauth-concepts):
 * every endpoint under `<emulator>/adfs`, token endpoint with AD FS's trailing slash.
 */
function adfsConfiguration(call: AuthorityCall, requestId: string): AuthorityReply {
  const base = `${call.baseUrl}/adfs`;
  const body = {
    issuer: base,
    authorization_endpoint: `${base}/oauth2/authorize/`,
    token_endpoint: `${base}/oauth2/token/`,
    jwks_uri: `${base}/discovery/keys`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt"],
    response_types_supported: [
      "code",
      "id_token",
      "code id_token",
      "id_token token",
      "code token",
      "code id_token token",
    ],
    response_modes_supported: ["query", "fragment", "form_post"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    subject_types_supported: ["pairwise"],
    scopes_supported: ["openid", "profile", "email", "allatclaims", "user_impersonation"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_signing_alg_values_supported: ["RS256"],
    access_token_issuer: `${base}/services/trust`,
    claims_supported: [
      "aud",
      "iss",
      "iat",
      "exp",
      "auth_time",
      "nonce",
      "at_hash",
      "c_hash",
      "sub",
      "upn",
      "unique_name",
      "pwd_url",
      "pwd_exp",
      "sid",
    ],
    microsoft_multi_refresh_token: true,
    userinfo_endpoint: `${base}/userinfo`,
    capabilities: [],
    end_session_endpoint: `${base}/oauth2/logout`,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
  };
  return { status: 200, body, requestId, headers: commonHeaders(call, requestId) };
}

/** GET /{tenant}/discovery/v2.0/keys: no signing keys (emulator tokens are not meant to be verified by clients). */
export function signingKeys(core: EmulatorCore, call: AuthorityCall): AuthorityReply {
  const requestId = randomUUID();
  if (tenantKind(core, call.tenant) === undefined) return tenantNotFound(call, requestId);
  return { status: 200, body: { keys: [] }, requestId, headers: commonHeaders(call, requestId) };
}

/**
 * POST /{tenant}/oauth2/v2.0/token (form: grant_type=client_credentials, client_id, client_secret, scope;
 * other fields MSAL adds are ignored), the v1 endpoint POST /{tenant}/oauth2/token (resource instead of scope),
 * and AD FS's POST /adfs/oauth2/token (scope or resource, as AD FS 2019 takes either).
 */
export function tokenEndpoint(core: EmulatorCore, call: AuthorityCall, version: "v1" | "v2"): AuthorityReply {
  const requestId = randomUUID();
  if (call.method !== "POST") return methodNotAllowed(call, requestId);
  const tenant = tenantKind(core, call.tenant);
  if (tenant === undefined || (tenant === "adfs" && version === "v2")) return tenantNotFound(call, requestId);
  const form = new URLSearchParams(call.body.toString("utf8"));
  const basic = basicCredentials(call.headers.authorization);
  const clientId = form.get("client_id") ?? basic?.clientId;
  const clientSecret = form.get("client_secret") ?? basic?.clientSecret;
  const fail = (status: number, error: string, code: number, description: string): AuthorityReply => ({
    ...aadError(call, requestId, status, error, code, description),
    ...(clientId === null || clientId === undefined ? {} : { clientId }),
  });

  const grantType = form.get("grant_type");
  if (grantType === null) {
    return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
  }
  if (grantType !== "client_credentials") {
    return fail(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType}'. The ARM emulator supports only 'client_credentials'.`,
    );
  }
  if (clientId === null || clientId === undefined || clientId === "") {
    return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
  }
  // Who the caller is: a client secret, a certificate-signed assertion or a federated token (applications.ts).
  const tenantPaths = [core.config.tenantId, core.config.tenantDomain, call.tenant];
  const tokenEndpoints = tenantPaths.flatMap((t) => [
    `${call.baseUrl}/${t}/oauth2/v2.0/token`,
    `${call.baseUrl}/${t}/oauth2/token`,
  ]);
  const auth = core.applications.authenticate(
    {
      clientId,
      ...(clientSecret !== null && clientSecret !== undefined ? { clientSecret } : {}),
      ...(form.get("client_assertion") !== null ? { assertion: form.get("client_assertion") as string } : {}),
      ...(form.get("client_assertion_type") !== null
        ? { assertionType: form.get("client_assertion_type") as string }
        : {}),
    },
    {
      tenantId: core.config.tenantId,
      tokenEndpoints,
      issuer: core.oidcIssuer,
      issuerUrl: `${call.baseUrl}${ISSUER_PATH}`,
      now: call.now,
    },
  );
  if ("code" in auth) return fail(auth.status, auth.error, auth.code, auth.description);
  const principal = auth.clientId;

  let resource: string;
  if (version === "v2" || (tenant === "adfs" && form.get("resource") === null)) {
    const scope = form.get("scope");
    if (scope === null || scope.trim() === "") {
      return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
    }
    const resourceScopes = scope.split(/\s+/).filter((item) => item !== "" && !OIDC_SCOPES.has(item.toLowerCase()));
    if (resourceScopes.length !== 1 || !resourceScopes[0].endsWith("/.default")) {
      return fail(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    resource = resourceScopes[0].slice(0, -"/.default".length);
  } else {
    const given = form.get("resource");
    if (given === null || given === "") {
      return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'resource'.");
    }
    resource = given;
  }
  const audienceBase = resource.replace(/\/+$/, "");
  const ownOrigin = audienceBase.toLowerCase() === call.baseUrl.toLowerCase();
  if (!ARM_AUDIENCES.has(audienceBase.toLowerCase()) && !LOOPBACK_ORIGIN.test(audienceBase) && !ownOrigin) {
    return fail(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${core.config.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }

  const lifetime = core.config.tokenLifetimeSeconds;
  const { accessToken, claims } = core.tokens.issue({
    clientId: principal,
    objectId: core.objectIdOf(principal),
    tenantId: core.config.tenantId,
    audience: `${audienceBase}/`,
    lifetimeSeconds: lifetime,
    now: call.now,
  });
  core.store.onChange(); // the token sequence number is part of the persisted state
  const body =
    tenant === "adfs"
      ? { access_token: accessToken, token_type: "bearer", expires_in: lifetime }
      : version === "v2"
        ? { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }
        : {
            token_type: "Bearer",
            expires_in: String(lifetime),
            ext_expires_in: String(lifetime),
            expires_on: String(claims.exp),
            not_before: String(claims.nbf),
            resource,
            access_token: accessToken,
          };
  return {
    status: 200,
    body,
    requestId,
    clientId: principal,
    headers: { ...commonHeaders(call, requestId), "cache-control": "no-store, no-cache", pragma: "no-cache" },
  };
}

/**
 * How a path names the tenant: "entra" for its ID or its default domain (Entra ID accepts either), "adfs" for
 * the AD FS authority, undefined for any other tenant.
 */
function tenantKind(core: EmulatorCore, tenant: string): "entra" | "adfs" | undefined {
  const name = tenant.toLowerCase();
  if (name === core.config.tenantId.toLowerCase() || name === core.config.tenantDomain.toLowerCase()) return "entra";
  return name === "adfs" ? "adfs" : undefined;
}

function tenantNotFound(call: AuthorityCall, requestId: string): AuthorityReply {
  return aadError(
    call,
    requestId,
    400,
    "invalid_tenant",
    90002,
    `Tenant '${call.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. The ARM emulator serves one tenant.`,
  );
}

function methodNotAllowed(call: AuthorityCall, requestId: string): AuthorityReply {
  return aadError(
    call,
    requestId,
    405,
    "invalid_request",
    900561,
    `The endpoint only accepts ${call.method === "GET" ? "POST" : "GET"} requests. Received a ${call.method} request.`,
  );
}

function aadError(
  call: AuthorityCall,
  requestId: string,
  status: number,
  error: string,
  code: number,
  description: string,
): AuthorityReply {
  const correlationId = headerText(call.headers["client-request-id"]) ?? randomUUID();
  const timestamp = new Date(call.now)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace("T", " ");
  return {
    status,
    requestId,
    headers: commonHeaders(call, requestId),
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${requestId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: requestId,
      correlation_id: correlationId,
      error_uri: `${call.baseUrl}/error?code=${code}`,
    },
  };
}

function commonHeaders(call: AuthorityCall, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { "x-ms-request-id": requestId };
  const clientRequestId = headerText(call.headers["client-request-id"]);
  if (clientRequestId !== undefined) headers["client-request-id"] = clientRequestId;
  return headers;
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The emulator's OIDC issuer (oidc-issuer.ts) at `<emulator>/_oidc`: its discovery document, its JWKS, and the
 * GitHub-style request URL `GET /_oidc/token?audience=…` (Authorization: Bearer <request token from the admin API>),
 * which answers `{"count":1,"value":"<JWT>"}` as GitHub Actions' does, or 401 for an unknown request token.
 */
export function oidcIssuerEndpoint(
  core: EmulatorCore,
  call: AuthorityCall,
  what: "configuration" | "keys" | "token",
): AuthorityReply {
  const requestId = randomUUID();
  if (call.method !== "GET") return methodNotAllowed(call, requestId);
  const issuerUrl = `${call.baseUrl}${ISSUER_PATH}`;
  if (what === "configuration") return { status: 200, body: core.oidcIssuer.configuration(issuerUrl), requestId };
  if (what === "keys") return { status: 200, body: core.oidcIssuer.jwks(), requestId };
  const header = headerText(call.headers.authorization) ?? "";
  const match = /^bearer\s+(\S+)$/i.exec(header.trim());
  const subject = match === null ? undefined : core.oidcIssuer.subjectOf(match[1]);
  if (subject === undefined) {
    return { status: 401, body: { message: "Bad credentials: unknown or missing request token" }, requestId };
  }
  const audience = call.query?.get("audience") || "api://AzureADTokenExchange";
  return {
    status: 200,
    body: { count: 1, value: core.oidcIssuer.mint({ issuer: issuerUrl, subject, audience }) },
    requestId,
  };
}

/** Client ID of the machine's system-assigned managed identity, as the emulator's managed identity endpoint signs it in. */
export const MACHINE_IDENTITY_CLIENT_ID = "99999999-9999-4999-8999-999999999999";

/**
 * An App Service-style managed identity endpoint at `<emulator>/msi/token`
 * (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference):
 * `GET ?api-version=2019-08-01&resource=<ARM>` with the `X-IDENTITY-HEADER` the admin API gives
 * (`managedIdentityEndpoint()`), as `@azure/identity`'s ManagedIdentityCredential sends it when IDENTITY_ENDPOINT and
 * IDENTITY_HEADER are set. Answers a token of the machine's identity ({@link MACHINE_IDENTITY_CLIENT_ID}), or of the
 * application named by `client_id` (a user-assigned identity), in App Service's shape.
 */
export function managedIdentityEndpoint(core: EmulatorCore, call: AuthorityCall): AuthorityReply {
  const requestId = randomUUID();
  if (call.method !== "GET") return methodNotAllowed(call, requestId);
  const fail = (status: number, message: string): AuthorityReply => ({
    status,
    body: { statusCode: status, message, correlationId: requestId },
    requestId,
  });
  if (headerText(call.headers["x-identity-header"]) !== core.identityHeader) {
    return fail(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
  }
  if (call.query?.get("api-version") !== "2019-08-01") {
    return fail(400, "The api-version parameter must be 2019-08-01.");
  }
  const resource = call.query?.get("resource") ?? "";
  const audienceBase = resource.replace(/\/+$/, "");
  if (
    resource === "" ||
    (!ARM_AUDIENCES.has(audienceBase.toLowerCase()) &&
      !LOOPBACK_ORIGIN.test(audienceBase) &&
      audienceBase.toLowerCase() !== call.baseUrl.toLowerCase())
  ) {
    return fail(400, `The resource ${JSON.stringify(resource)} is not one the emulator issues tokens for.`);
  }
  const asked = call.query?.get("client_id");
  if (asked !== null && asked !== undefined && !core.applications.has(asked)) {
    return fail(400, `No managed identity with client_id '${asked}' is assigned to this machine.`);
  }
  const clientId = asked ?? MACHINE_IDENTITY_CLIENT_ID;
  const lifetime = core.config.tokenLifetimeSeconds;
  const { accessToken, claims } = core.tokens.issue({
    clientId,
    objectId: core.objectIdOf(clientId),
    tenantId: core.config.tenantId,
    audience: `${audienceBase}/`,
    lifetimeSeconds: lifetime,
    now: call.now,
  });
  core.store.onChange();
  return {
    status: 200,
    body: {
      access_token: accessToken,
      expires_on: String(claims.exp),
      resource,
      token_type: "Bearer",
      client_id: clientId,
    },
    requestId,
    clientId,
  };
}
