// refreshAccountStatuses over 200 accounts (issue 4): half healthy on a local Dovecot, a quarter
// with wrong passwords, a quarter pointing at a port that accepts and never answers. Measures,
// from the moment the mutation is sent, when each result reaches a graphql-ws subscriber (what an
// open accounts screen sees) and when it was published on the event bus.
//   node --import tsx bench/status-refresh.ts [accounts=200] [checkTimeoutSeconds=15]
// Targets: every result within 1.5 × the check timeout; the first result within 200 ms.
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { schema } = await import('@correio/core');
const { signUp, startTestApp } = await import('../tests/helpers/app.ts');
const { startDovecot } = await import('../tests/helpers/dovecot.ts');
const { gqlOk, subscribe, wsClient } = await import('../tests/helpers/graphql.ts');
const { createAccount, incomingInput, REFRESH, startSilentServer, STATUS_SUBSCRIPTION } = await import('../tests/helpers/status.ts');
const { fmt, percentile, printTable } = await import('./lib/report.ts');

const total = Number(process.argv[2] ?? 200);
const timeoutSeconds = Number(process.argv[3] ?? 15);
type Kind = 'healthy' | 'wrong' | 'silent';
// Interleaved, as a real workspace would list them: H H W S H H W S …
const plan = Array.from({ length: total }, (_, i): Kind => (['healthy', 'healthy', 'wrong', 'silent'] as const)[i % 4]!);
const count = (kind: Kind) => plan.filter((k) => k === kind).length;
const [healthyCount, wrongCount, silentCount] = [count('healthy'), count('wrong'), count('silent')];

const users = [{ user: 'warmup', password: 'secret' }, ...Array.from({ length: healthyCount + wrongCount }, (_, i) => ({ user: `bench${i}`, password: 'secret' }))];
// Dovecot stands in for remote providers, whose servers do not share our 2 cores: its login
// processes are reused (Dovecot's "high-performance mode") instead of forked per connection.
// BENCH_DOVECOT_DEFAULT=1 keeps Dovecot's default (a process per login) for comparison.
const forkPerLogin = process.env['BENCH_DOVECOT_DEFAULT'] === '1';
const dovecot = await startDovecot({ users, ...(forkPerLogin ? {} : { extraConfig: 'service imap-login {\n  service_count = 0\n  process_min_avail = 2\n}\n' }) });
const silent = await startSilentServer();
// API-only: no live importer competing for the mailboxes, so every result below is the check's.
const app = await startTestApp({ CORREIO_ROLE: 'api', LOG_LEVEL: 'warn', CORREIO_CHECK_TIMEOUT_SECONDS: String(timeoutSeconds) });
const admin = await signUp(app.url);

