import { schema, type Database } from '@correio/core';
import { eq, sql } from 'drizzle-orm';

/**
 * Writes a ticket straight into the database, for tests of the read side that should not depend
 * on the mail engine. Numbers are taken from the workspace counter exactly as the engine does.
 */
export async function seedTicket(
  db: Database,
  workspaceId: string,
  opts: { subject?: string; customerEmail?: string; customerName?: string; status?: 'NEW' | 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED'; groupId?: string; typeId?: string; accountId?: string; updatedAt?: Date; text?: string } = {},
) {
  return db.transaction(async (tx) => {
    const email = (opts.customerEmail ?? 'customer@example.net').toLowerCase();
    await tx.insert(schema.clients).values({ workspaceId, email, name: opts.customerName ?? null }).onConflictDoNothing();
    const [client] = await tx
      .select()
      .from(schema.clients)
      .where(sql`${schema.clients.workspaceId} = ${workspaceId} and ${schema.clients.email} = ${email}`);
    const [ws] = await tx
      .update(schema.workspaces)
      .set({ ticketSeq: sql`${schema.workspaces.ticketSeq} + 1` })
      .where(eq(schema.workspaces.id, workspaceId))
      .returning({ n: schema.workspaces.ticketSeq });
    const subject = opts.subject ?? 'Help';
    const [ticket] = await tx
      .insert(schema.tickets)
      .values({
        workspaceId,
        number: ws!.n,
        subject,
        normalizedSubject: subject.toLowerCase(),
        status: opts.status ?? 'NEW',
        customerId: client!.id,
        groupId: opts.groupId ?? null,
        typeId: opts.typeId ?? null,
        accountId: opts.accountId ?? null,
        ...(opts.updatedAt ? { updatedAt: opts.updatedAt, createdAt: opts.updatedAt } : {}),
      })
      .returning();
    await tx.insert(schema.ticketActions).values({ workspaceId, ticketId: ticket!.id, kind: 'EMAIL_IN', fromAddress: email, text: opts.text ?? 'Hello', subject });
    return ticket!;
  });
}
