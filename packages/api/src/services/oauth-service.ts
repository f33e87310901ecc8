import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { grantSecretContext, newConsentChecks, OAUTH_PROVIDERS, OAuthError, schema, type AccountRow, type OAuthGrantRow, type OAuthProviderName, type Runtime } from '@correio/core';
import { renderText, text, type Locale, type ServerText } from '@correio/texts';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { AppError, fieldError, validationError } from '../errors.ts';
import type { AccountService } from './account-service.ts';

const { oauthAuthorizations, oauthGrants, emailAccounts } = schema;

/** A consent must come back within this long, and only once. */
const AUTHORIZATION_TTL_MS = 10 * 60_000;
/** A consent the admin never saved an account for is forgotten after this long. */
const PENDING_GRANT_TTL_MS = 60 * 60_000;
/**
 * Name of the cookie that ties one consent to the browser that asked for it; derived from the
 * state, so two consents in flight in one browser do not overwrite each other's binding.
 */
export function oauthBindingCookieName(state: string): string {
  return `correio_oauth_${createHash('sha256').update(state).digest('hex').slice(0, 16)}`;
}

export interface OAuthProviderInfo {
  provider: OAuthProviderName;
  configured: boolean;
  missingSettings: string[];
  redirectUri: string;
  incomingHost: string;
  incomingPort: number;
  outgoingHost: string;
  outgoingPort: number;
}

/** Where the callback sends the browser back to, in the SPA. */
const ACCOUNTS_PATH = '/settings/email/accounts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Connecting Google and Microsoft 365 mailboxes (issue 13). `start` records a one-time consent
 * (state, PKCE verifier, nonce) bound to the admin's workspace and to their browser — a random
 * value in an HttpOnly cookie set by the same authenticated request — and returns the provider's
 * consent URL. `callback` checks all three bindings before it trades the code for tokens, so a
 * consent link sent to somebody else can never attach their mailbox to the sender's workspace.
 */
export class OAuthService {
  constructor(
    private readonly runtime: Runtime,
    private readonly accounts: AccountService,
    /** Runs a check of a reconnected account in the background, so its status turns OK. */
    private readonly recheck: (viewer: Viewer, accountId: string) => Promise<unknown>,
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  providers(): OAuthProviderInfo[] {
    const clients = this.runtime.oauth.clients;
    return OAUTH_PROVIDERS.map((provider) => {
      const s = clients.settings(provider);
      return {
        provider,
        configured: s.missing.length === 0,
        missingSettings: s.missing,
        redirectUri: clients.redirectUri,
        incomingHost: s.mail.incomingHost,
        incomingPort: s.mail.incomingPort,
        outgoingHost: s.mail.outgoingHost,
        outgoingPort: s.mail.outgoingPort,
      };
    });
  }

  async start(
    viewer: Viewer,
    provider: OAuthProviderName,
    accountId: string | null,
    rawAddress: string | null,
  ): Promise<{ authorizationUrl: string; expiresAt: Date; cookie: string }> {
    const settings = this.runtime.oauth.clients.settings(provider);
    if (settings.missing.length)
      throw new AppError('OAUTH_CLIENT_MISCONFIGURED', missingSettingsText(settings.missing), { missingSettings: settings.missing });
    let account: AccountRow | null = null;
    if (accountId) {
      account = await this.accounts.require(viewer, accountId);
      if (account.oauthProvider !== provider)
        throw validationError([fieldError(['accountId'], text('validation.oauth.otherProvider'))]);
    }
    const address = rawAddress?.trim().toLowerCase() || null;
    if (address && !z.email().safeParse(address).success) throw validationError([fieldError(['address'], text('validation.email'))]);

    const { state, codeVerifier, nonce } = newConsentChecks();
    const browserBinding = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + AUTHORIZATION_TTL_MS);
    let url: URL;
    try {
      url = await this.runtime.oauth.clients.authorizationUrl(provider, { state, codeVerifier, nonce, loginHint: address ?? account?.address ?? null });
    } catch (err) {
      throw this.asAppError(err);
    }
    const stateHash = sha256(state);
    await this.db.delete(oauthAuthorizations).where(lt(oauthAuthorizations.expiresAt, new Date()));
    await this.db.insert(oauthAuthorizations).values({
      stateHash,
      workspaceId: viewer.workspaceId,
      userId: viewer.userId,
      provider,
      accountId: account?.id ?? null,
      address,
      browserBindingHash: sha256(browserBinding),
      codeVerifierSealed: this.runtime.secrets.seal(codeVerifier, `oauth-authorization:${stateHash}`),
      nonce,
      expiresAt,
    });
    this.runtime.logger.info({ workspaceId: viewer.workspaceId, provider, reconnect: !!account }, 'oauth consent started');
    const secure = this.runtime.config.publicUrl.startsWith('https:') ? '; Secure' : '';
    // Lax: the provider's redirect back is a top-level GET navigation, which carries it.
    const cookie = `${oauthBindingCookieName(state)}=${browserBinding}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=${AUTHORIZATION_TTL_MS / 1000}${secure}`;
    return { authorizationUrl: url.href, expiresAt, cookie };
  }

