import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// v2: the associated data binds an account secret to its server (see secret-binding.ts); v1
// bound it to the account only and is upgraded at start-up (bindAccountSecrets).
const VERSION = 'v2';
const READABLE = new Set(['v1', 'v2']);

/**
 * AES-256-GCM sealing of credentials at rest (A11). The sealed form is
 * `v2.<iv>.<tag>.<ciphertext>` in base64url; the caller's context is bound as associated data,
 * so a sealed password copied onto another row, or kept while the server changed, does not open.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (!version || !READABLE.has(version) || !iv || !tag || ciphertext === undefined) throw new Error('Unrecognised sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** Sealed before secrets were bound to their server; only the start-up upgrade reads these. */
export function isLegacySealed(sealed: string): boolean {
  return sealed.startsWith('v1.');
}
