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
  close(): Promise<void>;
}

export interface OidcProviderOptions {
  /** Lifetime of access tokens in seconds (default 3600; tests of refresh use a few seconds). */
  accessTokenTtlSeconds?: number;
  /** Redirect URIs the client may use (default http://127.0.0.1:4000/oauth/callback). */
  redirectUris?: string[];
}

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
    scopes: ['openid', 'email', 'offline_access', 'mail'],
    ttl: { AccessToken: options.accessTokenTtlSeconds ?? 3600 },
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
