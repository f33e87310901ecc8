import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk, subscribe, subscriptionsClosed, subscriptionsOpen, wsClient } from '../helpers/graphql.ts';
import { seedTicket } from '../helpers/seed.ts';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let workspaceId: string;
const TICKETS = `query($first: Int, $after: String, $filter: TicketFilter) {
  tickets(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id number subject status customer { email } group { name } } }
  }
}`;

beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url);
  workspaceId = (await gqlOk(app.url, `{ workspace { id } }`, {}, admin.token)).workspace.id;
});
afterAll(() => app?.stop());

describe('tickets read side', () => {
  it('pages through tickets by cursor, most recent activity first, without gaps or repeats', async () => {
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 23; i++) await seedTicket(app.runtime.database.db, workspaceId, { subject: `Paged ${i}`, updatedAt: new Date(base + (i % 5) * 1000) });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await gqlOk(app.url, TICKETS, { first: 10, after, filter: { search: 'Paged' } }, admin.token)).tickets;
      expect(page.totalCount).toBe(23);
      seen.push(...page.edges.map((e: any) => e.node.subject));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(23);
    // Ties on updatedAt are broken by id, so the order is total.
    const expected = Array.from({ length: 23 }, (_, i) => i).sort((a, b) => (b % 5) - (a % 5)).map((i) => `Paged ${i}`);
    expect(seen.map((s) => Number(s.split(' ')[1]) % 5)).toEqual(expected.map((s) => Number(s.split(' ')[1]) % 5));
  });

  it('filters by status, group and search (subject, customer, #number)', async () => {
    const group = (await gqlOk(app.url, `mutation { createGroup(name: "Billing team") { id } }`, {}, admin.token)).createGroup;
    const t1 = await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Invoice wrong', status: 'OPEN', groupId: group.id, customerEmail: 'maria@cliente.com.br', customerName: 'Maria Souza' });
    await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Login broken', status: 'RESOLVED' });
    const byStatus = (await gqlOk(app.url, TICKETS, { filter: { status: ['OPEN'] } }, admin.token)).tickets;
    expect(byStatus.edges.map((e: any) => e.node.subject)).toEqual(['Invoice wrong']);
    const byGroup = (await gqlOk(app.url, TICKETS, { filter: { groupId: group.id } }, admin.token)).tickets;
    expect(byGroup.edges.map((e: any) => e.node.group.name)).toEqual(['Billing team']);
    for (const search of ['invoice', 'maria@cliente', 'Souza', `#${t1.number}`]) {
      const r = (await gqlOk(app.url, TICKETS, { filter: { search } }, admin.token)).tickets;
      expect(r.edges.map((e: any) => e.node.id), search).toEqual([t1.id]);
    }
    const odd = (await gqlOk(app.url, TICKETS, { filter: { search: '100%_\\' } }, admin.token)).tickets;
    expect(odd.totalCount).toBe(0);
  });

  it('returns a ticket with its thread, and rejects a bad cursor or page size clearly', async () => {
    const t = await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Thread', text: 'First message' });
    const data = await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { number subject customer { email } actions { kind text from } } }`, { id: t.id }, admin.token);
    expect(data.ticket).toMatchObject({ subject: 'Thread', actions: [{ kind: 'EMAIL_IN', text: 'First message', from: 'customer@example.net' }] });
    const bad = await gql(app.url, TICKETS, { after: 'garbage' }, admin.token);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['after'] }] });
    const big = await gql(app.url, TICKETS, { first: 1000 }, admin.token);
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['first'] }] });
  });

  it('adds notes and changes fields, publishing ticketChanged to subscribers of the workspace only', async () => {
    const t = await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Live' });
    const other = await signUp(app.url);
    const mine = wsClient(app.url, admin.token);
    const theirs = wsClient(app.url, other.token);
    const query = `subscription($id: ID) { ticketChanged(ticketId: $id) { id status actions { kind text } } }`;
    const open = app.subscriptions.open;
    const subMine = subscribe(mine, query, { id: t.id });
    const subAll = subscribe(mine, query, {});
    const subTheirs = subscribe(theirs, query, {});
    try {
      await subscriptionsOpen(app, open + 3);
      await gqlOk(app.url, `mutation($id: ID!) { addNote(ticketId: $id, text: "Checked the logs") { kind author { email } } }`, { id: t.id }, admin.token);
      await gqlOk(app.url, `mutation($id: ID!) { updateTicket(id: $id, input: { status: PENDING }) { status } }`, { id: t.id }, admin.token);
      const events = await subMine.next(2);
      expect(events[0]!.data).toMatchObject({ ticketChanged: { id: t.id, actions: [{ kind: 'EMAIL_IN' }, { kind: 'NOTE', text: 'Checked the logs' }] } });
      expect(events[1]!.data).toMatchObject({ ticketChanged: { status: 'PENDING' } });
      await subAll.next(2);
      // Nothing of ours reached the other workspace: a change of its own, made after ours, reaches
      // its subscriber (events of one subscription arrive in the order they were published), and
      // it is the only event that subscriber ever got.
      const otherWorkspaceId = (await gqlOk(app.url, `{ workspace { id } }`, {}, other.token)).workspace.id;
      const theirTicket = await seedTicket(app.runtime.database.db, otherWorkspaceId, { subject: 'Their own' });
      await gqlOk(app.url, `mutation($id: ID!) { addNote(ticketId: $id, text: "Ours") { kind } }`, { id: theirTicket.id }, other.token);
      await subTheirs.next(1);
      expect(subTheirs.events.map((e) => e.data?.ticketChanged?.id)).toEqual([theirTicket.id]);
    } finally {
      subMine.dispose();
      subAll.dispose();
      subTheirs.dispose();
      await mine.dispose();
      await theirs.dispose();
      await subscriptionsClosed(app, open);
    }
  });

  it('refuses a subscription without a token', async () => {
    const anon = wsClient(app.url);
    const open = app.subscriptions.open;
    const sub = subscribe(anon, `subscription { ticketChanged { id } }`);
    try {
      const [event] = await sub.next(1, 3000);
      expect(event!.data ?? null).toBeNull();
      expect(event!.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      sub.dispose();
      await anon.dispose();
      await subscriptionsClosed(app, open);
    }
  });
});
