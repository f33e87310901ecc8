import * as oidc from 'openid-client';
import { renderText, text, type ServerText } from '@correio/texts';
import type { CorreioConfig } from '../config/config.ts';
import { oauthProviderSettings, refreshIssuer, type OAuthProviderName, type OAuthProviderSettings } from './providers.ts';

/**
 * The three ways talking to a provider fails, as the status model needs them: the grant is gone
 * for good (someone must sign in again), the install's app is wrong (the operator must fix a
 * variable), or the provider is briefly unreachable (retry with backoff).
 */
export type OAuthErrorCode = 'OAUTH_REAUTH_REQUIRED' | 'OAUTH_CLIENT_MISCONFIGURED' | 'OAUTH_UNAVAILABLE';

export class OAuthError extends Error {
  readonly transient: boolean;
  constructor(
    readonly code: OAuthErrorCode,
    /** What went wrong as a text code (`mail.OAUTH_*.<situation>`); the Error's message is its English. */
    readonly text: ServerText,
    /** The provider's own error code and description (`invalid_grant: AADSTS50173 …`), for the admin. */
    readonly providerError: string | null = null,
    options: { cause?: unknown } = {},
  ) {
    super(renderText(text, 'en'), options);
    this.name = 'OAuthError';
    this.transient = code === 'OAUTH_UNAVAILABLE';
  }
}

/** What a consent or a refresh gave back, ready to be sealed. */
export interface OAuthTokens {
  accessToken: string;
  /** Absent when the provider did not rotate it: keep the one stored. */
  refreshToken: string | null;
  expiresAt: Date;
  scope: string | null;
}

export interface OAuthIdentity {
  subject: string;
  /** The address the admin signed in as (email claim, else Microsoft's preferred_username). */
  email: string | null;
  tenantId: string | null;
}

const REAUTH_ERRORS = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'access_denied', 'unauthorized_grant']);
const TRANSIENT_ERRORS = new Set(['temporarily_unavailable', 'server_error', 'slow_down']);
// Microsoft answers an expired client secret with invalid_client and this code; the issue treats
// it as "sign in again" because an admin notices that state, but the hint says what to renew.
const EXPIRED_SECRET = /AADSTS7000222/;

/**
 * One configured provider app: discovery (cached per issuer), the authorization URL, the code
 * exchange and refreshes. openid-client 6 (panva) does the protocol: PKCE, state, nonce and ID
 * token validation, including Microsoft's `{tenantid}` issuer template for multi-tenant apps.
 */
