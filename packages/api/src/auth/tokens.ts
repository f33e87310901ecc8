import type { schema } from '@correio/core';
import { jwtVerify, SignJWT } from 'jose';

export type Role = (typeof schema.roleEnum.enumValues)[number];

export interface Viewer {
  userId: string;
  workspaceId: string;
  role: Role;
}

const ISSUER = 'correio';
/** Tokens remembered as verified; the oldest is forgotten first. */
const VERIFIED_MAX = 10_000;

/** Signed (HS256), expiring bearer tokens; the key is derived from Correio's master key. */
export class TokenService {
  private readonly key: Promise<CryptoKey>;
  // Verified tokens, until they expire: a client sends the same token with every request, and
  // WebCrypto's HMAC verify (jose has no other path) was ~6 % of an API process's CPU under load.
  // Keyed by the whole token, signature included, so only a token that verified can hit.
  private readonly verified = new Map<string, { viewer: Viewer; expiresAt: number }>();

  constructor(
    key: Uint8Array,
    private readonly ttlHours: number,
  ) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issue(viewer: Viewer): Promise<string> {
    return new SignJWT({ ws: viewer.workspaceId, role: viewer.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(viewer.userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlHours}h`)
      .sign(await this.key);
  }

  /** The viewer a token stands for, or null when it is missing, forged or expired. */
  async verify(token: string | undefined | null): Promise<Viewer | null> {
    if (!token) return null;
    const known = this.verified.get(token);
    if (known && known.expiresAt > Date.now()) return known.viewer;
    if (known) this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, await this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const role = payload['role'];
      const ws = payload['ws'];
      if (typeof payload.sub !== 'string' || typeof ws !== 'string' || (role !== 'ADMIN' && role !== 'AGENT') || typeof payload.exp !== 'number') return null;
      const viewer: Viewer = { userId: payload.sub, workspaceId: ws, role };
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { viewer, expiresAt: payload.exp * 1000 });
      return viewer;
    } catch {
      return null;
    }
  }
}

export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}
