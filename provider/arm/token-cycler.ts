/**
 * Keeps one bearer token for one scope and refreshes it ahead of expiry, with at most one refresh in flight
 * (the habit of core-rest-pipeline's tokenCycler). Requests never wait for a token while the current one is
 * comfortably valid, and a burst of 401s for the same token causes one renewal, not one per request.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { isRenewableCredential } from "./credential";

/** Timing knobs of {@link AccessTokenCycler}, in ms. */
export interface TokenCyclerOptions {
  /** Start refreshing this long before expiry, in the background while the token still works. Default 120 000. */
  refreshWindowMs?: number;
  /** Below this much remaining lifetime, requests wait for the refresh instead of using the old token. Default 5 000. */
  forcedRefreshWindowMs?: number;
  /** After a failed background refresh, wait this long before trying again. Default 3 000. */
  retryIntervalMs?: number;
}

/** One scope's token for one credential. */
export class AccessTokenCycler {
  private current: AccessToken | undefined;
  private refreshing: Promise<AccessToken> | undefined;
  private nextBackgroundAttemptAt = 0;
  private readonly refreshWindowMs: number;
  private readonly forcedRefreshWindowMs: number;
  private readonly retryIntervalMs: number;

  /**
   * @param credential any TokenCredential; a {@link RenewableTokenCredential} lets {@link renewAfterRejection}
   *   bypass the credential's own cache.
   * @param scope OAuth scope, e.g. `https://management.azure.com/.default`.
   */
  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    options: TokenCyclerOptions = {},
  ) {
    this.refreshWindowMs = options.refreshWindowMs ?? 120_000;
    this.forcedRefreshWindowMs = options.forcedRefreshWindowMs ?? 5_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 3_000;
  }

  /** A token that is valid now: the cached one, or the result of the (single) refresh in flight. */
  async getToken(): Promise<string> {
    const now = Date.now();
    const token = this.current;
    if (token !== undefined && now < token.expiresOnTimestamp - this.forcedRefreshWindowMs) {
      if (now >= this.refreshAt(token) && this.refreshing === undefined && now >= this.nextBackgroundAttemptAt) {
        // Background refresh: the current token still works, so a failure only delays the next attempt.
        this.refresh(false).catch(() => {
          this.nextBackgroundAttemptAt = Date.now() + this.retryIntervalMs;
        });
      }
      return token.token;
    }
    return (await this.refresh(false)).token;
  }

  /**
   * After ARM rejected `rejectedToken` with 401: a different token if another request already renewed it,
   * else a new one fetched past every cache (a fresh credential instance for a renewable credential).
   */
  async renewAfterRejection(rejectedToken: string): Promise<string> {
    if (this.refreshing !== undefined) await this.refreshing.catch(() => undefined);
    if (this.current !== undefined && this.current.token !== rejectedToken) return this.current.token;
    return (await this.refresh(true)).token;
  }

  private refreshAt(token: AccessToken): number {
    return token.refreshAfterTimestamp ?? token.expiresOnTimestamp - this.refreshWindowMs;
  }

  private refresh(bypassCache: boolean): Promise<AccessToken> {
    if (this.refreshing !== undefined) return this.refreshing;
    const scope = this.scope;
    const credential = this.credential;
    const fetching =
      bypassCache && isRenewableCredential(credential) ? credential.getFreshToken(scope) : credential.getToken(scope);
    this.refreshing = fetching
      .then((token) => {
        if (token === null) throw new Error(`the credential returned no token for scope ${scope}`);
        this.current = token;
        return token;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