  /**
   * `GET /oauth/callback`: returns where to send the browser. Never throws: every outcome,
   * refusals included, is a redirect the account screens explain; our own words about a refusal
   * are in `locale`, the browser's language.
   */
  async callback(callbackUrl: URL, cookieBinding: string | null, locale: Locale): Promise<string> {
    const refuse = (accountId: string | null, why: ServerText) => fail(accountId, 'OAUTH_CONNECTION_INVALID', renderText(why, locale));
    const state = callbackUrl.searchParams.get('state');
    if (!state) return refuse(null, text('api.oauthCallback.noState'));
    const stateHash = sha256(state);
    const [pending] = await this.db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.stateHash, stateHash));
    if (!pending) return refuse(null, text('api.oauthCallback.unknown'));
    const back = pending.accountId;
    if (!cookieBinding || !sameSecret(sha256(cookieBinding), pending.browserBindingHash)) {
      this.runtime.logger.warn({ workspaceId: pending.workspaceId }, 'oauth callback from a browser that did not start the consent; refused');
      return refuse(back, text('api.oauthCallback.otherBrowser'));
    }
    // One use only: the row is claimed before the code is spent.
    const [claimed] = await this.db
      .update(oauthAuthorizations)
      .set({ usedAt: new Date() })
      .where(and(eq(oauthAuthorizations.stateHash, stateHash), isNull(oauthAuthorizations.usedAt), gt(oauthAuthorizations.expiresAt, new Date())))
      .returning();
    if (!claimed) return refuse(back, text(pending.usedAt ? 'api.oauthCallback.used' : 'api.oauthCallback.expired'));

    let result: Awaited<ReturnType<Runtime['oauth']['clients']['exchange']>>;
    try {
      const codeVerifier = this.runtime.secrets.open(claimed.codeVerifierSealed, `oauth-authorization:${stateHash}`);
      result = await this.runtime.oauth.clients.exchange(claimed.provider, callbackUrl, { state, codeVerifier, nonce: claimed.nonce });
    } catch (err) {
      const error = err instanceof OAuthError ? err : new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE', undefined, (err as Error).message));
      this.runtime.logger.warn({ workspaceId: claimed.workspaceId, code: error.code, reason: error.message, providerError: error.providerError }, 'oauth consent failed');
      // The account screen words the code itself and shows this as the provider's answer: its own words when it gave some.
      return fail(back, error.code, error.providerError ?? renderText(error.text, locale));
    }
    const { tokens, identity } = result;
    const identityAddress = identity.email ?? claimed.address ?? identity.subject;

    if (claimed.accountId) {
      const [account] = await this.db
        .select()
        .from(emailAccounts)
        .where(and(eq(emailAccounts.id, claimed.accountId), eq(emailAccounts.workspaceId, claimed.workspaceId)));
      if (!account) return refuse(null, text('api.oauthCallback.accountRemoved'));
      const [grant] = await this.db.select().from(oauthGrants).where(eq(oauthGrants.accountId, account.id));
      const grantId = grant?.id ?? crypto.randomUUID();
      const ref = { id: grantId, accountId: account.id, provider: claimed.provider };
      const values = {
        ...this.grantColumns(ref, account, identity, identityAddress, tokens),
        refreshedAt: new Date(),
        refreshingUntil: null,
        refreshingBy: null,
        failureCode: null,
        failureDetail: null,
        failedAt: null,
        updatedAt: new Date(),
      };
      await this.db.transaction(async (tx) => {
        if (grant) await tx.update(oauthGrants).set(values).where(eq(oauthGrants.id, grant.id));
        else await tx.insert(oauthGrants).values({ ...values, id: grantId, workspaceId: claimed.workspaceId, accountId: account.id, provider: claimed.provider, createdBy: claimed.userId });
        // A new updatedAt restarts the mailbox's worker with the new grant; it resumes from its stored position.
        await tx.update(emailAccounts).set({ updatedAt: new Date() }).where(eq(emailAccounts.id, account.id));
      });
      this.runtime.events.pubsub.publish('engine', { kind: 'ACCOUNT_CHANGED', accountId: account.id });
      this.runtime.events.pubsub.publish('accountStatusChanged', claimed.workspaceId, { accountId: account.id });
      const viewer: Viewer = { userId: claimed.userId, workspaceId: claimed.workspaceId, role: 'ADMIN' };
      void this.recheck(viewer, account.id).catch((err: Error) => this.runtime.logger.warn({ err: { message: err.message }, accountId: account.id }, 'check after reconnect failed'));
      this.runtime.logger.info({ workspaceId: claimed.workspaceId, accountId: account.id, provider: claimed.provider }, 'oauth mailbox reconnected');
      return `${ACCOUNTS_PATH}?oauthReconnected=${account.id}`;
    }

    const grantId = crypto.randomUUID();
    const ref = { id: grantId, accountId: null, provider: claimed.provider };
    await this.db.delete(oauthGrants).where(and(isNull(oauthGrants.accountId), lt(oauthGrants.createdAt, new Date(Date.now() - PENDING_GRANT_TTL_MS))));
    await this.db.insert(oauthGrants).values({
      id: grantId,
      workspaceId: claimed.workspaceId,
      provider: claimed.provider,
      ...this.grantColumns(ref, null, identity, identityAddress, tokens),
      createdBy: claimed.userId,
    });
    this.runtime.logger.info({ workspaceId: claimed.workspaceId, provider: claimed.provider }, 'oauth consent completed; waiting for the account to be saved');
    const query = new URLSearchParams({ oauthConnection: grantId, ...(claimed.address ? { address: claimed.address } : {}) });
    return `${ACCOUNTS_PATH}/new?${query}`;
  }

  /** Who signed in and the tokens, sealed for the grant (and its account's servers, once it has one). */
  private grantColumns(
    ref: { id: string; accountId: string | null; provider: string },
    account: AccountRow | null,
    identity: { subject: string; tenantId: string | null },
    identityAddress: string,
    tokens: { accessToken: string; refreshToken: string | null; expiresAt: Date; scope: string | null },
  ) {
    return {
      subject: identity.subject,
      identity: identityAddress,
      tenantId: identity.tenantId,
      scope: tokens.scope,
      accessTokenSealed: this.runtime.secrets.seal(tokens.accessToken, grantSecretContext(ref, 'oauth-access-token', account)),
      accessTokenExpiresAt: tokens.expiresAt,
      // exchange() guarantees a refresh token on a consent.
      refreshTokenSealed: this.runtime.secrets.seal(tokens.refreshToken!, grantSecretContext(ref, 'oauth-refresh-token', account)),
    };
  }

  /** A consent that came back and waits for its account form to be saved. */
  async pendingConnection(viewer: Viewer, id: string): Promise<OAuthGrantRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const [grant] = await this.db
      .select()
      .from(oauthGrants)
      .where(and(eq(oauthGrants.id, id), eq(oauthGrants.workspaceId, viewer.workspaceId), isNull(oauthGrants.accountId)));
    return grant ?? null;
  }

  async grantOf(accountId: string): Promise<OAuthGrantRow | null> {
    const [grant] = await this.db.select().from(oauthGrants).where(eq(oauthGrants.accountId, accountId));
    return grant ?? null;
  }

  private asAppError(err: unknown): AppError {
    if (!(err instanceof OAuthError)) throw err;
    if (err.code === 'OAUTH_CLIENT_MISCONFIGURED') return new AppError('OAUTH_CLIENT_MISCONFIGURED', err.text);
    // `{reason}` holds the OAuth error's own code: renderText words it inside ours.
    const retry: ServerText = { code: 'api.OAUTH_CLIENT_MISCONFIGURED.unavailable', params: { ...err.text.params, reasonText: err.text.code }, detail: err.text.detail };
    return new AppError('OAUTH_CLIENT_MISCONFIGURED', retry, { oauthCode: err.code });
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Which server variables the operator still has to set (a provider has two: client id and secret). */
function missingSettingsText([first, second]: string[]): ServerText {
  return second ? text('api.OAUTH_CLIENT_MISCONFIGURED.missingTwo', { first: first!, second }) : text('api.OAUTH_CLIENT_MISCONFIGURED.missingOne', { setting: first! });
}

function fail(accountId: string | null, code: string, detail: string): string {
  const query = new URLSearchParams({ oauthError: code, oauthDetail: detail.slice(0, 300), ...(accountId ? { account: accountId } : {}) });
  return `${accountId ? ACCOUNTS_PATH : `${ACCOUNTS_PATH}/new`}?${query}`;
}
