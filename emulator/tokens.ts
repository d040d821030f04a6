// Bearer tokens the emulator issues and checks. A token is JWT-shaped (clients may decode it) and
// signed with HMAC-SHA256 under a key the emulator keeps (persisted with --state, so tokens cached by
// clients stay valid across restarts, as real tokens do). Tokens never appear in logs or errors.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/** Claims of an emulator token (a subset of an Entra ID app token's). */
export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  appid: string;
  oid: string;
  sub: string;
  tid: string;
  idtyp: "app";
  ver: "1.0";
  /** Issue sequence number: revokeTokens/expireTokens act on everything issued up to a number. */
  xms_emu_seq: number;
}

/** Outcome of checking a presented token. */
export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "expired"; expiredAt: Date };

/** Persisted part of the token service. */
export interface TokenServiceState {
  /** Signing key, base64. */
  key: string;
  sequence: number;
  revokedThrough: number;
  expiredThrough: number;
  /** When expireTokens was called (ms since the epoch); shown as the expiry of the tokens it expired. */
  expiredAt: number;
}

const CACHE_LIMIT = 4096;
const HEADER = base64url(JSON.stringify({ typ: "JWT", alg: "HS256", kid: "vmss-identity-emulator" }));

/** Issues and verifies the emulator's access tokens. */
export class TokenService {
  private readonly key: Buffer;
  private sequence: number;
  private revokedThrough: number;
  private expiredThrough: number;
  private expiredAt: number;
  // Verified tokens: checking a signature and parsing JSON on every ARM call would cost more than the
  // rest of a GET; the cache is cleared whenever revocation or expiry marks move.
  private readonly verified = new Map<string, TokenClaims>();

  constructor(state?: TokenServiceState) {
    this.key = state === undefined ? randomBytes(32) : Buffer.from(state.key, "base64");
    this.sequence = state?.sequence ?? 0;
    this.revokedThrough = state?.revokedThrough ?? 0;
    this.expiredThrough = state?.expiredThrough ?? 0;
    this.expiredAt = state?.expiredAt ?? 0;
  }

  /**
   * Issues a token.
   * @param lifetimeSeconds validity from now, in seconds.
   */
  issue(input: {
    clientId: string;
    objectId: string;
    tenantId: string;
    audience: string;
    lifetimeSeconds: number;
    now: number;
  }): {
    accessToken: string;
    claims: TokenClaims;
  } {
    const iat = Math.floor(input.now / 1000);
    this.sequence += 1;
    const claims: TokenClaims = {
      aud: input.audience,
      iss: `https://sts.windows.net/${input.tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + input.lifetimeSeconds,
      appid: input.clientId,
      oid: input.objectId,
      sub: input.objectId,
      tid: input.tenantId,
      idtyp: "app",
      ver: "1.0",
      xms_emu_seq: this.sequence,
    };
    const unsigned = `${HEADER}.${base64url(JSON.stringify({ ...claims, jti: randomUUID() }))}`;
    return { accessToken: `${unsigned}.${this.signature(unsigned)}`, claims };
  }

  /** Checks a presented token at time `now` (ms since the epoch). */
  check(token: string, now: number): TokenCheck {
    let claims = this.verified.get(token);
    if (claims === undefined) {
      claims = this.verify(token);
      if (claims === undefined) return { ok: false, reason: "invalid" };
      if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
      this.verified.set(token, claims);
    }
    if (claims.xms_emu_seq <= this.revokedThrough) return { ok: false, reason: "invalid" };
    if (claims.xms_emu_seq <= this.expiredThrough) {
      return { ok: false, reason: "expired", expiredAt: new Date(Math.min(this.expiredAt, claims.exp * 1000)) };
    }
    if (claims.exp * 1000 <= now) return { ok: false, reason: "expired", expiredAt: new Date(claims.exp * 1000) };
    return { ok: true, claims };
  }

  /** Makes every token issued so far invalid (401 InvalidAuthenticationToken). */
  revokeAll(): void {
    this.revokedThrough = this.sequence;
    this.verified.clear();
  }

  /** Makes every token issued so far expired (401 ExpiredAuthenticationToken). */
  expireAll(now: number): void {
    this.expiredThrough = this.sequence;
    this.expiredAt = now;
    this.verified.clear();
  }

  /** State to persist. */
  toState(): TokenServiceState {
    return {
      key: this.key.toString("base64"),
      sequence: this.sequence,
      revokedThrough: this.revokedThrough,
      expiredThrough: this.expiredThrough,
      expiredAt: this.expiredAt,
    };
  }

  private verify(token: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.signature(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as TokenClaims;
      return typeof claims.exp === "number" && typeof claims.xms_emu_seq === "number" ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private signature(unsigned: string): string {
    return createHmac("sha256", this.key).update(unsigned).digest("base64url");
  }
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
