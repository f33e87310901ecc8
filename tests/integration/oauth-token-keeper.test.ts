// The OAuth token lifecycle (issue 13) on a fake clock and a scripted provider, against the real
// database: refresh ahead of expiry, the daily keep-alive, rotated refresh tokens saved, one
// refresh for two processes, a crash between the provider's answer and our save, and a refusal
// for good remembered so nothing hammers the provider.
import { randomUUID } from 'node:crypto';
import { grantSecretContext, OAuthError, OAuthTokenKeeper, schema, SecretBox, type OAuthTokens } from '@correio/core';
import { text } from '@correio/texts';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const { workspaces, emailAccounts, oauthGrants } = schema;
const secrets = new SecretBox(Buffer.alloc(32, 7));
const logger = pino({ level: 'silent' });
const HOUR = 3600_000;

let db: TestDatabase;
let workspaceId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const [ws] = await db.handle.db.insert(workspaces).values({ name: 'Acme', slug: `acme${randomUUID().slice(0, 8)}` }).returning();
  workspaceId = ws!.id;
});
afterAll(async () => db?.dispose());

/**
 * A provider that issues numbered tokens. `rotation`: 'strict' consumes a refresh token when it is
 * used (oidc-provider, Okta); 'lenient' rotates but keeps old ones valid (Microsoft); 'none' never
 * rotates (Google).
 */
function scriptedProvider(clock: { now: number }, rotation: 'strict' | 'lenient' | 'none', lifetimeMs = HOUR) {
  let issued = 0;
  const valid = new Set(['refresh-0']);
  const calls: string[] = [];
  return {
    calls,
    valid,
    fail: null as OAuthError | null,
    delayMs: 0,
    async refresh(_provider: string, refreshToken: string): Promise<OAuthTokens> {
      calls.push(refreshToken);
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.fail) throw this.fail;
      if (!valid.has(refreshToken)) throw new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.grantRefused'), 'invalid_grant: refresh token unknown or consumed');
      issued += 1;
      let next: string | null = null;
      if (rotation !== 'none') {
        next = `refresh-${issued}`;
        valid.add(next);
        if (rotation === 'strict') valid.delete(refreshToken);
      }
      return { accessToken: `access-${issued}`, refreshToken: next, expiresAt: new Date(clock.now + lifetimeMs), scope: null };
    },
  };
}

async function newAccountWithGrant(clock: { now: number }, overrides: { refreshedAt?: number; expiresAt?: number } = {}) {
  const [account] = await db.handle.db
    .insert(emailAccounts)
    .values({ workspaceId, name: 'Suporte', kind: 'EXTERNAL', address: 'suporte@acme.example', oauthProvider: 'MICROSOFT', incomingProtocol: 'IMAP', incomingHost: 'outlook.office365.com', incomingPort: 993, incomingEncryption: 'SSL_TLS', outgoingHost: 'smtp.office365.com', outgoingPort: 587, outgoingEncryption: 'STARTTLS' })
    .returning();
  const id = randomUUID();
  const ref = { id, accountId: account!.id, provider: 'MICROSOFT' };
  await db.handle.db.insert(oauthGrants).values({
    id,
    workspaceId,
    accountId: account!.id,
    provider: 'MICROSOFT',
    subject: 'sub-1',
    identity: 'suporte@acme.example',
    accessTokenSealed: secrets.seal('access-0', grantSecretContext(ref, 'oauth-access-token', account!)),
    accessTokenExpiresAt: new Date(overrides.expiresAt ?? clock.now + HOUR),
    refreshTokenSealed: secrets.seal('refresh-0', grantSecretContext(ref, 'oauth-refresh-token', account!)),
    refreshedAt: new Date(overrides.refreshedAt ?? clock.now),
  });
  return account!;
}

function keeper(clock: { now: number }, provider: ReturnType<typeof scriptedProvider>, owner = 'engine-a', failed: string[] = []) {
  return new OAuthTokenKeeper({ db: db.handle.db, secrets, clients: provider as never, logger, owner, now: () => clock.now, onGrantFailed: (id) => failed.push(id) }, { waitPollMs: 5, claimMs: 30_000 });
}

