import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';

// Issue 15: a ticket count is exact up to 10,000 and says "more" beyond, instead of counting a
// million matches for a number nobody reads.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

it('counts exactly up to 10,000, and says when there are more', async () => {
  const admin = await signUp(app.url);
  const ws = (await gqlOk(app.url, `{ workspace { id } }`, {}, admin.token)).workspace.id as string;
  const db = app.runtime!.database.db;
  await db.execute(sql`insert into clients (workspace_id, email) values (${ws}, 'muitos@cliente.example')`);
  await db.execute(sql`
    insert into tickets (workspace_id, number, subject, normalized_subject, status, customer_id)
    select ${ws}, g, 'Pedido ' || g, 'pedido ' || g, (case when g <= 20 then 'CLOSED' else 'NEW' end)::ticket_status,
      (select id from clients where workspace_id = ${ws})
    from generate_series(1, 10021) g`);
  const count = async (filter: Record<string, unknown>) => (await gqlOk(app.url, `query($f: TicketFilter) { tickets(first: 1, filter: $f) { totalCount totalCountIsCapped } }`, { f: filter }, admin.token)).tickets;
  expect(await count({})).toEqual({ totalCount: 10_000, totalCountIsCapped: true });
  expect(await count({ status: ['NEW'] })).toEqual({ totalCount: 10_000, totalCountIsCapped: true });
  expect(await count({ status: ['CLOSED'] })).toEqual({ totalCount: 20, totalCountIsCapped: false });
});
