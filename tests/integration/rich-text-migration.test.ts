import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { schema } from '@correio/core';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

// Issue 16: signatures and canned replies became rich text. Migrations 0012 and 0013 turn what
// was saved as plain text into HTML that reads the same; run here on rows written the old way.

const { workspaces, users, emailAccounts, cannedReplies } = schema;
let db: TestDatabase;

/** A migration's UPDATE statements, as drizzle runs them (split at its breakpoints). */
function updatesOf(file: string): string[] {
  return readFileSync(new URL(`../../drizzle/${file}`, import.meta.url), 'utf8')
    .split('--> statement-breakpoint')
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.startsWith('UPDATE'));
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.dispose());

describe('rich-text migrations (issue 16)', () => {
  it('turns plain-text signatures and canned replies into HTML that reads the same, escaped, and leaves HTML alone', async () => {
    const d = db.handle.db;
    const [ws] = await d.insert(workspaces).values({ name: 'Acme', slug: `acme${randomUUID().slice(0, 8)}` }).returning();
    const [plain, formatted] = await d
      .insert(users)
      .values([
        { workspaceId: ws!.id, name: 'Ana', email: `ana-${randomUUID()}@acme.example`, passwordHash: 'x', role: 'AGENT', signature: 'Ana Lima\r\nFinanceiro & Cobrança <ramal 221>' },
        { workspaceId: ws!.id, name: 'Bia', email: `bia-${randomUUID()}@acme.example`, passwordHash: 'x', role: 'AGENT', signature: '<p><b>Bia</b></p>' },
      ])
      .returning();
    const [account] = await d
      .insert(emailAccounts)
      .values({ workspaceId: ws!.id, name: 'Suporte', kind: 'EXTERNAL', address: 'suporte@acme.example', signature: '{{agente.assinatura}}\nAcme — suporte' })
      .returning();
    // A canned reply saved before `html` existed: the column's default, its text as typed.
    const [canned] = await d
      .insert(cannedReplies)
      .values({ workspaceId: ws!.id, title: 'Boleto', text: 'Olá {{cliente.nome}},\n\nsegue o boleto.\nAbraços', html: '' })
      .returning();

    for (const statement of [...updatesOf('0012_rich_signatures_canned_files.sql'), ...updatesOf('0013_canned_reply_html.sql')]) await d.execute(sql.raw(statement));

    const signatureOf = async (id: string) => (await d.select({ s: users.signature }).from(users).where(eq(users.id, id)))[0]!.s;
    expect(await signatureOf(plain!.id)).toBe('<p>Ana Lima<br>Financeiro &amp; Cobrança &lt;ramal 221&gt;</p>');
    expect(await signatureOf(formatted!.id)).toBe('<p><b>Bia</b></p>');
    expect((await d.select({ s: emailAccounts.signature }).from(emailAccounts).where(eq(emailAccounts.id, account!.id)))[0]!.s).toBe('<p>{{agente.assinatura}}<br>Acme — suporte</p>');
    expect((await d.select({ h: cannedReplies.html }).from(cannedReplies).where(eq(cannedReplies.id, canned!.id)))[0]!.h).toBe('<p>Olá {{cliente.nome}},</p><p>segue o boleto.<br>Abraços</p>');
  });
});