/**
 * Engine A gets the provider's answer and dies before writing it (a provider call that issues
 * tokens and never returns to the keeper); then A's 30 s claim runs out on the fake clock.
 */
async function crashAfterProviderAnswered(clock: { now: number }, provider: ReturnType<typeof scriptedProvider>, account: Awaited<ReturnType<typeof newAccountWithGrant>>): Promise<void> {
  const original = provider.refresh.bind(provider);
  const dying = { refresh: async (p: string, rt: string) => (await original(p, rt), new Promise<OAuthTokens>(() => undefined)) };
  void keeper(clock, dying as never, 'engine-a').accessToken(account);
  await new Promise((r) => setTimeout(r, 100));
  clock.now += 31_000;
}

async function grantRow(accountId: string) {
  const [row] = await db.handle.db.select().from(oauthGrants).where(eq(oauthGrants.accountId, accountId));
  return row!;
}

describe('access tokens', () => {
  let clock: { now: number };
  beforeEach(() => {
    clock = { now: Date.parse('2026-12-01T12:00:00Z') };
  });

  it('uses the stored token until five minutes before expiry, then refreshes once', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    const account = await newAccountWithGrant(clock);
    const tokens = keeper(clock, provider);
    expect(await tokens.accessToken(account)).toBe('access-0');
    clock.now += 54 * 60_000;
    expect(await tokens.accessToken(account)).toBe('access-0');
    expect(provider.calls).toEqual([]);
    clock.now += 2 * 60_000; // 4 minutes left
    expect(await tokens.accessToken(account)).toBe('access-1');
    expect(await tokens.accessToken(account)).toBe('access-1');
    expect(provider.calls).toEqual(['refresh-0']);
    const row = await grantRow(account.id);
    expect(row.accessTokenExpiresAt!.getTime()).toBe(clock.now + HOUR);
    expect(row.refreshCount).toBe(1);
  });

  it('saves every rotated refresh token with its access token, so a strict provider keeps working refresh after refresh', async () => {
    const provider = scriptedProvider(clock, 'strict');
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    const tokens = keeper(clock, provider);
    for (let i = 1; i <= 5; i++) {
      expect(await tokens.accessToken(account)).toBe(`access-${i}`);
      clock.now += HOUR; // expired again
    }
    // Each refresh used the token the previous one returned: none was lost.
    expect(provider.calls).toEqual(['refresh-0', 'refresh-1', 'refresh-2', 'refresh-3', 'refresh-4']);
    const row = await grantRow(account.id);
    expect(secrets.open(row.refreshTokenSealed!, grantSecretContext(row, 'oauth-refresh-token', account))).toBe('refresh-5');
  });

  it('keeps the stored refresh token when the provider does not rotate it (Google)', async () => {
    const provider = scriptedProvider(clock, 'none');
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    const tokens = keeper(clock, provider);
    expect(await tokens.accessToken(account)).toBe('access-1');
    clock.now += 2 * HOUR;
    expect(await tokens.accessToken(account)).toBe('access-2');
    expect(provider.calls).toEqual(['refresh-0', 'refresh-0']);
  });

  it('two engines asking at once produce one refresh, and both get the new token', async () => {
    const provider = scriptedProvider(clock, 'strict');
    provider.delayMs = 150;
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    const [a, b] = await Promise.all([keeper(clock, provider, 'engine-a').accessToken(account), keeper(clock, provider, 'engine-b').accessToken(account)]);
    expect([a, b]).toEqual(['access-1', 'access-1']);
    expect(provider.calls).toEqual(['refresh-0']);
    // And within one process, concurrent callers share the single flight too.
    clock.now += HOUR;
    const one = keeper(clock, provider, 'engine-c');
    const results = await Promise.all(Array.from({ length: 10 }, () => one.accessToken(account)));
    expect(new Set(results)).toEqual(new Set(['access-2']));
    expect(provider.calls).toHaveLength(2);
  });

  it('a forced refresh (the server refused a token before its expiry) asks the provider even with a valid token', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    const account = await newAccountWithGrant(clock);
    expect(await keeper(clock, provider).accessToken(account, { force: true })).toBe('access-1');
  });

  it('refreshes idle grants daily (keep-alive), and only those', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    const idle = await newAccountWithGrant(clock, { refreshedAt: clock.now - 21 * HOUR });
    const busy = await newAccountWithGrant(clock, { refreshedAt: clock.now - HOUR });
    const refreshed = await keeper(clock, provider).keepAlive();
    expect(refreshed).toBeGreaterThanOrEqual(1);
    expect((await grantRow(idle.id)).refreshedAt.getTime()).toBe(clock.now);
    expect((await grantRow(busy.id)).refreshedAt.getTime()).toBe(clock.now - HOUR);
  });

  it('a crash after the provider answered and before the save loses nothing a lenient provider (Microsoft, Google) still accepts', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    await crashAfterProviderAnswered(clock, provider, account);
    // Engine B, after A's claim ran out, refreshes with the stored token.
    expect(await keeper(clock, provider, 'engine-b').accessToken(account)).toBe('access-2');
    expect(provider.calls).toEqual(['refresh-0', 'refresh-0']);
  });

  it('the same crash with a strictly rotating provider ends in OAUTH_REAUTH_REQUIRED, said plainly, not a silent stop', async () => {
    const provider = scriptedProvider(clock, 'strict');
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    await crashAfterProviderAnswered(clock, provider, account);
    const failed: string[] = [];
    await expect(keeper(clock, provider, 'engine-b', failed).accessToken(account)).rejects.toMatchObject({ code: 'OAUTH_REAUTH_REQUIRED', providerError: expect.stringContaining('invalid_grant') });
    expect(failed).toEqual([account.id]);
  });

  it('remembers a refusal for good: no further provider calls until a reconnect, and the account is signalled', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    provider.fail = new OAuthError('OAUTH_REAUTH_REQUIRED', text('mail.OAUTH_REAUTH_REQUIRED.grantRefused'), 'invalid_grant: AADSTS50173: The provided grant has expired due to it being revoked');
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    const failed: string[] = [];
    const tokens = keeper(clock, provider, 'engine-a', failed);
    await expect(tokens.accessToken(account)).rejects.toMatchObject({ code: 'OAUTH_REAUTH_REQUIRED' });
    await expect(tokens.accessToken(account)).rejects.toMatchObject({ code: 'OAUTH_REAUTH_REQUIRED', message: expect.stringContaining('AADSTS50173') });
    expect(provider.calls).toHaveLength(1);
    expect(failed).toEqual([account.id]);
    const row = await grantRow(account.id);
    expect(row.failureCode).toBe('OAUTH_REAUTH_REQUIRED');
    expect(row.refreshingUntil).toBeNull();
  });

  it('a transient provider failure is not remembered: the next request tries again', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    provider.fail = new OAuthError('OAUTH_UNAVAILABLE', text('mail.OAUTH_UNAVAILABLE.temporarily'), 'temporarily_unavailable');
    const account = await newAccountWithGrant(clock, { expiresAt: clock.now });
    const tokens = keeper(clock, provider);
    await expect(tokens.accessToken(account)).rejects.toMatchObject({ code: 'OAUTH_UNAVAILABLE', transient: true });
    provider.fail = null;
    expect(await tokens.accessToken(account)).toBe('access-1');
    expect((await grantRow(account.id)).failureCode).toBeNull();
  });

  it('tokens do not follow the account to another server (A13): changed settings ask for a reconnect', async () => {
    const provider = scriptedProvider(clock, 'lenient');
    const account = await newAccountWithGrant(clock);
    const moved = { ...account, incomingHost: 'imap.attacker.example' };
    await expect(keeper(clock, provider).accessToken(moved)).rejects.toMatchObject({ code: 'OAUTH_REAUTH_REQUIRED', message: expect.stringContaining('server settings changed') });
    expect(provider.calls).toEqual([]);
  });
});
