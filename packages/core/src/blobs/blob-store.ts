import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  key: string;
  size: number;
  sha256: string;
}

/**
 * Attachment and raw-message bytes on disk, outside the database, so a 30 MB attachment never
 * sits in a row or whole in memory.
 *
 * Blobs are written straight under a fresh random key, without a temp file and rename: a key
 * becomes visible only when a database row naming it commits, which happens after the write
 * finished, so a crash mid-write leaves an unreferenced file, never a truncated referenced one.
 */
export class BlobStore {
  private readonly madeDirs = new Set<string>();

  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  /** `hash: false` skips the sha256 (attachments need none; it is a tenth of their import cost). */
  async put(source: Readable | Buffer | string, options: { hash?: boolean } = {}): Promise<StoredBlob> {
    const hashing = options.hash ?? true;
    const key = randomUUID();
    const path = this.pathOf(key);
    await this.ensureDir(join(path, '..'));
    if (typeof source === 'string' || Buffer.isBuffer(source)) {
      const bytes = Buffer.from(source);
      await writeFile(path, bytes, { mode: 0o600 });
      return { key, size: bytes.length, sha256: hashing ? createHash('sha256').update(bytes).digest('hex') : '' };
    }
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (hashing) hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(path, { mode: 0o600 }));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return { key, size, sha256: hashing ? hash.digest('hex') : '' };
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    this.madeDirs.add(dir);
  }

  /**
   * Many small blobs in one file (one write instead of one per message: creating a file costs
   * more than writing 15 KB). Each gets a key `<file>#<offset>+<length>` readable like any other.
   */
  async putPack(parts: Buffer[]): Promise<StoredBlob[]> {
    if (!parts.length) return [];
    const file = randomUUID();
    const path = this.pathOf(file);
    await this.ensureDir(join(path, '..'));
    await writeFile(path, Buffer.concat(parts), { mode: 0o600 });
    let offset = 0;
    return parts.map((part) => {
      const key = `${file}#${offset}+${part.length}`;
      offset += part.length;
      return { key, size: part.length, sha256: '' };
    });
  }

  read(key: string): Readable {
    const member = parseMember(key);
    if (!member) return createReadStream(this.pathOf(key));
    // An empty member still needs a stream that ends at once (createReadStream cannot read 0 bytes).
    if (member.length === 0) return Readable.from([]);
    return createReadStream(this.pathOf(member.file), { start: member.offset, end: member.offset + member.length - 1 });
  }

  async readBuffer(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async size(key: string): Promise<number> {
    const member = parseMember(key);
    return member ? member.length : (await stat(this.pathOf(key))).size;
  }

  async exists(key: string): Promise<boolean> {
    const member = parseMember(key);
    return stat(this.pathOf(member ? member.file : key)).then(
      () => true,
      () => false,
    );
  }

  /** Removes a blob; a member of a pack stays until its whole pack is swept. */
  async delete(key: string): Promise<void> {
    if (parseMember(key)) return;
    await rm(this.pathOf(key), { force: true });
  }

  pathOf(key: string): string {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error('Invalid blob key');
    // 256 folders: few enough that creating them is rare, many enough to keep folders small.
    return join(this.root, key.slice(0, 2), key);
  }
}

function parseMember(key: string): { file: string; offset: number; length: number } | null {
  const match = /^([0-9a-f-]{36})#(\d+)\+(\d+)$/.exec(key);
  return match ? { file: match[1]!, offset: Number(match[2]), length: Number(match[3]) } : null;
}
