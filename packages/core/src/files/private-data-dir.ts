import { chmod, mkdir, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logging/logger.ts';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * The data folder holds the database, every message and attachment and the master key: nobody
 * but Correio's own user may read it. Created 0700 (mkdir's mode is only ever narrowed by the
 * umask), and at start-up an existing folder is tightened: every directory to 0700, every file to
 * 0600 — except the content files of the blob store, which are protected by their 0700 folders
 * and would take minutes to walk on a big install. Returns what it changed, and logs it.
 */
export async function securePrivateDataDir(dataDir: string, logger: Logger): Promise<string[]> {
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const changed: string[] = [];
  const tighten = async (path: string, want: number) => {
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & ~want) === 0) return;
    await chmod(path, want);
    changed.push(`${path} ${mode.toString(8)}→${want.toString(8)}`);
  };
  const walk = async (dir: string, filesToo: boolean) => {
    await tighten(dir, PRIVATE_DIR_MODE);
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, filesToo && !(dir === dataDir && entry.name === 'blobs'));
      else if (entry.isFile() && filesToo) await tighten(path, PRIVATE_FILE_MODE);
    }
  };
  await walk(dataDir, true);
  if (changed.length) logger.warn({ dataDir, changed: changed.length, examples: changed.slice(0, 10) }, 'tightened the data folder: it was readable by other users of this machine');
  return changed;
}
