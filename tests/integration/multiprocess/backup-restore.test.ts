// Issue 14: npm run backup / npm run restore for an install on the embedded database. A backup
// taken from a real data folder, restored into another, brings back the database (tickets), the
// blob folder (attachments download) and the secret key (a login token issued before the backup
// still works, so stored passwords open too); a running Correio is never copied underneath.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { signUp } from '../../helpers/app.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { sendToReceiver } from '../../helpers/inbound.ts';
import { freePort } from '../../helpers/ports.ts';
import { spawnCorreio } from '../../helpers/process.ts';
import { waitFor } from '../../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function npmRun(script: 'backup' | 'restore', dataDir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['scripts/backup.mjs', script, ...args], { cwd: ROOT, env: { ...process.env, CORREIO_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

const TICKETS = `{ tickets(filter: { search: "Backup" }) { edges { node { subject actions { attachments { filename url } } } } } }`;

describe('backup and restore of the embedded database', () => {
  it('restores tickets, attachments and the key into a new data folder; refuses to copy a running one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'correio-bk-'));
    const restored = await mkdtemp(join(tmpdir(), 'correio-rs-'));
    const archive = join(await mkdtemp(join(tmpdir(), 'correio-file-')), 'correio.tar.gz');
    dirs.push(dataDir, restored, archive.replace(/\/correio\.tar\.gz$/, ''));
    const smtp = await freePort();
    let correio = await spawnCorreio({ CORREIO_DATA_DIR: dataDir, DATABASE_URL: '', INBOUND_SMTP_PORT: String(smtp) });
    const admin = await signUp(correio.url);
    const { emailAccounts } = await gqlOk(correio.url, `{ emailAccounts { address kind } }`, {}, admin.token);
    const builtin = emailAccounts.find((a: any) => a.kind === 'BUILTIN').address;
    const raw = [`From: Ana <ana@cliente.example>`, `To: ${builtin}`, 'Subject: Backup do pedido', 'Message-ID: <bk1@cliente.example>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Segue a nota.', '--b', 'Content-Type: application/pdf; name="nota.pdf"', 'Content-Disposition: attachment; filename="nota.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4 nota fiscal').toString('base64'), '--b--', ''].join('\r\n');
    await sendToReceiver(smtp, { from: 'ana@cliente.example', to: [builtin] }, raw);
    await waitFor(async () => (await gqlOk(correio.url, TICKETS, {}, admin.token)).tickets.edges.length === 1, 'the ticket');

    const whileRunning = npmRun('backup', dataDir, archive);
    expect(whileRunning.code).toBe(2);
    expect(whileRunning.out).toContain('stop it first');

    await correio.stop();
    const backup = npmRun('backup', dataDir, archive);
    expect(backup.out).toContain('1 tickets');
    expect(backup.code).toBe(0);
    expect((await stat(archive)).mode & 0o777).toBe(0o600);

    const restore = npmRun('restore', restored, archive);
    expect(restore.code).toBe(0);
    expect(npmRun('restore', restored, archive).out).toContain('already holds a database');

    correio = await spawnCorreio({ CORREIO_DATA_DIR: restored, DATABASE_URL: '', INBOUND_SMTP_PORT: '0' });
    try {
      // The token from before the backup: signed with the restored key.
      const { tickets } = await gqlOk(correio.url, TICKETS, {}, admin.token);
      expect(tickets.edges.map((e: any) => e.node.subject)).toEqual(['Backup do pedido']);
      const attachment = tickets.edges[0].node.actions.flatMap((a: any) => a.attachments)[0];
      expect(attachment.filename).toBe('nota.pdf');
      const download = await fetch(new URL(attachment.url, correio.url));
      expect(download.status).toBe(200);
      expect(await download.text()).toBe('%PDF-1.4 nota fiscal');
    } finally {
      await correio.stop();
    }
  }, 120_000);

  it('points a PostgreSQL install at pg_dump instead', () => {
    const result = spawnSync(process.execPath, ['scripts/backup.mjs', 'backup', '/tmp/x.tar.gz'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('pg_dump');
  });
});
