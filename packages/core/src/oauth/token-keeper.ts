import { text } from '@correio/texts';
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { emailAccounts, type AccountRow } from '../db/schema/account.ts';
import { oauthGrants, type OAuthGrantRow } from '../db/schema/oauth.ts';
import type { Logger } from '../logging/logger.ts';
import { grantSecretContext } from '../secrets/secret-binding.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { OAuthError, type OAuthClients, type OAuthTokens } from './oauth-client.ts';

/** The account columns a grant's tokens are bound to (see grantSecretContext). */
export type GrantAccount = Pick<AccountRow, 'id' | 'incomingProtocol' | 'incomingHost' | 'incomingPort' | 'outgoingHost' | 'outgoingPort'>;

export interface TokenKeeperOptions {
  /** Refresh this long before expiry (capped at half the token's lifetime, for short-lived tokens). */
  refreshAheadMs: number;
  /** A grant not refreshed for this long is refreshed anyway, so its refresh token never lapses. */
  keepAliveMs: number;
  /** How long one process may hold the refresh claim (a crashed holder's claim runs out). */
  claimMs: number;
  /** How often a process waiting for another's refresh looks again. */
  waitPollMs: number;
}

export const DEFAULT_TOKEN_KEEPER_OPTIONS: TokenKeeperOptions = { refreshAheadMs: 5 * 60_000, keepAliveMs: 20 * 3600_000, claimMs: 30_000, waitPollMs: 250 };

export interface TokenKeeperDeps {
  db: Database;
  secrets: SecretBox;
  clients: Pick<OAuthClients, 'refresh'>;
  logger: Logger;
  /** Who holds a claim (engine owner or API process id), for the logs and the claim itself. */
  owner: string;
  /** Called when a grant is refused for good: the account's mailbox must stop and say so. */
  onGrantFailed?: (accountId: string) => void;
  now?: () => number;
}

/**
 * Keeps every OAuth mailbox's access token fresh (issue 13). Whoever needs a token asks here; a
 * token close to expiry is refreshed once across all processes — the claim is a column of the
 * grant row, taken by a conditional UPDATE, so it survives no crash longer than `claimMs` and
 * holds no transaction open during the HTTP call (PGlite has one connection). The new access token
 * and a rotated refresh token are stored by one UPDATE. A refusal for good (`invalid_grant` …) is
 * remembered on the grant: nothing asks the provider again until an admin reconnects.
 */
