// Issue 14: Correio runs as compiled JavaScript, the way `npm start` runs it — the start script
// building the server (tsc, imports rewritten to dist/) and importing it in its own process. The
// built server must do everything the sources do that depends on files found at run time:
// migrations, the web app, and the parser (loaded lazily on the main thread, and as the worker
// threads' own build when a backlog starts them).
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../scripts/build-server.mjs';
import { signUp } from '../../helpers/app.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { freePort } from '../../helpers/ports.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../../helpers/process.ts';
import { waitFor } from '../../helpers/wait.ts';

let db: SharedDatabase;
let correio: CorreioProcess;
let smtpPort: number;

/** One message to Correio's SMTP receiver, as a mail server would deliver it. */
function deliver(to: string, subject: string): Promise<void> {
  // One sender per message: the per-sender flood limit would rightly refuse forty from one.
  const from = `cliente-${subject.replace(/\W/g, '').toLowerCase()}@cliente.example`;
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port: smtpPort });
    const commands = ['EHLO test.example', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA', `From: Ana <${from}>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@cliente.example>\r\n\r\nOlá, meu pedido não chegou.\r\n.`, 'QUIT'];
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      // Answer each complete final reply line (ddd + space) with the next command.
      let m: RegExpExecArray | null;
      while ((m = /^(\d{3}) .*\r\n/m.exec(buffered))) {
        buffered = buffered.slice(m.index + m[0].length);
        if (m[1]!.startsWith('4') || m[1]!.startsWith('5')) return reject(new Error(`SMTP said ${m[0].trim()}`));
        const next = commands.shift();
        if (next === undefined) return;
        socket.write(`${next}\r\n`);
      }
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  buildServer();
  db = await sharedDatabase();
  smtpPort = await freePort();
  correio = await spawnCorreio({ ...db.env, INBOUND_SMTP_PORT: String(smtpPort), LOG_LEVEL: 'debug' }, 'all', { built: true });
}, 120_000);
afterAll(async () => {
  await correio?.stop();
  await db?.dispose();
});

describe('the compiled server, as npm start runs it', () => {
  it('runs plain JavaScript in one process: no TypeScript loader, nothing from src/', async () => {
    const maps = readFileSync(`/proc/${correio.proc.pid}/maps`, 'utf8');
    const cmdline = readFileSync(`/proc/${correio.proc.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline.join(' ')).not.toContain('tsx');
    expect(maps).not.toMatch(/esbuild/);
    // Serves the API and the web app.
    expect((await fetch(`${correio.url}/healthz`)).ok).toBe(true);
    expect(await (await fetch(`${correio.url}/`)).text()).toContain('<div id="app"');
  });

  it('imports mail — one message on the main thread, a backlog on worker threads it starts — and opens tickets', async () => {
    const admin = await signUp(correio.url);
    const { workspace } = await gqlOk(correio.url, `{ workspace { slug } }`, {}, admin.token);
    const { emailAccounts } = await gqlOk(correio.url, `{ emailAccounts { address kind } }`, {}, admin.token);
    const builtin = emailAccounts.find((a: any) => a.kind === 'BUILTIN').address;
    expect(builtin).toContain(workspace.slug);
    await deliver(builtin, 'Pedido 1');
    await waitFor(async () => (await gqlOk(correio.url, `{ tickets(filter: { search: "Pedido" }) { totalCount } }`, {}, admin.token)).tickets.totalCount === 1, 'the first ticket');
    // A backlog: many deliveries at once make the pool start parser threads (built JS).
    // Ten at a time: the receiver takes at most ten connections from one address.
    for (let round = 0; round < 4; round++) await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(builtin, `Lote ${round * 10 + i + 1}`)));
    await waitFor(async () => (await gqlOk(correio.url, `{ tickets(filter: { search: "Lote" }) { totalCount } }`, {}, admin.token)).tickets.totalCount === 40, 'the backlog as tickets', 60_000);
    expect(correio.lines.some((l) => l.includes('parse worker started for a backlog'))).toBe(true);
    expect(correio.lines.filter((l) => /"level":50|parse worker crashed/.test(l))).toEqual([]);
  });
});
