// The production process as `npm start` runs it: cold start to /healthz OK, and the RSS of the
// whole process tree (npm, the bootstrap, Correio and every worker thread it has) when idle on
// PostgreSQL and on PGlite, and with 100 mailboxes connected and in IDLE (issue 14).
//   node --import tsx bench/runtime.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { createTestDatabaseUrl } = await import('../tests/helpers/database.ts');
const { startDovecot } = await import('../tests/helpers/dovecot.ts');
const { freePort } = await import('../tests/helpers/ports.ts');
const { signUp } = await import('../tests/helpers/app.ts');
const { gqlOk } = await import('../tests/helpers/graphql.ts');
const { waitFor } = await import('../tests/helpers/wait.ts');
const { fmt, printTable } = await import('./lib/report.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const IDLE_SETTLE_MS = Number(process.env['BENCH_RUNTIME_SETTLE_MS'] ?? 30_000);
const MAILBOXES = 100;

/** RSS of a process and all its descendants, from /proc (Linux). */
async function treeRss(pid: number): Promise<{ bytes: number; processes: Array<{ pid: number; name: string; rss: number }> }> {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  const rss = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const ppid = Number(fields[1]);
      const id = Number(entry);
      children.set(ppid, [...(children.get(ppid) ?? []), id]);
      names.set(id, stat.slice(stat.indexOf('(') + 1, close));
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      rss.set(id, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  const processes: Array<{ pid: number; name: string; rss: number }> = [];
  const walk = (id: number) => {
    processes.push({ pid: id, name: names.get(id) ?? '?', rss: rss.get(id) ?? 0 });
    for (const c of children.get(id) ?? []) walk(c);
  };
  walk(pid);
  return { bytes: processes.reduce((n, p) => n + p.rss, 0), processes };
}

interface Started {
  child: ChildProcess;
  url: string;
  coldStartMs: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** `npm start`, exactly as the README says, with its own data folder and port. */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'correio-runtime-'));
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CORREIO_DATA_DIR: dataDir, INBOUND_SMTP_PORT: String(await freePort()), LOG_LEVEL: 'warn', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok, 'Correio to answer /healthz', 120_000, 25);
  const coldStartMs = performance.now() - started;
  return {
    child,
    url,
    coldStartMs,
    dataDir,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MB`;
const rows: Parameters<typeof printTable>[1] = [];

// Warm run first: `npm start` installs and builds the web app only when needed; the cold start
// measured below is the start of an installed, built Correio.
{
  const warm = await npmStart({});
  await warm.stop();
}

// 1. PostgreSQL, idle.
const pgDb = (await createTestDatabaseUrl())!;
// The mailboxes below are on a loopback Dovecot, which an operator allows like a LAN server.
const pg = await npmStart({ DATABASE_URL: pgDb.url, CORREIO_PRIVATE_HOSTS_ALLOWED: '127.0.0.1' });
process.on('exit', () => {
  try {
    process.kill(-pg.child.pid!, 'SIGKILL');
  } catch {
    // stopped already
  }
});
await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
const pgIdle = await treeRss(pg.child.pid!);
console.log('PostgreSQL idle:', pgIdle.processes.map((p) => `${p.name}:${mb(p.rss)}`).join(' '));
rows.push({ figure: 'cold start to /healthz OK (PostgreSQL)', value: `${fmt(pg.coldStartMs / 1000, 2)} s`, target: '≤ 3 s', pass: pg.coldStartMs <= 3000 });
rows.push({ figure: `idle RSS, whole tree, ${IDLE_SETTLE_MS / 1000} s after start (PostgreSQL)`, value: mb(pgIdle.bytes), target: '≤ 200 MB', pass: pgIdle.bytes <= 200 * 1024 * 1024 });

// 2. PostgreSQL, 100 mailboxes connected, each in IDLE.
const dovecot = await startDovecot({ users: Array.from({ length: MAILBOXES }, (_, i) => ({ user: `box${i}`, password: 'pw' })) });
const admin = await signUp(pg.url);
for (let i = 0; i < MAILBOXES; i++) {
  await gqlOk(
    pg.url,
    `mutation($input: EmailAccountInput!) { createEmailAccount(input: $input) { id } }`,
    { input: { name: `Box ${i}`, kind: 'EXTERNAL', address: `box${i}@acme.example`, incoming: { enabled: true, protocol: 'IMAP', host: '127.0.0.1', port: dovecot.imapPort, encryption: 'NONE', username: `box${i}`, password: 'pw' }, outgoing: null } },
    admin.token,
  );
}
await waitFor(async () => (await dovecot.sessions()).filter((s) => s.command === 'IDLE').length >= MAILBOXES, `${MAILBOXES} mailboxes in IDLE`, 120_000, 500);
await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
const pgBoxes = await treeRss(pg.child.pid!);
rows.push({ figure: `RSS with ${MAILBOXES} IDLE mailboxes (PostgreSQL)`, value: mb(pgBoxes.bytes), target: '≤ 260 MB', pass: pgBoxes.bytes <= 260 * 1024 * 1024 });
await pg.stop();
await dovecot.stop();
await pgDb.drop();

// 3. PGlite (no DATABASE_URL), idle, with a new data folder.
const lite = await npmStart({});
await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
const liteIdle = await treeRss(lite.child.pid!);
console.log('PGlite idle:', liteIdle.processes.map((p) => `${p.name}:${mb(p.rss)}`).join(' '));
rows.push({ figure: 'cold start to /healthz OK (PGlite, new data folder)', value: `${fmt(lite.coldStartMs / 1000, 2)} s` });
rows.push({ figure: `idle RSS, whole tree (PGlite)`, value: mb(liteIdle.bytes), target: '≤ 300 MB', pass: liteIdle.bytes <= 300 * 1024 * 1024 });
await lite.stop();

printTable('Production runtime (npm start)', rows);
process.exit(0);