export class OAuthTokenKeeper {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly options: TokenKeeperOptions;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly deps: TokenKeeperDeps,
    options: Partial<TokenKeeperOptions> = {},
  ) {
    this.options = { ...DEFAULT_TOKEN_KEEPER_OPTIONS, ...options };
    this.now = deps.now ?? Date.now;
    this.log = deps.logger.child({ component: 'oauth' });
  }

  /**
   * A usable access token for an OAuth account. `force`: the server just refused the one we have
   * (revoked early), so refresh now — and if the provider refuses too, the grant is gone.
   */
  async accessToken(account: GrantAccount, options: { force?: boolean; maxAgeMs?: number } = {}): Promise<string> {
    const grant = await this.grantOf(account.id);
    const stale = options.maxAgeMs !== undefined && this.now() - grant.refreshedAt.getTime() > options.maxAgeMs;
    const current = this.usable(grant, account, (options.force ?? false) || stale);
    if (current) return current;
    const key = grant.id;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refreshShared(grant, account).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** The token and when it expires, for the check's OAUTH phase. */
  async tokenWithExpiry(account: GrantAccount, options: { maxAgeMs?: number; force?: boolean } = {}): Promise<{ token: string; expiresAt: Date | null }> {
    const token = await this.accessToken(account, options);
    const [row] = await this.deps.db.select({ expiresAt: oauthGrants.accessTokenExpiresAt }).from(oauthGrants).where(eq(oauthGrants.accountId, account.id));
    return { token, expiresAt: row?.expiresAt ?? null };
  }

  /** Refreshes every connected grant idle for `keepAliveMs`; returns how many were refreshed. */
  async keepAlive(): Promise<number> {
    const before = new Date(this.now() - this.options.keepAliveMs);
    const due = await this.deps.db
      .select({ grant: oauthGrants, account: emailAccounts })
      .from(oauthGrants)
      .innerJoin(emailAccounts, eq(emailAccounts.id, oauthGrants.accountId))
      .where(and(isNotNull(oauthGrants.accountId), isNull(oauthGrants.failureCode), lt(oauthGrants.refreshedAt, before)));
    let refreshed = 0;
    for (const { grant, account } of due) {
      try {
        await this.refreshShared(grant, account);
        refreshed += 1;
      } catch (err) {
        this.log.warn({ accountId: account.id, code: (err as OAuthError).code }, 'daily token keep-alive failed');
      }
    }
    return refreshed;
  }

  private async grantOf(accountId: string): Promise<OAuthGrantRow> {
    const [grant] = await this.deps.db.select().from(oauthGrants).where(eq(oauthGrants.accountId, accountId));
    if (!grant) throw new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.noGrant'));
    return grant;
  }

  /** The stored access token when it is not close to expiry; throws the grant's remembered failure. */
  private usable(grant: OAuthGrantRow, account: GrantAccount, force: boolean): string | null {
    if (grant.failureCode) throw new OAuthError(grant.failureCode as OAuthError['code'], text('mail.OAUTH_REAUTH_REQUIRED.refusedBefore', undefined, grant.failureDetail), grant.failureDetail);
    if (force || !grant.accessTokenSealed || !grant.accessTokenExpiresAt) return null;
    const expiresAt = grant.accessTokenExpiresAt.getTime();
    const lifetime = expiresAt - grant.refreshedAt.getTime();
    const ahead = Math.min(this.options.refreshAheadMs, Math.max(0, lifetime / 2));
    if (expiresAt - this.now() <= ahead) return null;
    return this.open(grant, 'oauth-access-token', account);
  }

  private open(grant: OAuthGrantRow, field: 'oauth-access-token' | 'oauth-refresh-token', account: GrantAccount): string {
    const sealed = field === 'oauth-access-token' ? grant.accessTokenSealed : grant.refreshTokenSealed;
    if (!sealed) throw new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.noRefreshToken'));
    try {
      return this.deps.secrets.open(sealed, grantSecretContext(grant, field, account));
    } catch {
      // The servers changed since the consent (A13): the token must not follow them there.
      throw new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.settingsChanged'));
    }
  }

  /** One refresh across every process: take the claim, or wait for whoever has it. */
  private async refreshShared(seen: OAuthGrantRow, account: GrantAccount): Promise<string> {
    const deadline = this.now() + this.options.claimMs + 5000;
    for (;;) {
      const claimed = await this.claim(seen.id);
      if (claimed) {
        // Someone else refreshed between our read and our claim: theirs is as good as ours.
        if (claimed.accessTokenSealed !== seen.accessTokenSealed && !claimed.failureCode) {
          const fresh = this.tryUsable(claimed, account);
          if (fresh) {
            await this.release(claimed.id);
            return fresh;
          }
        }
        return this.refreshClaimed(claimed, account);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.waitPollMs));
      const [now] = await this.deps.db.select().from(oauthGrants).where(eq(oauthGrants.id, seen.id));
      if (!now) throw new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.grantRemoved'));
      if (now.failureCode) this.usable(now, account, false);
      if (now.accessTokenSealed !== seen.accessTokenSealed) {
        const fresh = this.tryUsable(now, account);
        if (fresh) return fresh;
      }
      if (this.now() > deadline) throw new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE.refreshBusy'));
    }
  }

  private tryUsable(grant: OAuthGrantRow, account: GrantAccount): string | null {
    return this.usable(grant, account, false);
  }

  private async claim(grantId: string): Promise<OAuthGrantRow | null> {
    const now = new Date(this.now());
    const [row] = await this.deps.db
      .update(oauthGrants)
      .set({ refreshingUntil: new Date(this.now() + this.options.claimMs), refreshingBy: this.deps.owner })
      .where(and(eq(oauthGrants.id, grantId), or(isNull(oauthGrants.refreshingUntil), lt(oauthGrants.refreshingUntil, now))))
      .returning();
    return row ?? null;
  }

  private async release(grantId: string): Promise<void> {
    await this.deps.db
      .update(oauthGrants)
      .set({ refreshingUntil: null, refreshingBy: null })
      .where(and(eq(oauthGrants.id, grantId), eq(oauthGrants.refreshingBy, this.deps.owner)));
  }

  private async refreshClaimed(grant: OAuthGrantRow, account: GrantAccount): Promise<string> {
    let tokens: OAuthTokens;
    try {
      const refreshToken = this.open(grant, 'oauth-refresh-token', account);
      tokens = await this.deps.clients.refresh(grant.provider, refreshToken, grant.tenantId);
    } catch (err) {
      const error = err instanceof OAuthError ? err : new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE', undefined, (err as Error).message), null, { cause: err });
      await this.recordFailure(grant, error);
      throw error;
    }
    const seal = (value: string, field: 'oauth-access-token' | 'oauth-refresh-token') => this.deps.secrets.seal(value, grantSecretContext(grant, field, account));
    // One statement: the access token is never saved without the refresh token it came with.
    const [saved] = await this.deps.db
      .update(oauthGrants)
      .set({
        accessTokenSealed: seal(tokens.accessToken, 'oauth-access-token'),
        accessTokenExpiresAt: tokens.expiresAt,
        ...(tokens.refreshToken ? { refreshTokenSealed: seal(tokens.refreshToken, 'oauth-refresh-token') } : {}),
        ...(tokens.scope ? { scope: tokens.scope } : {}),
        refreshedAt: new Date(this.now()),
        refreshCount: sql`${oauthGrants.refreshCount} + 1`,
        refreshingUntil: null,
        refreshingBy: null,
        updatedAt: new Date(this.now()),
      })
      .where(and(eq(oauthGrants.id, grant.id), eq(oauthGrants.refreshingBy, this.deps.owner)))
      .returning({ id: oauthGrants.id });
    if (!saved) this.log.warn({ grantId: grant.id }, 'refresh claim ran out before the new token was saved; the provider’s newest token is used once');
    this.log.info({ accountId: grant.accountId, expiresInS: Math.round((tokens.expiresAt.getTime() - this.now()) / 1000), rotated: !!tokens.refreshToken }, 'oauth token refreshed');
    return tokens.accessToken;
  }

  private async recordFailure(grant: OAuthGrantRow, error: OAuthError): Promise<void> {
    if (error.code !== 'OAUTH_REAUTH_REQUIRED') {
      await this.release(grant.id);
      return;
    }
    const detail = error.providerError ? `${error.message} (${error.providerError})` : error.message;
    await this.deps.db
      .update(oauthGrants)
      .set({ failureCode: error.code, failureDetail: detail.slice(0, 500), failedAt: new Date(this.now()), refreshingUntil: null, refreshingBy: null, updatedAt: new Date(this.now()) })
      .where(eq(oauthGrants.id, grant.id));
    this.log.warn({ accountId: grant.accountId, providerError: error.providerError }, 'oauth grant refused by the provider; the mailbox waits for a reconnect');
    if (grant.accountId) this.deps.onGrantFailed?.(grant.accountId);
  }
}
