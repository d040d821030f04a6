// The applications (service principals) of the emulator's tenant and how a token request proves to be one of them:
// a client secret, a certificate-signed client assertion, or a federated token (workload identity federation).
// Refusals carry Entra ID's error codes (docs/emulator.md, "Client assertions", lists each with its source).
// node:crypto only: JWTs are parsed and verified here, no JWT library.
import { X509Certificate, createHash, timingSafeEqual, verify, constants, type KeyObject } from "node:crypto";
import { DEFAULT_FEDERATION_AUDIENCE, type OidcIssuer } from "./oidc-issuer";

/** A federated identity credential: tokens from `issuer` for `subject` and one of `audiences` sign the app in. */
export interface FederatedCredentialSpec {
  issuer: string;
  subject: string;
  /** Accepted `aud` values; default `["api://AzureADTokenExchange"]`, as Entra ID's. */
  audiences?: string[];
}

/** An application registered in the emulator's tenant. */
export interface ApplicationSpec {
  clientId: string;
  /** Client secrets accepted (never logged). */
  clientSecrets?: string[];
  /** PEM certificates whose keys may sign client assertions. */
  certificates?: string[];
  federatedCredentials?: FederatedCredentialSpec[];
}

interface RegisteredCertificate {
  pem: string;
  sha1: string;
  sha256: string;
  publicKey: KeyObject;
}

interface Application {
  clientId: string;
  /** SHA-256 digests of the accepted client secrets: the secrets themselves are kept nowhere. */
  secretDigests: Buffer[];
  certificates: RegisteredCertificate[];
  federated: { issuer: string; subject: string; audiences: string[] }[];
}

/**
 * An application as the state file keeps it (--state): client secrets only as SHA-256 digests (hex), certificates
 * as PEM (public material), federated credentials as registered. The configured client's own secret is left out
 * (it comes from the configuration at every start).
 */
export interface ApplicationState {
  clientId: string;
  clientSecretSha256: string[];
  certificates: string[];
  federatedCredentials: { issuer: string; subject: string; audiences: string[] }[];
}

/** A refusal of the token endpoint, before its Entra ID envelope is added. */
export interface AuthRefusal {
  status: number;
  error: string;
  code: number;
  description: string;
}

/** What a token request presents. */
export interface PresentedClient {
  clientId: string;
  clientSecret?: string;
  assertionType?: string;
  assertion?: string;
}

/** Clock skew allowed on an assertion's `nbf` and `exp`, seconds. */
const CLOCK_SKEW_SECONDS = 300;

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The applications of the tenant. */
export class Applications {
  private readonly apps = new Map<string, Application>();
  private readonly configured: { clientId: string; digest: Buffer };
  /** Called after a change (the state file's writer listens). */
  onChange: () => void = () => undefined;

  constructor(defaultApp: { clientId: string; clientSecret: string }) {
    this.configured = { clientId: defaultApp.clientId.toLowerCase(), digest: digest(defaultApp.clientSecret) };
    this.register({ clientId: defaultApp.clientId, clientSecrets: [defaultApp.clientSecret] });
  }

