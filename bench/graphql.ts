// GraphQL load: 100,000 tickets, `tickets(first: 50)` with filters at 50 concurrent clients
// (autocannon), beside /healthz on the same server as the HTTP floor; then 1,000 graphql-ws
// subscribers receiving one ticketChanged.
//   node --import tsx bench/graphql.ts [tickets]
import autocannon from 'autocannon';
import pg from 'pg';
const { sharedDatabase, spawnCorreio } = await import('../tests/helpers/process.ts');
const { buildServer } = await import('../scripts/build-server.mjs');
const { signUp } = await import('../tests/helpers/app.ts');
const { gqlOk, wsClient } = await import('../tests/helpers/graphql.ts');
const { fmt, percentile, printTable } = await import('./lib/report.ts');

const TICKETS = Number(process.argv[2] ?? 100_000);
const SUBSCRIBERS = 1000;
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const db = await sharedDatabase();
// The compiled server, as `npm start` runs it.
await buildServer();
const server = await spawnCorreio({ ...db.env, LOG_LEVEL: 'warn' }, 'api', { built: true });
const admin = await signUp(server.url);
const ws = (await gqlOk(server.url, `{ workspace { id } }`, {}, admin.token)).workspace.id as string;
const group = (await gqlOk(server.url, `mutation { createGroup(name: "Bench") { id } }`, {}, admin.token)).createGroup.id as string;

// Seed straight in SQL: the benchmark measures reads, not the importer.
const client = new pg.Client({ connectionString: db.env['DATABASE_URL'] });
await client.connect();
let t = performance.now();
await client.query(`insert into clients (workspace_id, email, name) select $1, 'client' || g || '@bench.example', 'Client ' || g from generate_series(1, 1000) g`, [ws]);
await client.query(
  `with c as (select id, row_number() over () as n from clients where workspace_id = $1)
   insert into tickets (workspace_id, number, subject, normalized_subject, status, customer_id, group_id, created_at, updated_at)
   select $1, g, 'Pedido ' || g || ' atrasado', 'pedido ' || g || ' atrasado',
          (array['NEW','OPEN','PENDING','RESOLVED','CLOSED'])[1 + g % 5]::ticket_status,
          (select id from c where n = 1 + g % 1000), case when g % 3 = 0 then $2::uuid end,
          now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
   from generate_series(1, $3::int) g`,
  [ws, group, TICKETS],
);
await client.query(`insert into ticket_actions (workspace_id, ticket_id, kind, text) select workspace_id, id, 'EMAIL_IN', 'Meu pedido não chegou.' from tickets where workspace_id = $1`, [ws]);
await client.query(`update workspaces set ticket_seq = $2 where id = $1`, [ws, TICKETS]);
// Steady state: autovacuum has long set the visibility map on a real server.
await client.query('vacuum analyze');
const seedSeconds = (performance.now() - t) / 1000;

