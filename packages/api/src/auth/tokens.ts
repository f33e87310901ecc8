import type { schema } from '@correio/core';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export type Role = (typeof schema.roleEnum.enumValues)[number];

export interface Viewer {
  userId: string;
  workspaceId: string;
  role: Role;
}

const ISSUER = 'correio';

/** Signed (HS256), expiring bearer tokens; the key is derived from Correio's master key. */
export class TokenService {
  // A KeyObject lets jose use node:crypto's HMAC directly; a raw byte array would be imported
  // into WebCrypto again on every request, which showed up as a hot spot under load.
  private readonly key: KeyObject;

  constructor(
    key: Uint8Array,
    private readonly ttlHours: number,
  ) {
    this.key = createSecretKey(key);
  }

  issue(viewer: Viewer): Promise<string> {
    return new SignJWT({ ws: viewer.workspaceId, role: viewer.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(viewer.userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlHours}h`)
      .sign(this.key);
  }

  /** The viewer a token stands for, or null when it is missing, forged or expired. */
  async verify(token: string | undefined | null): Promise<Viewer | null> {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const role = payload['role'];
      const ws = payload['ws'];
      if (typeof payload.sub !== 'string' || typeof ws !== 'string' || (role !== 'ADMIN' && role !== 'AGENT')) return null;
      return { userId: payload.sub, workspaceId: ws, role };
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
