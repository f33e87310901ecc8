import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './ports.ts';
import { registerTestServer } from './test-servers.ts';

/**
 * A real OAuth 2.0 / OpenID Connect authorization server on loopback: panva's oidc-provider, a
 * certified implementation, standing in for Google's and Microsoft's. Its introspection endpoint
 * is what Dovecot (oauth2 passdb) and the SMTP sink check XOAUTH2 tokens against, so a token it
 * issued logs in, and one it revoked or let expire does not — the way a provider's mail servers
 * behave. oidc-provider 9 prints that it prefers Node 22; it runs on our Node 20 (measured).
 */
export interface OidcProvider {
  issuer: string;
  port: number;
  /** The registered client (Correio): id and secret. */
  client: { id: string; secret: string };
  /** Token introspection with the client's credentials in the URL, as Dovecot's oauth2 passdb takes it. */
  introspectionUrl: string;
  /** Issues an access token for `subject` (the mailbox address), as the token endpoint would. */
  mintAccessToken(subject: string, options?: { scope?: string; ttlSeconds?: number }): Promise<string>;
  /** What the provider says about a token right now (RFC 7662). */
  introspect(token: string): Promise<{ active: boolean; sub?: string; exp?: number }>;
  /** Revokes a token (RFC 7009), as an admin withdrawing consent would. */
  revoke(token: string): Promise<void>;
  /**
   * Withdraws every grant `subject` gave (the user revoking the app's access in their account
   * settings): its access and refresh tokens stop working at once.
   */
  revokeGrantsOf(subject: string): Promise<number>;
  /**
   * Plays the admin's browser through the provider's own login and consent pages over HTTP:
   * follows `authorizationUrl`, signs in as `login`, consents (or cancels with `abort`), and
   * returns the URL the provider redirects back to (the client's callback with code and state).
   */
  consent(authorizationUrl: string, login: string, options?: { abort?: boolean }): Promise<URL>;
  /** Refresh-token grants the token endpoint answered (successes), for counting refreshes. */
  refreshes(): number;
  close(): Promise<void>;
}

export interface OidcProviderOptions {
  /** Lifetime of access tokens in seconds (default 3600; tests of refresh use a few seconds). */
  accessTokenTtlSeconds?: number;
  /** Redirect URIs the client may use (default http://127.0.0.1:4000/oauth/callback). */
  redirectUris?: string[];
  /** Rotate refresh tokens on every refresh (default true). */
  rotateRefreshTokens?: boolean;
}

const MICROSOFT_MAIL_SCOPES = ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/POP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send'];

const CLIENT = { id: 'correio-test', secret: 'correio-test-secret' };

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcProvider> {
  const port = await freePort();
  // Correio's engine refuses loopback destinations unless the test allows this port.
  registerTestServer(port);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: options.redirectUris ?? ['http://127.0.0.1:4000/oauth/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    features: { introspection: { enabled: true }, revocation: { enabled: true }, devInteractions: { enabled: true } },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: sub }) }),
    // The scopes Correio asks Google and Microsoft for; Dovecot only checks the token is active.
    scopes: ['openid', 'email', 'offline_access', 'mail', 'https://mail.google.com/', ...MICROSOFT_MAIL_SCOPES],
    // Like Google and Microsoft: the ID token carries the email claim, and a refresh token comes
    // with every code (oidc-provider would drop offline_access without prompt=consent).
    conformIdTokenClaims: false,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Each refresh returns a new refresh token and consumes the old one — stricter than Microsoft
    // (whose old tokens stay valid), so a rotated token Correio failed to save would show.
    rotateRefreshToken: options.rotateRefreshTokens ?? true,
    ttl: { AccessToken: options.accessTokenTtlSeconds ?? 3600 },
  });
  const grantsBySubject = new Map<string, Set<string>>();
  provider.on('authorization_code.saved', (code: { accountId?: string; grantId?: string }) => {
    if (!code.accountId || !code.grantId) return;
    grantsBySubject.set(code.accountId, (grantsBySubject.get(code.accountId) ?? new Set()).add(code.grantId));
  });
  let refreshCount = 0;
  provider.on('grant.success', (ctx: { oidc: { params?: { grant_type?: string } } }) => {
    if (ctx.oidc.params?.grant_type === 'refresh_token') refreshCount += 1;
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
  const post = (path: string, token: string) =>
    fetch(`${issuer}${path}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });

  return {
    issuer,
    port,
    client: CLIENT,
    introspectionUrl: `http://${CLIENT.id}:${CLIENT.secret}@127.0.0.1:${port}/token/introspection`,
    async mintAccessToken(subject, mint = {}) {
      const client = await provider.Client.find(CLIENT.id);
      if (!client) throw new Error('the test client is not registered');
      const token = new provider.AccessToken({ accountId: subject, client, scope: mint.scope ?? 'openid email mail', ...(mint.ttlSeconds ? { expiresIn: mint.ttlSeconds } : {}) } as never);
      return token.save();
    },
    async introspect(token) {
      const res = await post('/token/introspection', token);
      if (!res.ok) throw new Error(`introspection answered ${res.status}`);
      return (await res.json()) as { active: boolean; sub?: string; exp?: number };
    },
    async revoke(token) {
      const res = await post('/token/revocation', token);
      if (!res.ok) throw new Error(`revocation answered ${res.status}`);
    },
    async revokeGrantsOf(subject) {
      const grants = [...(grantsBySubject.get(subject) ?? [])];
      for (const grantId of grants) {
        await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((model) => model.revokeByGrantId(grantId)));
        await provider.Grant.adapter.destroy(grantId);
      }
      grantsBySubject.delete(subject);
      return grants.length;
    },
    consent: (authorizationUrl, login, consentOptions = {}) => playConsent(authorizationUrl, login, consentOptions.abort ?? false),
    refreshes: () => refreshCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A cookie jar and redirect loop over fetch: enough of a browser for oidc-provider's dev pages. */
async function playConsent(authorizationUrl: string, login: string, abort: boolean): Promise<URL> {
  const jar = new Map<string, string>();
  const origin = new URL(authorizationUrl).origin;
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = new URL(authorizationUrl);
  let body: URLSearchParams | null = null;
  for (let hop = 0; hop < 20; hop++) {
    // Once the provider sends the browser off to another origin, that is the client's callback.
    if (url.origin !== origin) return url;
    const res: Response = await fetch(url, { method: body ? 'POST' : 'GET', redirect: 'manual', headers: { cookie: cookie(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body });
    remember(res);
    body = null;
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url);
      continue;
    }
    const html: string = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`the provider showed no form at ${url.pathname}: ${html.slice(0, 300)}`);
    const uid = /\/interaction\/([^/"]+)/.exec(action)?.[1];
    if (abort && /name="prompt" value="consent"/.test(html)) {
      url = new URL(`/interaction/${uid}/abort`, origin);
      continue;
    }
    url = new URL(action.replace(/&amp;/g, '&'), origin);
    body = /name="prompt" value="login"/.test(html) ? new URLSearchParams({ prompt: 'login', login, password: 'any' }) : new URLSearchParams({ prompt: 'consent' });
  }
  throw new Error('the consent did not come back within 20 redirects');
}
