import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Purpose-bound keys derived from the one master key, so a leak of one use never exposes another. */
export interface KeyRing {
  credentials: Buffer;
  tokens: Buffer;
  fileUrls: Buffer;
}

const KEY_FILE = 'secret.key';

/**
 * The master key comes from CORREIO_SECRET_KEY, or is generated once into the data folder
 * (mode 0600) and read back on every later start.
 */
export async function loadKeyRing(secretKey: string | undefined, dataDir: string): Promise<KeyRing> {
  const master = secretKey ? masterFromString(secretKey) : await masterFromDataDir(dataDir);
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `correio:${purpose}`, 32));
  return { credentials: derive('credentials'), tokens: derive('tokens'), fileUrls: derive('file-urls') };
}

function masterFromString(value: string): Buffer {
  const trimmed = value.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const b64 = Buffer.from(trimmed, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/]+=*$/.test(trimmed)) return b64;
  // A passphrase: stretch it to 32 bytes. Documented as weaker than 32 random bytes.
  return createHash('sha256').update(trimmed, 'utf8').digest();
}

async function masterFromDataDir(dataDir: string): Promise<Buffer> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, KEY_FILE);
  try {
    // 'wx' fails if the file exists: two processes starting together cannot both create a key.
    await writeFile(path, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return masterFromString(await readFile(path, 'utf8'));
}
