import { describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { useEngineCluster } from '../helpers/engine-cluster.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { buildMail } from '../helpers/mail.ts';
import { spawnCorreio } from '../helpers/process.ts';
import { maxConcurrentSessions } from '../helpers/dovecot-log.ts';
import { leaseOwners } from '../helpers/leases.ts';
import { waitFor } from '../helpers/wait.ts';

const USERS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];

const cluster = useEngineCluster(USERS);

describe('two engine processes share the mailboxes through leases (N2)', () => {
  it('splits the mailboxes, takes a dead engine’s over within 15 s, and never syncs one mailbox twice at once', async () => {
    const { dovecot, db, api, engines } = cluster;
    const admin = await signUp(api.url);
    for (const user of USERS) await connectDovecotAccount(api.url, admin.token, dovecot, user);
    const env = { ...db.env, CORREIO_LEASE_TTL_SECONDS: '10' };
    engines.push(await spawnCorreio(env, 'engine'));
    engines.push(await spawnCorreio(env, 'engine'));
    const dbUrl = db.env['DATABASE_URL']!;

    // Both engines end up with a fair share.
    const split = await waitFor(async () => {
      const owners = await leaseOwners(dbUrl);
      const counts = [...new Set(owners.values())].map((o) => [...owners.values()].filter((x) => x === o).length);
      return owners.size === USERS.length && counts.length === 2 && counts.every((c) => c === USERS.length / 2) && owners;
    }, 'an even split of the mailboxes', 60_000, 250);

    // Kill the engine owning m1; deliver to every mailbox it owned.
    const victimOwner = split.get('m1')!;
    const victimMailboxes = [...split].filter(([, o]) => o === victimOwner).map(([u]) => u);
    const victim = engines.find((e) => e.lines.some((l) => l.includes(victimOwner)))!;
    expect(victim).toBeTruthy();
    const killedAt = Date.now();
    await victim.kill9();
    for (const user of victimMailboxes) await dovecot.deliver(user, buildMail({ subject: `after takeover ${user}`, from: `${user}@cliente.example` }).raw);

    await waitFor(async () => {
      const owners = await leaseOwners(dbUrl);
      return victimMailboxes.every((u) => owners.get(u) && owners.get(u) !== victimOwner);
    }, 'the survivor to take the leases', 30_000, 100);
    // The takeover is the leases changing hands; the clock does not include this test's own
    // deliveries above (one dovecot-lda process per mailbox, slow on a loaded CI machine).
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    expect(takeoverSeconds).toBeLessThan(15);
    await waitFor(async () => (await gqlOk(api.url, `{ tickets(filter: { search: "after takeover" }) { totalCount } }`, {}, admin.token)).tickets.totalCount === victimMailboxes.length, 'the new mail to be imported', 30_000, 100);

    // Dovecot's log: no user ever had two sessions open at once.
    const peaks = maxConcurrentSessions(await dovecot.logLines());
    for (const user of USERS) expect(peaks.get(user), user).toBe(1);
  }, 180_000);
});