const query = `query($f: TicketFilter) { tickets(first: 50, filter: $f) { totalCount pageInfo { endCursor hasNextPage } edges { node { id number subject status updatedAt customer { email name } group { name } assignee { name } } } } }`;
const sample = (await gqlOk(server.url, query, { f: { status: ['NEW', 'OPEN'], groupId: group } }, admin.token)).tickets;
if (sample.edges.length !== 50 || sample.totalCount < 1000) throw new Error(`unexpected sample page: ${sample.totalCount} tickets, ${sample.edges.length} edges`);
const run = (opts: autocannon.Options) => new Promise<autocannon.Result>((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
const common = { url: server.url, connections: 50, duration: Number(process.env.BENCH_SECONDS ?? 15) };
const floor = await run({ ...common, url: `${server.url}/healthz`, duration: 8 });
const load = await run({
  ...common,
  url: `${server.url}/graphql`,
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
  body: JSON.stringify({ query, variables: { f: { status: ['NEW', 'OPEN'], groupId: group } } }),
});
const search = await run({
  ...common,
  duration: 8,
  url: `${server.url}/graphql`,
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
  body: JSON.stringify({ query, variables: { f: { status: ['OPEN'], search: 'Pedido 4' } } }),
});
const pageOnly = await run({
  ...common,
  duration: 8,
  url: `${server.url}/graphql`,
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
  body: JSON.stringify({ query: query.replace('totalCount ', ''), variables: { f: { status: ['NEW', 'OPEN'], groupId: group } } }),
});
// The same list while the workspace changes ten times a second (a ticket updated every 100 ms):
// every change ends the cached answers, and the requests that follow share one new computation.
const someTickets = (await client.query(`select id from tickets where workspace_id = $1 and group_id = $2 limit 20`, [ws, group])).rows as Array<{ id: string }>;
let writing = true;
let writes = 0;
const writer = (async () => {
  while (writing) {
    const id = someTickets[writes % someTickets.length]!.id;
    await gqlOk(server.url, `mutation($id: ID!, $s: TicketStatus!) { updateTicket(id: $id, input: { status: $s }) { id } }`, { id, s: writes % 2 ? 'NEW' : 'OPEN' }, admin.token);
    writes += 1;
    await new Promise((r) => setTimeout(r, 100));
  }
})();
const changing = await run({ ...common, url: `${server.url}/graphql`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` }, body: JSON.stringify({ query, variables: { f: { status: ['NEW', 'OPEN'], groupId: group } } }) });
writing = false;
await writer;
const writesPerSecond = writes / common.duration;

// Without the list cache (CORREIO_LIST_CACHE_SECONDS=0): every request runs its SQL.
const uncachedServer = await spawnCorreio({ ...db.env, LOG_LEVEL: 'warn', CORREIO_LIST_CACHE_SECONDS: '0' }, 'api', { built: true });
const uncached = await run({ ...common, url: `${uncachedServer.url}/graphql`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` }, body: JSON.stringify({ query, variables: { f: { status: ['NEW', 'OPEN'], groupId: group } } }) });
const uncachedFloor = await run({ ...common, url: `${uncachedServer.url}/healthz`, duration: 5 });
await uncachedServer.stop();
const errors = [load, search, pageOnly, changing, uncached].reduce((n, r) => n + r.errors + r.non2xx, 0);

// 1,000 subscribers, one event.
const clients = Array.from({ length: SUBSCRIBERS }, () => wsClient(server.url, admin.token));
const [someTicket] = (await client.query(`select id from tickets where workspace_id = $1 limit 1`, [ws])).rows as Array<{ id: string }>;
const arrivals: number[] = [];
let ready = 0;
let sent = 0;
await new Promise<void>((resolve) => {
  for (const c of clients)
    c.subscribe(
      { query: `subscription { ticketChanged { id status } }` },
      {
        next: () => {
          arrivals.push(performance.now() - sent);
          if (arrivals.length === SUBSCRIBERS) resolve();
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  // Subscriptions are acknowledged asynchronously; give all 1,000 time to be registered.
  const poll = setInterval(async () => {
    ready = SUBSCRIBERS;
    clearInterval(poll);
    await new Promise((r) => setTimeout(r, 3000));
    sent = performance.now();
    await gqlOk(server.url, `mutation($id: ID!) { updateTicket(id: $id, input: { status: PENDING }) { id } }`, { id: someTicket!.id }, admin.token);
  }, 2000);
  setTimeout(resolve, 30_000);
});
for (const c of clients) void c.dispose();
await client.end();
await server.stop();
await db.dispose();

printTable(`GraphQL load (${fmt(TICKETS)} tickets, 50 connections, PostgreSQL; seeded in ${fmt(seedSeconds, 1)} s)`, [
  { figure: 'tickets matching status + group', value: `${fmt(sample.totalCount)} (pages of 50)` },
  { figure: 'GET /healthz (HTTP floor) p50 / p99', value: `${floor.latency.p50} / ${floor.latency.p99} ms, ${fmt(floor.requests.average)} req/s` },
  { figure: 'tickets(first: 50, status + group) p50 / p99, unchanged lists', value: `${load.latency.p50} / ${load.latency.p99} ms, ${fmt(load.requests.average)} req/s`, baseline: 'healthz req/s', ratio: fmt(load.requests.average / floor.requests.average, 2), target: '≥ 0.25 ×, p99 ≤ 100 ms', pass: load.requests.average >= 0.25 * floor.requests.average && load.latency.p99 <= 100 },
  { figure: `same, the workspace changing ${fmt(writesPerSecond, 1)} times a second`, value: `${changing.latency.p50} / ${changing.latency.p99} ms, ${fmt(changing.requests.average)} req/s`, baseline: 'healthz req/s', ratio: fmt(changing.requests.average / floor.requests.average, 2) },
  { figure: 'same, list cache off: every request runs its SQL', value: `${uncached.latency.p50} / ${uncached.latency.p99} ms, ${fmt(uncached.requests.average)} req/s`, baseline: 'healthz req/s (that server)', ratio: fmt(uncached.requests.average / uncachedFloor.requests.average, 3) },
  { figure: 'tickets(first: 50, status + subject search) p50 / p99 (cached)', value: `${search.latency.p50} / ${search.latency.p99} ms, ${fmt(search.requests.average)} req/s` },
  { figure: 'same (cached), without totalCount, p50 / p99', value: `${pageOnly.latency.p50} / ${pageOnly.latency.p99} ms, ${fmt(pageOnly.requests.average)} req/s` },
  { figure: 'errors / non-2xx', value: String(errors), target: '0', pass: errors === 0 },
  { figure: `ticketChanged to ${SUBSCRIBERS} subscribers: received`, value: `${arrivals.length} (${ready} subscribed)`, target: String(SUBSCRIBERS), pass: arrivals.length === SUBSCRIBERS },
  { figure: 'ticketChanged delivery p50 / p95', value: `${fmt(percentile(arrivals, 50))} / ${fmt(percentile(arrivals, 95))} ms`, target: 'p95 ≤ 250 ms', pass: percentile(arrivals, 95) <= 250 },
]);
process.exit(0);
