#!/usr/bin/env node
// Backups of an install on the embedded database (issue 14):
//   npm run backup -- <file.tar.gz>     while Correio is stopped
//   npm run restore -- <file.tar.gz>    into an empty data folder (or --replace: the old one is kept aside)
// One archive holds PGlite's own dump of the database (dumpDataDir), the blob folder (raw mail,
// attachments, logos) and the generated secret key — without the key, stored passwords and
// tokens cannot be opened, so the archive is as secret as the data folder itself (mode 0600).
// With PostgreSQL (DATABASE_URL), use pg_dump for the database and copy the blob folder.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { PGlite } = createRequire(join(root, 'packages', 'core', 'package.json'))('@electric-sql/pglite');
const [command, fileArg, ...flags] = process.argv.slice(2);
const dataDir = resolve(process.env.CORREIO_DATA_DIR || join(root, 'data'));
const FORMAT = 1;

function fail(message, code = 2) {
  console.error(`✖ ${message}`);
  process.exit(code);
}

/** The running Correio's pid file (PGlite has one process); a live pid means hands off. */
function refuseWhileRunning() {
  const pidFile = join(dataDir, 'correio.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    process.kill(pid, 0);
  } catch {
    return; // a stale file from a crash
  }
  fail(`Correio is running (pid ${pid}) on ${dataDir}; stop it first — the embedded database has one process at a time.`);
}

if (process.env.DATABASE_URL) fail('This install uses PostgreSQL (DATABASE_URL): back up with `pg_dump --format=custom` and copy the blob folder (CORREIO_DATA_DIR/blobs) and CORREIO_SECRET_KEY. See the README.');
if (!fileArg || !['backup', 'restore'].includes(command)) fail('usage: npm run backup -- <file.tar.gz>  |  npm run restore -- <file.tar.gz> [--replace]');
const file = resolve(fileArg);
refuseWhileRunning();

if (command === 'backup') {
  if (!existsSync(join(dataDir, 'pglite', 'PG_VERSION'))) fail(`No embedded database in ${dataDir} (CORREIO_DATA_DIR).`);
  const work = mkdtempSync(join(tmpdir(), 'correio-backup-'));
  try {
    const db = await PGlite.create(join(dataDir, 'pglite'));
    const dump = await db.dumpDataDir('gzip');
    const [{ count }] = (await db.query('select count(*)::int as count from tickets')).rows;
    await db.close();
    writeFileSync(join(work, 'pglite.tar.gz'), Buffer.from(await dump.arrayBuffer()));
    const entries = ['pglite.tar.gz', 'manifest.json'];
    if (existsSync(join(dataDir, 'blobs'))) {
      cpSync(join(dataDir, 'blobs'), join(work, 'blobs'), { recursive: true });
      entries.push('blobs');
    }
    if (existsSync(join(dataDir, 'secret.key'))) {
      cpSync(join(dataDir, 'secret.key'), join(work, 'secret.key'));
      entries.push('secret.key');
    }
    writeFileSync(join(work, 'manifest.json'), JSON.stringify({ format: FORMAT, createdAt: new Date().toISOString(), tickets: count, secretKey: entries.includes('secret.key') }, null, 2));
    await tar.create({ gzip: true, file, cwd: work, portable: true }, entries);
    chmodSync(file, 0o600);
    console.log(`✔ Backed up ${dataDir} to ${file} (${count} tickets${entries.includes('secret.key') ? ', with the secret key: keep this file private' : ''}).`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
} else {
  if (!existsSync(file)) fail(`${file} does not exist.`);
  const occupied = existsSync(join(dataDir, 'pglite')) && readdirSync(join(dataDir, 'pglite')).length > 0;
  if (occupied && !flags.includes('--replace')) fail(`${dataDir} already holds a database; restore into an empty CORREIO_DATA_DIR, or add --replace (the current folder is kept aside).`);
  const work = mkdtempSync(join(tmpdir(), 'correio-restore-'));
  try {
    await tar.extract({ file, cwd: work, strict: true });
    const manifest = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8'));
    if (manifest.format !== FORMAT) fail(`${file} is a backup of format ${manifest.format}; this Correio reads format ${FORMAT}.`);
    let keptAside = null;
    if (occupied) {
      keptAside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(dataDir, keptAside);
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const dump = new Blob([readFileSync(join(work, 'pglite.tar.gz'))]);
    const db = await PGlite.create(join(dataDir, 'pglite'), { loadDataDir: dump });
    const [{ count }] = (await db.query('select count(*)::int as count from tickets')).rows;
    await db.close();
    if (existsSync(join(work, 'blobs'))) cpSync(join(work, 'blobs'), join(dataDir, 'blobs'), { recursive: true });
    if (existsSync(join(work, 'secret.key'))) cpSync(join(work, 'secret.key'), join(dataDir, 'secret.key'));
    console.log(`✔ Restored ${file} (${count} tickets, backed up ${manifest.createdAt}) into ${dataDir}${keptAside ? `; the previous folder is in ${keptAside}` : ''}.`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
