// Thousands of mailboxes (issue 17): N Dovecot users on loopback, each connected as a Correio
// account of one workspace, synced by two engine processes (a third joins at the end) beside an
// API process, on PostgreSQL, events through Redis.
//   node --import tsx bench/mailboxes.ts [mailboxes=2000]
// Needs `ulimit -n` ≥ N + 1,000 (an engine may hold every connection for a moment) and Redis
// (REDIS_URL, default redis://127.0.0.1:6379). Targets (#17): every mailbox in IDLE ≤ 60 s after
// the engines start; ≤ 150 KB of engine RSS per idle mailbox; arrival → ticketChanged p95 ≤ 1.5 s;
// after a Dovecot restart every mailbox in IDLE again ≤ 90 s, no message missed, and no engine
// above its login limit.
import { availableParallelism } from 'node:os';
import pg from 'pg';
import type { Client } from 'graphql-ws';
import type { Dovecot } from '../tests/helpers/dovecot.ts';
import type { CorreioProcess } from '../tests/helpers/process.ts';
import { cpuSeconds } from './lib/cpu.ts';
import { idleTotal, scrapeEngines, type EngineMetrics } from './lib/engine-metrics.ts';
import { fmt, percentile, printTable, type Row } from './lib/report.ts';
import { nodeTreeRssKb, openFilesLimit, processTree } from './lib/rss.ts';
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { connectDovecotAccounts } = await import('../tests/helpers/accounts.ts');
const { signUp } = await import('../tests/helpers/app.ts');
const { startDovecot } = await import('../tests/helpers/dovecot.ts');
const { wsClient } = await import('../tests/helpers/graphql.ts');
const { buildMail } = await import('../tests/helpers/mail.ts');
const { freePort } = await import('../tests/helpers/ports.ts');
const { sharedDatabase, spawnCorreio } = await import('../tests/helpers/process.ts');

const total = Number(process.argv[2] ?? 2000);
// The memory slope is taken between this many mailboxes and `total` (500 at the issue's scale).
const base = Math.min(500, Math.floor(total / 2));
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
// Memory and SQL are read this long after the last mailbox entered IDLE, without forcing a GC.
const SETTLE_MS = 10_000;
const SQL_WINDOW_MS = Number(process.env['BENCH_SQL_WINDOW_SECONDS'] ?? 30) * 1000;
const LATENCY_SAMPLES = 100;
const OUTAGE_MESSAGES = 20;
const ACCOUNT_CONCURRENCY = 8;
const TARGET = { startSeconds: 60, rssKbPerMailbox: 150, latencyP95Ms: 1500, restartSeconds: 90 };

interface Engine {
  proc: CorreioProcess;
  metricsPort: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
const userName = (i: number) => `mbx${i}`;

async function startEngine(env: Record<string, string>): Promise<Engine> {
  const metricsPort = await freePort();
  const proc = await spawnCorreio({ ...env, CORREIO_METRICS_PORT: String(metricsPort) }, 'engine');
  return { proc, metricsPort };
}

async function startEngines(env: Record<string, string>, count: number): Promise<Engine[]> {
  return Promise.all(Array.from({ length: count }, () => startEngine(env)));
}

const scrape = (engines: Engine[]) => scrapeEngines(engines.map((e) => e.metricsPort));

function describeStates(all: EngineMetrics[]): string {
  return all.map((m, i) => `engine ${i + 1}: ${Object.entries(m.mailboxes).map(([s, n]) => `${s} ${n}`).join(', ')}, logins ${m.loginsInFlight} (peak ${m.loginsPeak})`).join('; ');
}

/**
 * Polls the engines' metrics until `done` holds; returns the milliseconds since `since` and the
 * metrics that satisfied it. Prints where the engines are every 5 s, for a run that drags on.
 */
async function until(engines: Engine[], done: (all: EngineMetrics[]) => boolean, what: string, since: number, timeoutMs: number): Promise<{ ms: number; all: EngineMetrics[] }> {
  const deadline = since + timeoutMs;
  let last: EngineMetrics[] = [];
  let failure = '';
  let progressAt = performance.now() + 5000;
  for (;;) {
    try {
      last = await scrape(engines);
      if (done(last)) return { ms: performance.now() - since, all: last };
    } catch (err) {
      failure = (err as Error).message;
    }
    const now = performance.now();
    if (now > deadline) throw new Error(`${what}: not within ${seconds(timeoutMs)} (${last.length ? describeStates(last) : failure})`);
    if (now > progressAt) {
      console.log(`  [${seconds(now - since)}] waiting for ${what}: ${last.length ? describeStates(last) : failure}`);
      progressAt = now + 5000;
    }
    await sleep(250);
  }
}

const ownedBy = (all: EngineMetrics[]) => all.map((m) => m.owned).join(' / ');

/**
 * Dovecot's own view of the logins in flight (connections not yet logged in, all engines
 * together), sampled every 50 ms until `stop()` returns the most seen. Only around login storms:
 * each sample reads /proc.
 */
function sampleDovecotLogins(dovecot: Dovecot): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => void dovecot.preLoginConnections().then((n) => (peak = Math.max(peak, n))), 50);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

