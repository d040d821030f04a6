// A token issuer the emulator trusts, standing in for GitHub Actions' (https://token.actions.githubusercontent.com)
// or a Kubernetes cluster's: it serves OpenID discovery and its JWKS under `<emulator>/_oidc`, and a GitHub-style
// request URL (`GET <emulator>/_oidc/token?audience=…` with `Authorization: Bearer <request token>`, answering
// `{"count":…,"value":"<JWT>"}`, as GitHub's ACTIONS_ID_TOKEN_REQUEST_URL does:
// https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
// Request tokens are handed out by the admin API (oidcRequestToken), each bound to a subject. Tokens are RS256 JWTs
// signed with a key made at first use (node:crypto only), so a client may verify them as it would GitHub's. With
// --state the key and the request tokens (as digests) are kept in the state file, so tokens minted before a restart
// are still accepted after it.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from "node:crypto";

/** Path under which the issuer lives (its issuer URL is `<emulator URL>/_oidc`). */
export const ISSUER_PATH = "/_oidc";

/** The audience GitHub's request URL gives when none is asked for, and that Entra ID expects by default. */
export const DEFAULT_FEDERATION_AUDIENCE = "api://AzureADTokenExchange";

/** Claims of a minted OIDC token. */
export interface OidcTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

/**
 * The issuer as the state file keeps it (--state): its signing key (PKCS#8 PEM: the test double's own key, made by
 * the emulator) and its request tokens as SHA-256 digests (hex) with their subjects.
 */
export interface OidcIssuerState {
  privateKeyPem: string;
  kid: string;
  requestTokens: { sha256: string; subject: string }[];
}

/** The emulator's OIDC issuer: its key, its request tokens. */
export class OidcIssuer {
  private keys: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;
  /** Subjects by the SHA-256 digest (hex) of their request token: the tokens themselves are kept nowhere. */
  private readonly requestTokens = new Map<string, string>();
  /** Called after a change (the state file's writer listens). */
  onChange: () => void = () => undefined;

  /** A request token for `subject` (as GitHub Actions gives a job ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  newRequestToken(subject: string): string {
    const token = randomBytes(24).toString("base64url");
    this.requestTokens.set(digest(token), subject);
    this.onChange();
    return token;
  }

  /** The subject a request token was given for; undefined for an unknown token. */
  subjectOf(requestToken: string): string | undefined {
    return this.requestTokens.get(digest(requestToken));
  }

  /** Takes the key and request tokens the state file kept. @throws Error when the key cannot be read. */
  restore(state: OidcIssuerState): void {
    const privateKey = createPrivateKey(state.privateKeyPem);
    this.keys = { privateKey, publicKey: createPublicKey(privateKey), kid: state.kid };
    for (const { sha256, subject } of state.requestTokens) this.requestTokens.set(sha256, subject);
  }

  /** What the state file keeps; undefined while the issuer has neither key nor request token. */
  toState(): OidcIssuerState | undefined {
    if (this.keys === undefined && this.requestTokens.size === 0) return undefined;
    const keys = this.signingKeys();
    return {
      privateKeyPem: keys.privateKey.export({ format: "pem", type: "pkcs8" }) as string,
      kid: keys.kid,
      requestTokens: [...this.requestTokens].map(([sha256, subject]) => ({ sha256, subject })),
    };
  }

  /**
   * Mints a signed token.
   * @param lifetimeSeconds validity from `issuedAt` (GitHub's tokens live about 5 minutes; default 300).
   * @param issuedAt seconds since the epoch (default now); a past value makes an expired token for tests.
   */
  mint(input: {
    issuer: string;
    subject: string;
    audience: string;
    lifetimeSeconds?: number;
    issuedAt?: number;
  }): string {
    const keys = this.signingKeys();
    const iat = input.issuedAt ?? Math.floor(Date.now() / 1000);
    const claims: OidcTokenClaims = {
      iss: input.issuer,
      sub: input.subject,
      aud: input.audience,
      iat,
      nbf: iat,
      exp: iat + (input.lifetimeSeconds ?? 300),
      jti: randomUUID(),
    };
    const header = { typ: "JWT", alg: "RS256", kid: keys.kid };
    const unsigned = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
    return `${unsigned}.${sign("sha256", Buffer.from(unsigned), keys.privateKey).toString("base64url")}`;
  }

  /** The public key for a `kid`, to verify a presented token; undefined for another key. */
  publicKeyOf(kid: unknown): KeyObject | undefined {
    const keys = this.signingKeys();
    return kid === keys.kid ? keys.publicKey : undefined;
  }

  /** The discovery document for the issuer at `issuerUrl`. */
  configuration(issuerUrl: string): Record<string, unknown> {
    return {
      issuer: issuerUrl,
      jwks_uri: `${issuerUrl}/.well-known/jwks`,
      subject_types_supported: ["public", "pairwise"],
      response_types_supported: ["id_token"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid"],
    };
  }

  /** The JWKS: the one signing key. */
  jwks(): Record<string, unknown> {
    const keys = this.signingKeys();
    const jwk = keys.publicKey.export({ format: "jwk" });
    return { keys: [{ ...jwk, kid: keys.kid, use: "sig", alg: "RS256" }] };
  }

  // Made at the first use: RSA key generation takes tens of ms, which an emulator without OIDC never needs.
  private signingKeys(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (this.keys === undefined) {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      this.keys = { privateKey, publicKey: createPublicKey(privateKey), kid: randomBytes(8).toString("hex") };
      this.onChange();
    }
    return this.keys;
  }
}

function digest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