const kinds = new Map<string, Kind>();
try {
  // The built-in account needs no network and would win "first result" for free: switched off.
  const builtin = (await gqlOk(app.url, `query { emailAccounts { id } }`, {}, admin.token)).emailAccounts[0].id;
  await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { id } }`, { id: builtin }, admin.token);

  let userIndex = 0;
  const inputs = plan.map((kind, i) => {
    if (kind === 'silent') return { kind, input: incomingInput(`Silent${i}`, { port: silent.port, username: `silent${i}` }) };
    const user = `bench${userIndex++}`;
    return { kind, input: incomingInput(`Account${i}`, { port: dovecot.imapPort, username: user, password: kind === 'wrong' ? 'wrong-password' : 'secret' }) };
  });
  for (let i = 0; i < inputs.length; i += 10) {
    const batch = inputs.slice(i, i + 10);
    const ids = await Promise.all(batch.map((b) => createAccount(app.url, admin.token, b.input)));
    ids.forEach((id, j) => kinds.set(id, batch[j]!.kind));
  }
  // One check first, so Dovecot's own processes (auth, login) and our code are warm, as a real
  // provider's servers would be; the mailboxes of the measured accounts are still opened cold.
  const warm = await createAccount(app.url, admin.token, incomingInput('Warmup', { port: dovecot.imapPort, username: 'warmup' }));
  await gqlOk(app.url, `mutation($id: ID!) { testEmailAccount(id: $id) { overall } }`, { id: warm }, admin.token);
  await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { id } }`, { id: warm }, admin.token);
  console.log(`${total} accounts: ${healthyCount} healthy, ${wrongCount} wrong password, ${silentCount} silent port; check timeout ${timeoutSeconds} s; database ${app.db.kind}; Dovecot ${forkPerLogin ? 'forking a login process per connection' : 'reusing login processes'}`);

  // Publication times, straight from the event bus.
  const workspaceId = (await gqlOk(app.url, `query { workspace { id } }`, {}, admin.token)).workspace.id as string;
  const published = new Map<string, number>();
  let t0 = 0;
  const busIterator = app.runtime.events.pubsub.subscribe('accountStatusChanged', workspaceId);
  void (async () => {
    for await (const event of busIterator) {
      // A refresh publishes no CHECKING per account: the first event after the start is the result.
      if (t0 && !published.has(event.accountId) && kinds.has(event.accountId)) published.set(event.accountId, performance.now() - t0);
    }
  })();

  const client = wsClient(app.url, admin.token);
  const sub = subscribe(client, STATUS_SUBSCRIPTION, {});
  await new Promise((r) => setTimeout(r, 500));

  const received = new Map<string, { ms: number; state: string }>();
  const watch = setInterval(() => {
    for (const e of sub.events.splice(0)) {
      const account = e.data?.accountStatusChanged;
      const state = account?.status.incoming.state;
      if (account && kinds.has(account.id) && state !== 'CHECKING' && !received.has(account.id)) received.set(account.id, { ms: performance.now() - t0, state });
    }
  }, 2);

  t0 = performance.now();
  const refreshed = (await gqlOk(app.url, REFRESH, {}, admin.token)).refreshAccountStatuses;
  const returnedMs = performance.now() - t0;
  const checkingAtReturn = refreshed.filter((a: { id: string; status: { incoming: { state: string } } }) => kinds.has(a.id) && a.status.incoming.state === 'CHECKING').length;

  const deadline = t0 + timeoutSeconds * 3000;
  while ((received.size < total || published.size < total) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(watch);
  sub.dispose();
  await client.dispose();
  void busIterator.return?.();

  const times = (kind?: Kind) => [...received].filter(([id]) => !kind || kinds.get(id) === kind).map(([, r]) => r.ms);
  const states = (kind: Kind) => [...new Set([...received].filter(([id]) => kinds.get(id) === kind).map(([, r]) => r.state))].join('/');
  const lastReceived = Math.max(...times());
  const firstReceived = Math.min(...times());
  const lastPublished = Math.max(...published.values());
  const firstPublished = Math.min(...published.values());
  const limit = 1.5 * timeoutSeconds * 1000;

  printTable(`refreshAccountStatuses, ${total} accounts (check timeout ${timeoutSeconds} s, ${app.db.kind})`, [
    { figure: 'results received (ws)', value: `${received.size}/${total}`, target: `${total}`, pass: received.size === total },
    { figure: 'mutation returned', value: `${fmt(returnedMs)} ms`, baseline: `${checkingAtReturn} CHECKING` },
    { figure: 'first result received (ws)', value: `${fmt(firstReceived)} ms`, target: '< 200 ms', pass: firstReceived < 200 },
    { figure: 'first result published (bus)', value: `${fmt(firstPublished)} ms`, target: '< 200 ms', pass: firstPublished < 200 },
    { figure: 'last result received (ws)', value: `${fmt(lastReceived)} ms`, target: `< ${fmt(limit)} ms`, pass: lastReceived < limit },
    { figure: 'last result published (bus)', value: `${fmt(lastPublished)} ms`, target: `< ${fmt(limit)} ms`, pass: lastPublished < limit },
    { figure: `healthy p50 / max (${states('healthy')})`, value: `${fmt(percentile(times('healthy'), 50))} / ${fmt(Math.max(...times('healthy')))} ms` },
    { figure: `wrong password p50 / max (${states('wrong')})`, value: `${fmt(percentile(times('wrong'), 50))} / ${fmt(Math.max(...times('wrong')))} ms` },
    { figure: `silent port p50 / max (${states('silent')})`, value: `${fmt(percentile(times('silent'), 50))} / ${fmt(Math.max(...times('silent')))} ms` },
  ]);
  // Where a healthy check spends its time (from the phases stored with each status).
  const rows = await app.runtime.database.db.select().from(schema.accountStatuses);
  const phaseMs = new Map<string, number[]>();
  for (const row of rows) {
    if (kinds.get(row.accountId) !== 'healthy' || !row.lastCheck) continue;
    for (const p of row.lastCheck.phases) phaseMs.set(p.phase, [...(phaseMs.get(p.phase) ?? []), p.ms]);
  }
  console.log(`healthy check, median ms per phase: ${[...phaseMs].map(([phase, ms]) => `${phase} ${fmt(percentile(ms, 50))}`).join(', ')}`);
  if (received.size < total || firstReceived >= 200 || lastReceived >= limit) process.exitCode = 1;
} finally {
  await app.stop();
  await silent.stop();
  await dovecot.stop();
}

