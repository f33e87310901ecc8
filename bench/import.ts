// Import throughput: a 10,000-message backlog in Dovecot imported into PostgreSQL, against
// single-thread mailparser and raw imapflow fetch on the same messages, in the same run.
//   node --import tsx bench/import.ts [count]
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { rowsOf } from '@correio/core';
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { connectDovecotAccount } = await import('../tests/helpers/accounts.ts');
const { signUp, startTestApp } = await import('../tests/helpers/app.ts');
const { startDovecot } = await import('../tests/helpers/dovecot.ts');
const { buildCorpus } = await import('./lib/corpus.ts');
const { fmt, printTable } = await import('./lib/report.ts');

const count = Number(process.argv[2] ?? 10_000);
const corpus = buildCorpus(count);
const megabytes = corpus.reduce((n, b) => n + b.length, 0) / 1024 / 1024;
console.log(`corpus: ${count} messages, ${fmt(megabytes, 1)} MB`);

// Baseline 1: mailparser's simpleParser, one message after another, in memory.
let t = performance.now();
for (const raw of corpus) await simpleParser(raw);
const parseRate = count / ((performance.now() - t) / 1000);

const dovecot = await startDovecot({ users: [{ user: 'bench', password: 'pw' }] });
await dovecot.deliverMany('bench', corpus);

// Baseline 2: imapflow full-source FETCH of the same mailbox, one connection (warm cache).
const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user: 'bench', pass: 'pw' }, logger: false });
await client.connect();
let fetchRate = 0;
for (let round = 0; round < 2; round++) {
  const lock = await client.getMailboxLock('INBOX');
  t = performance.now();
  let n = 0;
  for await (const m of client.fetch('1:*', { uid: true, source: true })) if (m.source) n++;
  fetchRate = n / ((performance.now() - t) / 1000);
  lock.release();
}
await client.logout();

// Correio: the account is connected with "import all existing mail"; timed until the last one is committed.
const app = await startTestApp({ LOG_LEVEL: 'warn' });
const admin = await signUp(app.url);
const db = app.runtime.database.db;
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
t = performance.now();
const cpuBefore = process.cpuUsage();
const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'bench', { incoming: { importExisting: 'ALL' } });
for (;;) {
  const [row] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from imported_messages where account_id = ${account.id}`));
  if ((row?.n ?? 0) >= count) break;
  await new Promise((r) => setTimeout(r, 50));
}
const importSeconds = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuPerMessageMs = (cpu.user + cpu.system) / 1000 / count;
clearInterval(sampler);
const importRate = count / importSeconds;
const [tickets] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from tickets`));
await app.stop();
await dovecot.stop();

printTable(`Import throughput (${count} messages, ${fmt(megabytes, 1)} MB, ${app.db.kind})`, [
  { figure: 'mailparser simpleParser, 1 thread', value: `${fmt(parseRate)} msg/s` },
  { figure: 'imapflow raw fetch (warm)', value: `${fmt(fetchRate)} msg/s` },
  { figure: 'Correio import → tickets', value: `${fmt(importRate)} msg/s (${fmt(importSeconds, 1)} s)`, baseline: 'simpleParser', ratio: fmt(importRate / parseRate, 2), target: '≥ 0.5 (stretch ≥ 1.0)', pass: importRate / parseRate >= 0.5 },
  { figure: 'Correio vs raw fetch', value: '', baseline: 'imapflow fetch', ratio: fmt(importRate / fetchRate, 2) },
  { figure: 'tickets created', value: String(tickets?.n ?? 0) },
  { figure: 'Correio CPU per message (all threads, excl. PostgreSQL)', value: `${fmt(cpuPerMessageMs, 2)} ms (simpleParser: ${fmt(1000 / parseRate, 2)} ms)` },
  { figure: 'peak RSS growth while importing', value: `${fmt((peakRss - rssBefore) / 1024 / 1024)} MB` },
]);
process.exit(0);
