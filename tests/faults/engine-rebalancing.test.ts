import { describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { useEngineCluster } from '../helpers/engine-cluster.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { buildMail } from '../helpers/mail.ts';
import { spawnCorreio } from '../helpers/process.ts';
import { scrapeEngine } from '../../bench/lib/engine-metrics.ts';
import { maxConcurrentSessions } from '../helpers/dovecot-log.ts';
import { leaseOwners } from '../helpers/leases.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const USERS = Array.from({ length: 9 }, (_, i) => `rb${i + 1}`);
const LEASE_TTL_S = 10;

const cluster = useEngineCluster(USERS);

describe('engines rebalance and stay quiet when idle (issue 17)', () => {
  it('a third engine takes its share within one lease period, one mailbox never synced twice, nothing lost; idle engines send no per-mailbox SQL', async () => {
    const { dovecot, db, api, engines } = cluster;
    const admin = await signUp(api.url);
    for (const user of USERS) await connectDovecotAccount(api.url, admin.token, dovecot, user);
    const env = { ...db.env, CORREIO_LEASE_TTL_SECONDS: String(LEASE_TTL_S) };
    const dbUrl = db.env['DATABASE_URL']!;
    const shares = async () => {
      const owners = await leaseOwners(dbUrl);
      const counts = [...new Set(owners.values())].map((o) => [...owners.values()].filter((x) => x === o).length).sort();
      return { owners, counts };
    };
    const metricsPorts = [await freePort(), await freePort()];
    for (const port of metricsPorts) engines.push(await spawnCorreio({ ...env, CORREIO_METRICS_PORT: String(port) }, 'engine'));
    await waitFor(async () => (await shares()).counts.join() === '4,5', 'two engines splitting 9 mailboxes 5 / 4', 60_000, 250);
    await new Promise((r) => setTimeout(r, 3000));

    // Idle: two engines with nine mailboxes, over 12 s. Before issue 17 each engine's heartbeat
    // renewed every lease and re-read every account (four statements every 3.3 s, growing with
    // mailboxes), and each IDLE renewal wrote its mailbox's status; now one heartbeat statement
    // per engine and the outbox's poll. A scrape itself costs statements (the install gauges):
    // measured back to back, and taken off.
    const statements = () => Promise.all(metricsPorts.map(async (port) => (await scrapeEngine(port)).dbStatements!));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const first = await statements();
    const scrapeCost = sum(await statements()) - sum(first);
    const before = await statements();
    await new Promise((r) => setTimeout(r, 12_000));
    const idlePerSecond = (sum(await statements()) - sum(before) - scrapeCost) / 12;
    // Per engine: a heartbeat every 3.3 s and an outbox poll every 2 s.
    expect(idlePerSecond).toBeGreaterThan(0);
    expect(idlePerSecond).toBeLessThan(2 * (1 / 3.3 + 1 / 2) + 0.4);

    // A third engine joins while mail keeps arriving.
    const joinedAt = Date.now();
    engines.push(await spawnCorreio(env, 'engine'));
    for (const user of USERS) await dovecot.deliver(user, buildMail({ subject: `during rebalance ${user}`, from: `${user}@cliente.example` }).raw);
    await waitFor(async () => (await shares()).counts.join() === '3,3,3', 'three engines with 3 mailboxes each', 30_000, 100);
    expect((Date.now() - joinedAt) / 1000).toBeLessThan(LEASE_TTL_S + 5);
    for (const user of USERS) await dovecot.deliver(user, buildMail({ subject: `after rebalance ${user}`, from: `${user}@cliente.example` }).raw);

    const count = async (search: string) => (await gqlOk(api.url, `query($s: String) { tickets(filter: { search: $s }) { totalCount } }`, { s: search }, admin.token)).tickets.totalCount as number;
    await waitFor(async () => (await count('during rebalance')) === USERS.length && (await count('after rebalance')) === USERS.length, 'every message imported', 30_000, 200);
    // Exactly once; and Dovecot never saw two sessions of one mailbox at once (this caught two
    // reconciles racing at start-up and starting two workers for one mailbox).
    expect(await count('during rebalance')).toBe(USERS.length);
    const twice = [...maxConcurrentSessions(await dovecot.logLines())].filter(([, n]) => n > 1).map(([user]) => user);
    expect(twice).toEqual([]);
  }, 180_000);
});
