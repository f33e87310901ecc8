import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKeyRing } from './keys.ts';
import { SecretBox } from './secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret bound to its context', () => {
    const sealed = box.seal('hunter2-ção', 'account:1:incoming-password');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'account:1:incoming-password')).toBe('hunter2-ção');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
  });

  it('refuses to open under another context, another key, or after tampering', () => {
    const sealed = box.seal('secret', 'account:1:incoming-password');
    expect(() => box.open(sealed, 'account:2:incoming-password')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'account:1:incoming-password')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'account:1:incoming-password')).toThrow();
  });
});

describe('loadKeyRing', () => {
  it('generates a master key once, mode 0600, and derives the same keys on the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'correio-keys-'));
    const first = await loadKeyRing(undefined, dir);
    const second = await loadKeyRing(undefined, dir);
    expect(first.credentials.equals(second.credentials)).toBe(true);
    expect((await stat(join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, 'secret.key'), 'utf8')).trim()).toHaveLength(44);
  });

  it('derives different keys per purpose, and honours CORREIO_SECRET_KEY over the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'correio-keys-'));
    const fromEnv = await loadKeyRing(randomBytes(32).toString('base64'), dir);
    expect(fromEnv.credentials.equals(fromEnv.tokens)).toBe(false);
    const generated = await loadKeyRing(undefined, dir);
    expect(generated.credentials.equals(fromEnv.credentials)).toBe(false);
  });
});
