import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabaseUrl } from './database.ts';
import { freePort } from './ports.ts';
import { testServersAllowed } from './test-servers.ts';
import { waitFor } from './wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CorreioProcess {
  proc: ChildProcess;
  url: string;
  /** Every line the process printed (JSON logs). */
  lines: string[];
  /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `node --import tsx packages/api/src/main.ts <role>` as a real child process, like
 * production; with `built`, the compiled server exactly as `npm start` runs it (the start script
 * importing packages/api/dist/main.js in its own process; build it first with buildServer()).
 */
export async function spawnCorreio(env: Record<string, string>, role: 'all' | 'api' | 'engine' = 'all', options: { umask?: string; built?: boolean } = {}): Promise<CorreioProcess> {
  const port = env['PORT'] ?? String(await freePort());
  const lines: string[] = [];
  const extraArgs = process.env['CORREIO_CHILD_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const args = options.built ? [...extraArgs, 'scripts/bootstrap.mjs', 'start', role] : [...extraArgs, '--import', 'tsx', 'packages/api/src/main.ts', role];
  // With a umask: started from a shell that sets it first, as an operator's service file might.
  const [command, argv] = options.umask ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...args]] : [process.execPath, args];
  const proc = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, PORT: port, HOST: '127.0.0.1', INBOUND_SMTP_PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', CORREIO_PRIVATE_HOSTS_ALLOWED: testServersAllowed(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}: ${lines.slice(-5).join(' | ')}`);
        if (role === 'engine') return lines.some((l) => l.includes('mail engine started'));
        return (await fetch(`${url}/healthz`)).ok;
      },
      `Correio (${role}) to start`,
      60_000,
      100,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    proc,
    url,
    lines,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export interface SharedDatabase {
  /** Environment for processes that share this database (and data folder, on PGlite). */
  env: Record<string, string>;
  kind: 'pglite' | 'postgres';
  dispose(): Promise<void>;
}

/**
 * A database several processes (or one process restarted after a crash) can share: a fresh
 * PostgreSQL database when DATABASE_URL is set, else a PGlite data folder (one process at a time).
 */
export async function sharedDatabase(): Promise<SharedDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'correio-proc-'));
  const pg = await createTestDatabaseUrl();
  return {
    env: { CORREIO_DATA_DIR: dataDir, CORREIO_SECRET_KEY: 'test-secret-key-0123456789abcdef', ...(pg ? { DATABASE_URL: pg.url } : {}) },
    kind: pg ? 'postgres' : 'pglite',
    async dispose() {
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
