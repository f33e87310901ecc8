import { chmod, mkdir, mkdtemp, opendir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gqlOk } from '../../helpers/graphql.ts';
import { spawnCorreio, type CorreioProcess } from '../../helpers/process.ts';

// Issue 10 §6: the data folder (PGlite files, blobs, the master key) is private to Correio's
// user, whatever umask the process starts with. A real process on the embedded database.

const folders: string[] = [];
const running: CorreioProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
});

async function modes(root: string): Promise<Array<{ path: string; dir: boolean; mode: number }>> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [];
  const walk = async (dir: string) => {
    out.push({ path: relative(root, dir) || '.', dir: true, mode: (await stat(dir)).mode & 0o777 });
    for await (const e of await opendir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push({ path: relative(root, p), dir: false, mode: (await stat(p)).mode & 0o777 });
    }
  };
  await walk(root);
  return out;
}

async function start(dataDir: string) {
  // DATABASE_URL unset: the embedded PGlite writes its files into the data folder.
  const proc = await spawnCorreio({ CORREIO_DATA_DIR: dataDir, DATABASE_URL: '', CORREIO_SECRET_KEY: '' }, 'all', { umask: '000' });
  running.push(proc);
  return proc;
}

describe('the data folder is private (0700/0600) regardless of the umask', () => {
  it('creates PGlite files, blobs and the key for the owner only, even under umask 000', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'correio-modes-'));
    folders.push(parent);
    const dataDir = join(parent, 'data');
    const proc = await start(dataDir);
    const { signUp } = await gqlOk(proc.url, `mutation { signUp(input: { workspaceName: "Modos", workspaceSlug: "modos", name: "Ana", email: "ana@modos.example", password: "correct horse battery" }) { token } }`);
    const upload = await fetch(`${proc.url}/files/upload?filename=nota.txt`, { method: 'POST', headers: { authorization: `Bearer ${signUp.token}`, 'content-type': 'text/plain' }, body: 'conteúdo' });
    expect(upload.status).toBe(201);

    const all = await modes(dataDir);
    expect(all.some((e) => e.path.startsWith('pglite') && !e.dir)).toBe(true);
    expect(all.some((e) => e.path.startsWith('blobs') && !e.dir)).toBe(true);
    expect(all.find((e) => e.path === 'secret.key')?.mode).toBe(0o600);
    const loose = all.filter((e) => (e.dir ? e.mode !== 0o700 : e.mode & 0o077));
    expect(loose).toEqual([]);
    await proc.stop();
  });

  it('tightens an existing folder at start-up and says what it changed', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'correio-modes-'));
    folders.push(parent);
    const dataDir = join(parent, 'data');
    await mkdir(join(dataDir, 'blobs', 'ab'), { recursive: true });
    await writeFile(join(dataDir, 'secret.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`);
    await chmod(join(dataDir, 'secret.key'), 0o644);
    for (const d of [dataDir, join(dataDir, 'blobs'), join(dataDir, 'blobs', 'ab')]) await chmod(d, 0o755);
    const proc = await start(dataDir);
    const logged = proc.lines.find((l) => l.includes('tightened the data folder'));
    expect(logged).toBeTruthy();
    expect(logged).toContain('secret.key 644→600');
    const all = await modes(dataDir);
    expect(all.filter((e) => (e.dir ? e.mode !== 0o700 : e.mode & 0o077))).toEqual([]);
  });
});