const allIdle = (n: number) => (all: EngineMetrics[]) => idleTotal(all) === n;

/** Transactions PostgreSQL counted in the bench database so far (each autocommit statement is one). */
async function transactions(sql: pg.Client): Promise<number> {
  const { rows } = await sql.query(`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`);
  return Number(rows[0].n);
}

/** SQL transactions per second while nothing but the idle cluster runs (no scrapes, no GraphQL from here). */
async function idleSqlPerSecond(sql: pg.Client): Promise<number> {
  const before = await transactions(sql);
  const t0 = performance.now();
  await sleep(SQL_WINDOW_MS);
  const after = await transactions(sql);
  // The first read is itself a transaction.
  return ((after - before - 1) * 1000) / (performance.now() - t0);
}

const rssKb = (engines: Engine[]) => engines.reduce((sum, e) => sum + nodeTreeRssKb(e.proc.proc.pid!), 0);

/** One graphql-ws subscription to ticketChanged; `arrival(subject)` resolves when that ticket is announced. */
function ticketWatch(client: Client) {
  const waiting = new Map<string, () => void>();
  const seen = new Set<string>();
  const dispose = client.subscribe<{ ticketChanged: { subject: string } }>(
    { query: `subscription { ticketChanged { subject } }` },
    {
      next: (value) => {
        const subject = value.data?.ticketChanged.subject;
        if (!subject) return;
        seen.add(subject);
        waiting.get(subject)?.();
      },
      error: (err) => console.error('ticketChanged subscription failed', err),
      complete: () => undefined,
    },
  );
  return {
    dispose,
    arrival(subject: string, timeoutMs: number): Promise<void> {
      if (seen.has(subject)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ticketChanged for "${subject}" within ${timeoutMs} ms`)), timeoutMs);
        waiting.set(subject, () => (clearTimeout(timer), waiting.delete(subject), resolve()));
      });
    },
  };
}

async function latencySamples(dovecot: Dovecot, client: Client, users: string[]): Promise<number[]> {
  const watch = ticketWatch(client);
  try {
    // Also proves the subscription is registered end to end (API ← Redis ← engine) before timing.
    await dovecot.deliver(pick(users), buildMail({ subject: 'latency warm-up', from: 'warmup@cliente.example' }).raw);
    await watch.arrival('latency warm-up', 60_000);
    const samples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const subject = `latency ${i}`;
      const t = performance.now();
      await dovecot.deliver(pick(users), buildMail({ subject, from: `cliente${i}@cliente.example` }).raw);
      await watch.arrival(subject, 30_000);
      samples.push(performance.now() - t);
      await sleep(100);
    }
    return samples;
  } finally {
    watch.dispose();
  }
}

/** How many of `messageIds` became exactly one ticket action, and how many are missing or doubled. */
async function importedOnce(sql: pg.Client, messageIds: string[]): Promise<{ once: number; missing: number; doubled: number }> {
  const { rows } = await sql.query(`select message_id, count(*)::int as n from ticket_actions where message_id = any($1) group by message_id`, [messageIds]);
  const counts = new Map(rows.map((r: { message_id: string; n: number }) => [r.message_id, r.n]));
  const n = (id: string) => counts.get(id) ?? 0;
  return { once: messageIds.filter((id) => n(id) === 1).length, missing: messageIds.filter((id) => n(id) === 0).length, doubled: messageIds.filter((id) => n(id) > 1).length };
}

/** Logins at once against the limit: each engine's own peak since it started, and what Dovecot saw during `phase`. */
function loginRows(all: EngineMetrics[], dovecotPeak: number, phase: string): Row[] {
  const limit = Math.max(...all.map((m) => m.connectLimit));
  const worst = Math.max(...all.map((m) => m.loginsPeak));
  return [
    { figure: `peak concurrent logins per engine since its start (metrics), after ${phase}`, value: all.map((m) => m.loginsPeak).join(' / '), target: `≤ ${limit} (limit)`, pass: worst <= limit },
    // Dovecot also counts sessions it is still handing over to an imap process, which the engine
    // already saw succeed: up to one per slot more than the engines' own count.
    { figure: `peak logins in flight at Dovecot, all engines, ${phase} (sampled every 50 ms; includes hand-overs)`, value: String(dovecotPeak), baseline: `${all.length} × ${limit}` },
  ];
}

interface CpuSplit {
  engines: number;
  dovecot: number;
  postgres: number;
}

/** CPU seconds used so far by the engines' processes, Dovecot's and PostgreSQL's (the whole server's). */
function cpuSplit(engines: Engine[], dovecot: Dovecot): CpuSplit {
  const enginePids = new Set(engines.flatMap((e) => processTree(e.proc.proc.pid!)));
  const dovecotPids = new Set(dovecot.pid ? processTree(dovecot.pid) : []);
  return {
    engines: cpuSeconds((_name, pid) => enginePids.has(pid)),
    dovecot: cpuSeconds((_name, pid) => dovecotPids.has(pid)),
    postgres: cpuSeconds((name) => name === 'postgres'),
  };
}

/** Where a login storm's time went: which of the three used the cores. */
function cpuRow(phase: string, before: CpuSplit, after: CpuSplit, ms: number): Row {
  const used = (k: keyof CpuSplit) => fmt(after[k] - before[k], 1);
  return { figure: `CPU seconds during ${phase}: engines / Dovecot / PostgreSQL`, value: `${used('engines')} / ${used('dovecot')} / ${used('postgres')}`, baseline: `${fmt((ms / 1000) * availableParallelism(), 1)} s (${availableParallelism()} cores)` };
}

/** Mailboxes without exactly one IMAP session at Dovecot: a reconnect or a hand-over that left a connection behind, or none. */
async function sessionsRow(dovecot: Dovecot, users: string[], when: string): Promise<Row> {
  const sessions = await dovecot.imapSessionCounts();
  const twice = users.filter((u) => (sessions.get(u) ?? 0) > 1);
  const none = users.filter((u) => !sessions.has(u));
  const example = twice[0] ? `, e.g. ${twice[0]} × ${sessions.get(twice[0])}` : '';
  return { figure: `mailboxes without exactly one IMAP session at Dovecot, ${when}`, value: `${twice.length} with more, ${none.length} with none${example}`, target: '0', pass: twice.length + none.length === 0 };
}

// ---------------------------------------------------------------------------------------------

if (openFilesLimit() < total + 1000) {
  console.error(`ulimit -n is ${openFilesLimit()}: ${total} mailboxes need at least ${total + 1000} open files per process (run \`ulimit -n ${total + 1000}\` first)`);
  process.exit(1);
}

const users = Array.from({ length: total }, (_, i) => userName(i));
const dovecot = await startDovecot({ users: users.map((user) => ({ user, password: 'pw' })), clientLimit: total + 200 });
const db = await sharedDatabase();
const env = { ...db.env, REDIS_URL };
const sql = new pg.Client({ connectionString: db.env['DATABASE_URL'] });
await sql.connect();
const api = await spawnCorreio({ ...env, LOG_LEVEL: 'warn' }, 'api');
let engines: Engine[] = [];
const rows: Row[] = [];
const wait = (done: (all: EngineMetrics[]) => boolean, what: string, since: number, timeoutMs: number) => until(engines, done, what, since, timeoutMs);

try {
  const admin = await signUp(api.url);
  console.log(`${total} mailboxes on Dovecot (one workspace), two engines + an API process on PostgreSQL, events through Redis`);

  // 1. The first `base` mailboxes, then the engines.
  let t = performance.now();
  await connectDovecotAccounts(api.url, admin.token, dovecot, users.slice(0, base), ACCOUNT_CONCURRENCY);
  const perAccountMs = (performance.now() - t) / base;
  t = performance.now();
  engines = await startEngines(env, 2);
  const firstStart = await wait(allIdle(base), `all ${base} mailboxes in IDLE`, t, 180_000);
  rows.push(
    { figure: `createEmailAccount (GraphQL, ${ACCOUNT_CONCURRENCY} at a time)`, value: `${fmt(perAccountMs, 1)} ms per account` },
    { figure: `engines start → ${base} mailboxes in IDLE (owned per engine then)`, value: `${seconds(firstStart.ms)} (${ownedBy(firstStart.all)})` },
  );
  await sleep(SETTLE_MS);
  const rssBase = rssKb(engines);
  const sqlBase = await idleSqlPerSecond(sql);

  // 2. The rest of the mailboxes, added while the engines run.
  t = performance.now();
  await connectDovecotAccounts(api.url, admin.token, dovecot, users.slice(base), ACCOUNT_CONCURRENCY);
  const added = await wait(allIdle(total), `all ${total} mailboxes in IDLE`, t, 300_000);
  await sleep(SETTLE_MS);
  const rssTotal = rssKb(engines);
  const slopeKb = (rssTotal - rssBase) / (total - base);
  const sqlTotal = await idleSqlPerSecond(sql);
  rows.push(
    { figure: `${total - base} accounts added while running → all ${total} in IDLE`, value: `${seconds(added.ms)} (${ownedBy(added.all)})` },
    { figure: `engine RSS, both engines, ${base} / ${total} idle mailboxes`, value: `${fmt(rssBase / 1024)} / ${fmt(rssTotal / 1024)} MB` },
    { figure: `engine RSS per idle mailbox (slope ${base} → ${total})`, value: `${fmt(slopeKb, 1)} KB`, target: `≤ ${TARGET.rssKbPerMailbox} KB`, pass: slopeKb <= TARGET.rssKbPerMailbox },
    { figure: `idle SQL transactions/s, 2 engines + API process, ${base} mailboxes`, value: fmt(sqlBase, 1) },
    { figure: `idle SQL transactions/s, 2 engines + API process, ${total} mailboxes`, value: fmt(sqlTotal, 1), baseline: `${base} mailboxes`, ratio: fmt(sqlTotal / sqlBase, 2) },
  );

  // 3. Arrival latency with every mailbox connected.
  const client = wsClient(api.url, admin.token);
  const latency = await latencySamples(dovecot, client, users);
  await client.dispose();
  const p95 = percentile(latency, 95);
  rows.push({ figure: `delivery → ticketChanged, ${LATENCY_SAMPLES} random mailboxes, p50 / p95`, value: `${fmt(percentile(latency, 50))} / ${fmt(p95)} ms`, target: `p95 ≤ ${fmt(TARGET.latencyP95Ms)} ms`, pass: p95 <= TARGET.latencyP95Ms });

  // 4. Cold start with every mailbox: both engines stopped, started again.
  await Promise.all(engines.map((e) => e.proc.stop()));
  let sampler = sampleDovecotLogins(dovecot);
  // The new engines' CPU is counted from their birth: their start-up is part of the figure.
  let cpu = cpuSplit([], dovecot);
  t = performance.now();
  engines = await startEngines(env, 2);
  // The engines run the TypeScript sources through tsx, as in the tests: a few seconds of the figure.
  const processesUpMs = performance.now() - t;
  const cold = await wait(allIdle(total), `all ${total} mailboxes in IDLE after a cold start`, t, 180_000);
  rows.push({
    figure: `engines start → all ${total} mailboxes in IDLE (processes up after; owned per engine then)`,
    value: `${seconds(cold.ms)} (${seconds(processesUpMs)}; ${ownedBy(cold.all)})`,
    target: `≤ ${TARGET.startSeconds} s`,
    pass: cold.ms <= TARGET.startSeconds * 1000,
  });
  rows.push(cpuRow('the cold start', cpu, cpuSplit(engines, dovecot), cold.ms), ...loginRows(await scrape(engines), sampler.stop(), 'the cold start'));

  // 5. Dovecot restarts; mail arrives meanwhile.
  await dovecot.halt();
  await wait((all) => idleTotal(all) === 0, 'the engines to notice Dovecot is down', performance.now(), 60_000);
  const outage = Array.from({ length: OUTAGE_MESSAGES }, (_, i) => ({ user: pick(users), mail: buildMail({ subject: `during the outage ${i}`, from: `outage${i}@cliente.example` }) }));
  for (const { user, mail } of outage) await dovecot.deliver(user, mail.raw);
  sampler = sampleDovecotLogins(dovecot);
  await dovecot.restart();
  cpu = cpuSplit(engines, dovecot);
  t = performance.now();
  const back = await wait(allIdle(total), `all ${total} mailboxes back in IDLE after Dovecot restarted`, t, 270_000);
  const cpuBack = cpuSplit(engines, dovecot);
  const ids = outage.map((o) => o.mail.messageId);
  // Every mailbox is in IDLE, so every message delivered while it was down has been fetched; the
  // short wait covers a commit still on its way.
  const deadline = performance.now() + 30_000;
  let imported = await importedOnce(sql, ids);
  while (imported.once < ids.length && performance.now() < deadline) {
    await sleep(500);
    imported = await importedOnce(sql, ids);
  }
  rows.push(
    { figure: `Dovecot restarted → all ${total} mailboxes in IDLE`, value: seconds(back.ms), target: `≤ ${TARGET.restartSeconds} s`, pass: back.ms <= TARGET.restartSeconds * 1000 },
    cpuRow('the reconnection', cpu, cpuBack, back.ms),
    { figure: 'messages delivered while Dovecot was down → exactly one ticket each', value: `${imported.once}/${ids.length} (missing ${imported.missing}, doubled ${imported.doubled})`, target: `${ids.length}`, pass: imported.once === ids.length },
    ...loginRows(await scrape(engines), sampler.stop(), 'the Dovecot restart'),
    await sessionsRow(dovecot, users, 'after the Dovecot restart'),
  );

  // 6. A third engine joins.
  const share = { low: Math.floor(total / 3), high: Math.ceil(total / 3) };
  t = performance.now();
  engines = [...engines, await startEngine(env)];
  const fair = (all: EngineMetrics[]) => idleTotal(all) === total && all.every((m) => m.owned >= share.low && m.owned <= share.high);
  const joined = await wait(fair, `a fair share (${share.low}–${share.high}) for each of three engines, all in IDLE`, t, 180_000);
  rows.push(
    { figure: `third engine starts → each owns ${share.low}–${share.high}, all ${total} in IDLE`, value: `${seconds(joined.ms)} (${ownedBy(joined.all)})` },
    await sessionsRow(dovecot, users, 'after the third engine joined'),
  );
} catch (err) {
  console.error(err);
  rows.push({ figure: 'bench aborted', value: (err as Error).message.slice(0, 300), pass: false });
  process.exitCode = 1;
} finally {
  await Promise.all(engines.map((e) => e.proc.stop()));
  await api.stop();
  await sql.end();
  await dovecot.stop();
  await db.dispose();
}

printTable(`Thousands of mailboxes: ${total} on one Dovecot, two engines (${db.kind})`, rows);
// A missed target is a MISS row in the table; only an aborted run exits non-zero.
process.exit();
