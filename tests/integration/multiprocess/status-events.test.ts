import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../../helpers/app.ts';
import { gqlOk, subscribe, untilDelivering, wsClient } from '../../helpers/graphql.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../../helpers/process.ts';
import { createAccount, incomingInput, startSilentServer, STATUS_SUBSCRIPTION, testAccount, type TestServer } from '../../helpers/status.ts';
import { redisAnswers, TEST_REDIS_URL } from '../../helpers/redis.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 4 / N2: status events reach a subscriber connected to another API process through Redis
// (REDIS_URL), and stay in-process without it. Two processes cannot share PGlite, so this tier
// needs PostgreSQL (DATABASE_URL); CI sets it and CORREIO_TEST_REQUIRE_ALL=1.

const requireAll = process.env['CORREIO_TEST_REQUIRE_ALL'] === '1';
const hasPostgres = !!process.env['DATABASE_URL'];
const REDIS_URL = TEST_REDIS_URL;
if (requireAll && !hasPostgres) throw new Error('The multiprocess tier needs PostgreSQL: set DATABASE_URL.');
const redisUp = await redisAnswers(REDIS_URL);
if (requireAll && !redisUp) throw new Error(`The multiprocess tier needs Redis at ${REDIS_URL} (CORREIO_TEST_REDIS_URL).`);

const CHECK_TIMEOUT_S = 1;
const stateOf = (event: any) => event.data?.accountStatusChanged?.status?.incoming?.state;
// These accounts are never checked before the test's own check: until then their status is UNKNOWN.
const checkEvents = (events: any[]) => events.filter((e) => stateOf(e) !== 'UNKNOWN');

/**
 * The child processes give no handle on their subscriptions: re-activating the (already active)
 * account through `url` publishes an accountStatusChanged and changes nothing, so it is repeated
 * until the subscriber gets one. From then on the subscription is registered end to end (with
 * REDIS_URL: process 1's SUBSCRIBE included). Those events still show the UNKNOWN status.
 */
const reactivate = (url: string, token: string, id: string) => gqlOk(url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: true) { id } }`, { id }, token);

let db: SharedDatabase;
let silent: TestServer;
const processes: CorreioProcess[] = [];
let withRedis: [CorreioProcess, CorreioProcess] | null = null;
let withoutRedis: [CorreioProcess, CorreioProcess];

beforeAll(async () => {
  if (!hasPostgres) return;
  db = await sharedDatabase();
  silent = await startSilentServer();
  // All four start together: a process takes seconds to boot, the tests themselves take one or two.
  [withRedis, withoutRedis] = await Promise.all([redisUp ? apiProcesses(true) : null, apiProcesses(false)]);
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await silent?.stop();
  await db?.dispose();
});

async function apiProcesses(redis: boolean): Promise<[CorreioProcess, CorreioProcess]> {
  const env = { ...db.env, CORREIO_CHECK_TIMEOUT_SECONDS: String(CHECK_TIMEOUT_S), ...(redis ? { REDIS_URL } : {}) };
  const pair = await Promise.all([spawnCorreio(env, 'api'), spawnCorreio(env, 'api')]);
  processes.push(...pair);
  return pair;
}

describe.runIf(hasPostgres)('accountStatusChanged across API processes', () => {
  it.runIf(redisUp)('with REDIS_URL: a subscriber on process 1 sees CHECKING and the result of a check run by process 2', async () => {
    const [one, two] = withRedis!;
    const admin = await signUp(one.url);
    const id = await createAccount(one.url, admin.token, incomingInput('Silent', { port: silent.port }));
    const client = wsClient(one.url, admin.token);
    const sub = subscribe(client, STATUS_SUBSCRIPTION, { accountId: id });
    try {
      await untilDelivering(sub, () => reactivate(two.url, admin.token, id), 'process 2’s events to reach the subscriber on process 1');
      const result = await testAccount(two.url, admin.token, id);
      expect(result.incoming).toMatchObject({ state: 'INTERMITTENT', code: 'TIMEOUT' });
      await waitFor(() => sub.events.some((e) => stateOf(e) === 'INTERMITTENT'), 'the result on process 1', 5000);
      expect(stateOf(checkEvents(sub.events)[0])).toBe('CHECKING');

      // A refresh on process 2 streams every account's result to process 1 as well.
      const before = sub.events.length;
      await gqlOk(two.url, `mutation { refreshAccountStatuses { id } }`, {}, admin.token);
      await waitFor(() => sub.events.slice(before).some((e) => stateOf(e) === 'INTERMITTENT'), 'the refreshed result on process 1', 5000);
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });

  it('without Redis: events stay in the process that produced them', async () => {
    const [one, two] = withoutRedis;
    const admin = await signUp(one.url);
    const id = await createAccount(one.url, admin.token, incomingInput('Local', { port: silent.port, username: 'local' }));
    const client = wsClient(one.url, admin.token);
    const sub = subscribe(client, STATUS_SUBSCRIPTION, { accountId: id });
    try {
      await untilDelivering(sub, () => reactivate(one.url, admin.token, id), 'the subscription on process 1 to be registered');
      // Process 2's check is stored in the shared database, but its events never reach process 1…
      await testAccount(two.url, admin.token, id);
      expect(checkEvents(sub.events)).toEqual([]);
      // …while process 1's own check streams CHECKING, then the result, through in-process pub/sub.
      await testAccount(one.url, admin.token, id);
      await waitFor(() => sub.events.some((e) => stateOf(e) === 'INTERMITTENT'), 'the in-process result', 5000);
      expect(stateOf(checkEvents(sub.events)[0])).toBe('CHECKING');
      // Process 1's check took CHECK_TIMEOUT_S (the silent server never answers), and in all that
      // time nothing of process 2's check arrived either: the subscriber got one check's events.
      expect(checkEvents(sub.events).map(stateOf)).toEqual(['CHECKING', 'INTERMITTENT']);
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });
});
