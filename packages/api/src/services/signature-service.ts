import { schema, type Runtime } from '@correio/core';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { agentHtmlOf, SIGNATURE_MAX, signatureFor, type Signature } from '@correio/mail-engine';
import { parseInput } from './validation.ts';

const { users } = schema;

/** The customer and ticket a signature preview is shown with. */
export const PREVIEW_SAMPLE = { customer: { name: 'Maria Silva', email: 'maria@cliente.example' }, ticket: { number: 1234, subject: 'Segunda via do boleto' } };

/** Agents' own signatures, and previews of signatures as a reply would carry them (issue 16). */
export class SignatureService {
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.database.db;
  }

  async setOwn(viewer: Viewer, raw: unknown) {
    const signature = agentHtmlOf(parseInput(z.string().max(SIGNATURE_MAX).nullish(), raw, 'signature'));
    const [row] = await this.db.update(users).set({ signature }).where(eq(users.id, viewer.userId)).returning();
    return row!;
  }

  /** What a reply by the viewer would carry with these templates, for a sample customer and ticket. */
  async preview(viewer: Viewer, accountSignature: string | null | undefined, agentSignature: string | null | undefined, accountName: string | null | undefined): Promise<Signature | null> {
    const [me] = await this.db.select({ name: users.name, email: users.email, signature: users.signature }).from(users).where(eq(users.id, viewer.userId));
    const own = agentSignature === undefined ? (me?.signature ?? null) : agentSignature;
    return signatureFor(accountSignature?.slice(0, SIGNATURE_MAX) ?? null, own?.slice(0, SIGNATURE_MAX) ?? null, {
      ...PREVIEW_SAMPLE,
      agent: { name: me?.name ?? '', email: me?.email ?? '' },
      account: { name: accountName ?? '' },
    });
  }
}
