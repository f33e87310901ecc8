// Issue 14: SIGTERM stops an engine the way an operator expects of a deploy — the mailboxes end
// their batches, their leases are released at once so another engine takes them over in about a
// heartbeat (not after the lease TTL), and the process exits by itself within 10 s. An API
// process tells its graphql-ws subscribers to reconnect (1012) instead of dropping them.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { useEngineCluster } from '../helpers/engine-cluster.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { buildMail } from '../helpers/mail.ts';
import { spawnCorreio } from '../helpers/process.ts';
import { leaseOwners } from '../helpers/leases.ts';
import { waitFor } from '../helpers/wait.ts';

const USERS = ['g1', 'g2', 'g3', 'g4'];
// Long on purpose: a takeover faster than this proves the leases were released, not expired.
const LEASE_TTL_S = 30;
const cluster = useEngineCluster(USERS);

describe('graceful shutdown on SIGTERM', () => {
  it('releases the mailboxes at once: another engine takes them over long before the lease TTL, and no mail is lost or doubled', async () => {
    const { dovecot, db, api, engines } = cluster;
    const admin = await signUp(api.url);
    for (const user of USERS) await connectDovecotAccount(api.url, admin.token, dovecot, user);
    const env = { ...db.env, CORREIO_LEASE_TTL_SECONDS: String(LEASE_TTL_S) };
    engines.push(await spawnCorreio(env, 'engine'));
    engines.push(await spawnCorreio(env, 'engine'));
    const dbUrl = db.env['DATABASE_URL']!;
    const split = await waitFor(async () => {
      const owners = await leaseOwners(dbUrl);
      return owners.size === USERS.length && new Set(owners.values()).size === 2 && owners;
    }, 'both engines to hold mailboxes', 60_000, 250);

    const leavingOwner = split.get('g1')!;
    const leaving = engines.find((e) => e.lines.some((l) => l.includes(leavingOwner)))!;
    const leavingMailboxes = [...split].filter(([, o]) => o === leavingOwner).map(([u]) => u);
    // Mail keeps arriving while the engine shuts down.
    for (const user of USERS) await dovecot.deliver(user, buildMail({ subject: `durante ${user}`, from: `${user}@cliente.example` }).raw);
    const signalledAt = Date.now();
    leaving.proc.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => leaving.proc.once('exit', (c) => resolve(c)));
    const exitSeconds = (Date.now() - signalledAt) / 1000;
    expect(code).toBe(0);
    expect(exitSeconds).toBeLessThan(10);
    expect(leaving.lines.some((l) => l.includes('mailboxes stopped and released'))).toBe(true);

    await waitFor(async () => {
      const owners = await leaseOwners(dbUrl);
      return leavingMailboxes.every((u) => owners.get(u) && owners.get(u) !== leavingOwner);
    }, 'the other engine to take the mailboxes', LEASE_TTL_S * 1000, 100);
    const takeoverSeconds = (Date.now() - signalledAt) / 1000;
    // Released leases are taken at the survivor's next heartbeat (TTL / 3); expired ones would take the whole TTL.
    expect(takeoverSeconds).toBeLessThan(LEASE_TTL_S / 2);

    for (const user of leavingMailboxes) await dovecot.deliver(user, buildMail({ subject: `depois ${user}`, from: `${user}@cliente.example` }).raw);
    const count = async (q: string) => (await gqlOk(api.url, `query($q: String) { tickets(filter: { search: $q }) { totalCount } }`, { q }, admin.token)).tickets.totalCount;
    await waitFor(async () => (await count('durante')) === USERS.length && (await count('depois')) === leavingMailboxes.length, 'every message imported', 30_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await count('durante')).toBe(USERS.length);
  }, 120_000);

  it('an API process tells its subscribers to reconnect (1012) and exits cleanly', async () => {
    const { db, api } = cluster;
    const own = await spawnCorreio(db.env, 'api');
    const admin = await signUp(own.url);
    const socket = new WebSocket(`${own.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${admin.token}` } }));
    await new Promise((resolve) => socket.once('message', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    own.proc.kill('SIGTERM');
    expect(await closed).toBe(1012);
    expect(await new Promise((resolve) => own.proc.once('exit', (c) => resolve(c)))).toBe(0);
  });
});