export class OAuthClients {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly config: CorreioConfig,
    private readonly options: { timeoutSeconds?: number } = {},
  ) {}

  settings(provider: OAuthProviderName): OAuthProviderSettings {
    return oauthProviderSettings(this.config, provider);
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}/oauth/callback`;
  }

  /** The provider's configuration, or OAUTH_CLIENT_MISCONFIGURED naming what is missing. */
  private configuration(settings: OAuthProviderSettings, issuer = settings.issuer): Promise<oidc.Configuration> {
    if (settings.missing.length || !settings.clientId)
      return Promise.reject(new OAuthError('OAUTH_CLIENT_MISCONFIGURED', notSet(settings)));
    const key = `${issuer}|${settings.clientId}`;
    let pending = this.configurations.get(key);
    if (!pending) {
      const url = new URL(issuer);
      // Plain HTTP only to a provider on this machine (the tests' local provider); never over a network.
      const insecure = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      pending = oidc
        .discovery(url, settings.clientId, settings.clientSecret, undefined, {
          timeout: this.options.timeoutSeconds ?? 15,
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        })
        .catch((err: unknown) => {
          this.configurations.delete(key);
          throw classify(err, settings, 'discovery');
        });
      this.configurations.set(key, pending);
    }
    return pending;
  }

  async authorizationUrl(provider: OAuthProviderName, checks: { state: string; codeVerifier: string; nonce: string; loginHint?: string | null }): Promise<URL> {
    const settings = this.settings(provider);
    const config = await this.configuration(settings);
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: settings.scopes.join(' '),
      response_type: 'code',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...settings.authorizationParams,
      ...(checks.loginHint ? { login_hint: checks.loginHint } : {}),
    });
  }

  /** Trades the callback's code for tokens; validates state, PKCE and the ID token's nonce. */
  async exchange(provider: OAuthProviderName, callbackUrl: URL, checks: { state: string; codeVerifier: string; nonce: string }): Promise<{ tokens: OAuthTokens; identity: OAuthIdentity }> {
    const settings = this.settings(provider);
    const config = await this.configuration(settings);
    try {
      const response = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = response.claims();
      if (!claims) throw new OAuthError('OAUTH_CLIENT_MISCONFIGURED', text('mail.OAUTH_CLIENT_MISCONFIGURED.noIdToken'));
      if (!response.refresh_token)
        throw new OAuthError(
          'OAUTH_CLIENT_MISCONFIGURED',
          provider === 'GOOGLE' ? text('mail.OAUTH_CLIENT_MISCONFIGURED.noRefreshTokenGoogle') : text('mail.OAUTH_CLIENT_MISCONFIGURED.noRefreshTokenMicrosoft'),
        );
      const email = typeof claims['email'] === 'string' ? claims['email'] : typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : null;
      return {
        tokens: tokensOf(response, null),
        identity: { subject: claims.sub, email: email?.toLowerCase() ?? null, tenantId: typeof claims['tid'] === 'string' ? claims['tid'] : null },
      };
    } catch (err) {
      throw classify(err, settings, 'exchange');
    }
  }

  /** A new access token from the refresh token (and, where the provider rotates it, a new refresh token). */
  async refresh(provider: OAuthProviderName, refreshToken: string, tenantId: string | null): Promise<OAuthTokens> {
    const settings = this.settings(provider);
    const config = await this.configuration(settings, refreshIssuer(settings, tenantId));
    try {
      const response = await oidc.refreshTokenGrant(config, refreshToken, settings.refreshScope ? { scope: settings.refreshScope } : {});
      return tokensOf(response, refreshToken);
    } catch (err) {
      throw classify(err, settings, 'refresh');
    }
  }
}

/** Fresh one-time values for a consent: state, PKCE verifier and OpenID nonce. */
export function newConsentChecks(): { state: string; codeVerifier: string; nonce: string } {
  return { state: oidc.randomState(), codeVerifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
}

function tokensOf(response: oidc.TokenEndpointResponse, previousRefreshToken: string | null): OAuthTokens {
  const lifetime = typeof response.expires_in === 'number' && response.expires_in > 0 ? response.expires_in : 3600;
  const rotated = response.refresh_token && response.refresh_token !== previousRefreshToken ? response.refresh_token : null;
  return { accessToken: response.access_token, refreshToken: rotated, expiresAt: new Date(Date.now() + lifetime * 1000), scope: response.scope ?? null };
}

/** Every failure of a provider call as one of the three codes, with the provider's words kept. */
export function classify(err: unknown, settings: OAuthProviderSettings, step: 'discovery' | 'exchange' | 'refresh'): OAuthError {
  if (err instanceof OAuthError) return err;
  const e = err as { error?: unknown; error_description?: unknown; status?: unknown; code?: unknown; cause?: unknown; name?: string; message?: string };
  if (typeof e.error === 'string') {
    const providerError = `${e.error}${typeof e.error_description === 'string' && e.error_description ? `: ${e.error_description.split(/\r?\n/)[0]!.slice(0, 300)}` : ''}`;
    const refused = step === 'refresh' ? text('mail.OAUTH_REAUTH_REQUIRED.grantRefused') : text('mail.OAUTH_REAUTH_REQUIRED.signInRefused');
    if (REAUTH_ERRORS.has(e.error)) return new OAuthError('OAUTH_REAUTH_REQUIRED', refused, providerError, { cause: err });
    if (e.error === 'invalid_client' && EXPIRED_SECRET.test(providerError))
      return new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.secretExpired', { variable: settings.variables.clientSecret }), providerError, { cause: err });
    if (TRANSIENT_ERRORS.has(e.error) || (typeof e.status === 'number' && e.status >= 500)) return new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE.temporarily'), providerError, { cause: err });
    return new OAuthError('OAUTH_CLIENT_MISCONFIGURED', text('mail.OAUTH_CLIENT_MISCONFIGURED.appRefused', { clientId: settings.variables.clientId, clientSecret: settings.variables.clientSecret }), providerError, {
      cause: err,
    });
  }
  // openid-client's own errors: a non-JSON or non-conforming answer carries the HTTP response.
  const status = (e.cause as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 500) return new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE.http', { status }), null, { cause: err });
  const issuer = { issuer: settings.issuer, variable: settings.variables.issuer };
  if (step === 'discovery') {
    if (typeof status === 'number') return new OAuthError('OAUTH_CLIENT_MISCONFIGURED', text('mail.OAUTH_CLIENT_MISCONFIGURED.discoveryHttp', { ...issuer, status }), null, { cause: err });
    // openid-client's own words say what is wrong with the document.
    if (typeof e.code === 'string' && e.code.startsWith('OAUTH_')) return new OAuthError('OAUTH_CLIENT_MISCONFIGURED', text('mail.OAUTH_CLIENT_MISCONFIGURED.notOpenId', issuer, e.message), null, { cause: err });
  }
  if (typeof e.code === 'string' && e.code.startsWith('OAUTH_') && step === 'exchange')
    return new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.invalidAnswer', undefined, e.message), null, { cause: err });
  // fetch failed, DNS, refused connection, timeout: the network, not the grant.
  return new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE.unreachable', undefined, e.message ?? String(err)), null, { cause: err });
}

/** The unset variables that keep a provider's app off, named. */
function notSet(settings: OAuthProviderSettings): ServerText {
  const [first = settings.variables.clientId, second] = settings.missing;
  return second ? text('mail.OAUTH_CLIENT_MISCONFIGURED.bothNotSet', { first, second }) : text('mail.OAUTH_CLIENT_MISCONFIGURED.notSet', { variable: first });
}
