import { createHmac, timingSafeEqual } from 'node:crypto';

export type FileKind = 'attachment' | 'logo' | 'failed-import';
export type FileRef = { kind: FileKind; id: string };

/**
 * Attachment and logo URLs are signed and expiring, so an `<img src>` inside an e-mail view or a
 * download link works without a bearer header, yet a URL cannot be guessed or widened to
 * another workspace's file.
 */
export class FileUrls {
  constructor(
    private readonly key: Buffer,
    private readonly ttlSeconds = 24 * 3600,
    private readonly now: () => number = Date.now,
  ) {}

  url(ref: FileRef): string {
    // Round expiry to the hour so the same file keeps the same URL for a while (browser cache).
    const exp = Math.ceil((this.now() / 1000 + this.ttlSeconds) / 3600) * 3600;
    return `/files/${ref.kind}/${ref.id}?exp=${exp}&sig=${this.sign(ref, exp)}`;
  }

  /** The file a request path + query stands for, or null when the signature is wrong or expired. */
  verify(kind: string, id: string, exp: string | null, sig: string | null): FileRef | null {
    if (!['attachment', 'logo', 'failed-import'].includes(kind) || !exp || !sig || !/^\d+$/.test(exp)) return null;
    const ref: FileRef = { kind: kind as FileKind, id };
    if (Number(exp) * 1000 < this.now()) return null;
    const expected = Buffer.from(this.sign(ref, Number(exp)));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given) ? ref : null;
  }

  private sign(ref: FileRef, exp: number): string {
    return createHmac('sha256', this.key).update(`${ref.kind}:${ref.id}:${exp}`).digest('base64url');
  }
}