  /**
   * Registers an application, or adds credentials to one already registered.
   * @throws TypeError naming the property, the value (never a secret) and what was expected.
   */
  register(spec: ApplicationSpec): void {
    if (typeof spec !== "object" || spec === null) throw new TypeError("application: expected an object");
    if (typeof spec.clientId !== "string" || spec.clientId.trim() === "") {
      throw new TypeError(`application.clientId: expected a non-empty string, got ${JSON.stringify(spec.clientId)}`);
    }
    // Everything is checked before anything changes: a refused spec leaves the application as it was.
    const app: Application = { clientId: spec.clientId, secretDigests: [], certificates: [], federated: [] };
    for (const secret of spec.clientSecrets ?? []) {
      if (typeof secret !== "string" || secret === "") {
        throw new TypeError("application.clientSecrets: expected non-empty strings");
      }
      app.secretDigests.push(digest(secret));
    }
    (spec.certificates ?? []).forEach((pem, index) => {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        throw new TypeError(`application.certificates[${index}]: expected a PEM certificate`);
      }
      app.certificates.push({
        pem,
        sha1: createHash("sha1").update(cert.raw).digest("base64url"),
        sha256: createHash("sha256").update(cert.raw).digest("base64url"),
        publicKey: cert.publicKey,
      });
    });
    (spec.federatedCredentials ?? []).forEach((fic, index) => {
      for (const field of ["issuer", "subject"] as const) {
        if (typeof fic?.[field] !== "string" || fic[field] === "") {
          throw new TypeError(`application.federatedCredentials[${index}].${field}: expected a non-empty string`);
        }
      }
      if (
        fic.audiences !== undefined &&
        (!Array.isArray(fic.audiences) || fic.audiences.some((a) => typeof a !== "string"))
      ) {
        throw new TypeError(`application.federatedCredentials[${index}].audiences: expected an array of strings`);
      }
      app.federated.push({
        issuer: fic.issuer,
        subject: fic.subject,
        audiences: fic.audiences ?? [DEFAULT_FEDERATION_AUDIENCE],
      });
    });
    this.merge(app);
    this.onChange();
  }

  /** Adds what the state file kept (--state) to the applications, as {@link register} would. */
  restore(states: readonly ApplicationState[]): void {
    for (const state of states) {
      this.register({
        clientId: state.clientId,
        certificates: state.certificates,
        federatedCredentials: state.federatedCredentials,
      });
      this.merge({
        clientId: state.clientId,
        secretDigests: state.clientSecretSha256.map((hex) => Buffer.from(hex, "hex")),
        certificates: [],
        federated: [],
      });
    }
  }

  /** What the state file keeps: every application and credential, secrets as digests, not the configured secret. */
  toState(): ApplicationState[] {
    const states: ApplicationState[] = [];
    for (const [key, app] of this.apps) {
      const secrets = app.secretDigests.filter(
        (d) => !(key === this.configured.clientId && d.equals(this.configured.digest)),
      );
      if (secrets.length === 0 && app.certificates.length === 0 && app.federated.length === 0) continue;
      states.push({
        clientId: app.clientId,
        clientSecretSha256: secrets.map((d) => d.toString("hex")),
        certificates: app.certificates.map((c) => c.pem),
        federatedCredentials: app.federated.map((f) => ({ ...f, audiences: [...f.audiences] })),
      });
    }
    return states;
  }

  // Adds credentials to an application, each once: registering (or restoring) the same one twice changes nothing.
  private merge(app: Application): void {
    const key = app.clientId.toLowerCase();
    const existing = this.apps.get(key);
    if (existing === undefined) {
      this.apps.set(key, { ...app, secretDigests: [], certificates: [], federated: [] });
      return this.merge(app);
    }
    for (const d of app.secretDigests) {
      if (!existing.secretDigests.some((e) => e.equals(d))) existing.secretDigests.push(d);
    }
    for (const c of app.certificates) {
      if (!existing.certificates.some((e) => e.sha256 === c.sha256)) existing.certificates.push(c);
    }
    for (const f of app.federated) {
      const same = (e: Application["federated"][number]) =>
        e.issuer === f.issuer && e.subject === f.subject && e.audiences.join("\n") === f.audiences.join("\n");
      if (!existing.federated.some(same)) existing.federated.push(f);
    }
  }

  /** Whether the tenant has this application. */
  has(clientId: string): boolean {
    return this.apps.has(clientId.toLowerCase());
  }

  /**
   * Checks a token request's client authentication. `tokenEndpoints` are the URLs a certificate assertion's `aud` may
   * name (Entra ID takes the token endpoint it was posted to); `issuer` is the emulator's own OIDC issuer, the one whose
   * tokens it can verify, at `issuerUrl`.
   */
  authenticate(
    presented: PresentedClient,
    context: { tenantId: string; tokenEndpoints: string[]; issuer: OidcIssuer; issuerUrl: string; now: number },
  ): { clientId: string } | AuthRefusal {
    const app = this.apps.get(presented.clientId.toLowerCase());
    if (app === undefined) {
      return refusal(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${presented.clientId}' was not found in the directory '${context.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (presented.assertion !== undefined || presented.assertionType !== undefined) {
      if (presented.assertionType !== JWT_BEARER) {
        return refusal(
          400,
          "invalid_request",
          900144,
          `The request body must contain the following parameter: 'client_assertion_type' with the value '${JWT_BEARER}'.`,
        );
      }
      return checkAssertion(app, presented.assertion ?? "", context);
    }
    if (presented.clientSecret === undefined || presented.clientSecret === "") {
      return refusal(
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const given = digest(presented.clientSecret);
    if (!app.secretDigests.some((expected) => timingSafeEqual(given, expected))) {
      return refusal(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    }
    return { clientId: app.clientId };
  }
}

interface ParsedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
}

function checkAssertion(
  app: Application,
  assertion: string,
  context: { tokenEndpoints: string[]; issuer: OidcIssuer; issuerUrl: string; now: number },
): { clientId: string } | AuthRefusal {
  const jwt = parseJwt(assertion);
  if (jwt === undefined) return refusal(401, "invalid_client", 50027, "JWT token is invalid or malformed.");
  const alg = jwt.header.alg;
  if (alg !== "RS256" && alg !== "PS256") {
    // An unsigned token (alg "none") or one signed with a shared key is never a client credential.
    return refusal(
      401,
      "invalid_client",
      50027,
      `JWT token is invalid or malformed. The client assertion's signing algorithm ${JSON.stringify(alg)} is not supported; expected RS256 or PS256.`,
    );
  }
  const { iss, sub, aud } = jwt.claims;
  const x5t = jwt.header["x5t#S256"] ?? jwt.header.x5t;
  let key: KeyObject | undefined;
  if (x5t !== undefined || (iss === app.clientId && sub === app.clientId)) {
    // A certificate credential: signed by the app itself, for the token endpoint.
    const field = jwt.header["x5t#S256"] !== undefined ? "sha256" : "sha1";
    const cert = app.certificates.find((c) => c[field] === x5t);
    if (cert === undefined) {
      return refusal(
        401,
        "invalid_client",
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${typeof x5t === "string" ? Buffer.from(x5t, "base64url").toString("hex").toUpperCase() : ""}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
      );
    }
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((a) => context.tokenEndpoints.includes(String(a)))) {
      return refusal(
        401,
        "invalid_client",
        700212,
        `No matching federated identity record found for presented assertion audience '${String(aud)}'. The audience of a certificate assertion must be the token endpoint.`,
      );
    }
    key = cert.publicKey;
  } else {
    const record = app.federated.find(
      (f) =>
        f.issuer === iss &&
        f.subject === sub &&
        (Array.isArray(aud) ? aud : [aud]).some((a) => f.audiences.includes(String(a))),
    );
    if (record === undefined) {
      return refusal(
        400,
        "invalid_client",
        700213,
        `No matching federated identity record found for presented assertion subject '${String(sub)}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      );
    }
    key = iss === context.issuerUrl ? context.issuer.publicKeyOf(jwt.header.kid) : undefined;
    if (key === undefined) {
      return refusal(
        401,
        "invalid_client",
        700027,
        `Client assertion failed signature validation. [Reason - The key was not found at the issuer '${String(iss)}'.]`,
      );
    }
  }
  if (!signatureValid(alg, jwt, key)) {
    return refusal(401, "invalid_client", 700027, "Client assertion failed signature validation.");
  }
  const now = Math.floor(context.now / 1000);
  const exp = typeof jwt.claims.exp === "number" ? jwt.claims.exp : undefined;
  const nbf = typeof jwt.claims.nbf === "number" ? jwt.claims.nbf : undefined;
  // Entra ID allows five minutes of clock skew either side (inferred; docs/emulator.md, "Client assertions").
  if (exp === undefined || exp + CLOCK_SKEW_SECONDS <= now || (nbf !== undefined && nbf - CLOCK_SKEW_SECONDS > now)) {
    const when = (s: number | undefined) => (s === undefined ? "none" : new Date(s * 1000).toISOString());
    return refusal(
      401,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date(context.now).toISOString()}, assertion valid from ${when(nbf)}, expiry time of assertion ${when(exp)}.`,
    );
  }
  return { clientId: app.clientId };
}

function parseJwt(token: string): ParsedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] === "" || parts[1] === "") return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as unknown;
    if (typeof header !== "object" || header === null || typeof claims !== "object" || claims === null)
      return undefined;
    return {
      header: header as Record<string, unknown>,
      claims: claims as Record<string, unknown>,
      signed: Buffer.from(`${parts[0]}.${parts[1]}`),
      signature: Buffer.from(parts[2], "base64url"),
    };
  } catch {
    return undefined;
  }
}

function signatureValid(alg: "RS256" | "PS256", jwt: ParsedJwt, key: KeyObject): boolean {
  try {
    return alg === "RS256"
      ? verify("sha256", jwt.signed, key, jwt.signature)
      : verify(
          "sha256",
          jwt.signed,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
          jwt.signature,
        );
  } catch {
    return false;
  }
}

function refusal(status: number, error: string, code: number, description: string): AuthRefusal {
  return { status, error, code, description };
}

// Compare digests, so that neither the length nor the content of the secret leaks through timing.
function digest(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}
