import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { CREATE_ACCOUNT, externalAccountInput } from '../helpers/fragments.ts';
import { gql, gqlOk, subscribe, subscriptionsClosed, subscriptionsOpen, wsClient } from '../helpers/graphql.ts';
import { seedTicket } from '../helpers/seed.ts';

let app: TestApp;
let a: Awaited<ReturnType<typeof signUp>>;
let b: Awaited<ReturnType<typeof signUp>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  a = await signUp(app.url);
  b = await signUp(app.url);
  const wsA = (await gqlOk(app.url, `{ workspace { id } }`, {}, a.token)).workspace.id;
  ids['account'] = (await gqlOk(app.url, CREATE_ACCOUNT, { input: externalAccountInput() }, a.token)).createEmailAccount.id;
  ids['group'] = (await gqlOk(app.url, `mutation { createGroup(name: "A team") { id } }`, {}, a.token)).createGroup.id;
  ids['type'] = (await gqlOk(app.url, `mutation { createTicketType(name: "A type") { id } }`, {}, a.token)).createTicketType.id;
  ids['user'] = a.userId;
  ids['ticket'] = (await seedTicket(app.runtime.database.db, wsA, { subject: 'Secret of A', accountId: ids['account'] })).id;
  // B has a ticket of its own to try A's ids on.
  const wsB = (await gqlOk(app.url, `{ workspace { id } }`, {}, b.token)).workspace.id;
  ids['ticketB'] = (await seedTicket(app.runtime.database.db, wsB, { subject: 'B ticket' })).id;
});
afterAll(() => app?.stop());

describe('workspace isolation', () => {
  it('hides every entity of workspace A from workspace B, by id and in lists', async () => {
    const reads = await gqlOk(
      app.url,
      `query($account: ID!, $ticket: ID!) {
        emailAccount(id: $account) { id }
        ticket(id: $ticket) { id }
        emailAccounts { id }
        groups { id } ticketTypes { id } clients { id } domainRules { id } users { id }
        tickets(filter: { accountId: $account }) { totalCount }
      }`,
      { account: ids['account'], ticket: ids['ticket'] },
      b.token,
    );
    expect(reads.emailAccount).toBeNull();
    expect(reads.ticket).toBeNull();
    expect(reads.emailAccounts.map((x: { id: string }) => x.id)).not.toContain(ids['account']);
    expect(reads.groups).toEqual([]);
    expect(reads.ticketTypes).toEqual([]);
    expect(reads.clients.length).toBe(1); // B's own customer only
    expect(reads.users.map((u: { id: string }) => u.id)).toEqual([b.userId]);
    expect(reads.tickets.totalCount).toBe(0);
  });

  it('refuses every change to A’s entities made with B’s token, and A’s data is unchanged', async () => {
    const attempts: Array<[string, Record<string, unknown>, string]> = [
      [`mutation($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { id } }`, { id: ids['account'], input: externalAccountInput({ name: 'Hijacked' }) }, 'NOT_FOUND'],
      [`mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { id } }`, { id: ids['account'] }, 'NOT_FOUND'],
      [`mutation($id: ID!) { deleteEmailAccount(id: $id) }`, { id: ids['account'] }, 'NOT_FOUND'],
      [`mutation($id: ID!) { updateTicket(id: $id, input: { status: CLOSED }) { id } }`, { id: ids['ticket'] }, 'NOT_FOUND'],
      [`mutation($id: ID!) { addNote(ticketId: $id, text: "pwned") { id } }`, { id: ids['ticket'] }, 'NOT_FOUND'],
      [`mutation($id: ID!, $g: ID!) { updateTicket(id: $id, input: { groupId: $g }) { id } }`, { id: ids['ticketB'], g: ids['group'] }, 'VALIDATION_FAILED'],
      [`mutation($id: ID!, $u: ID!) { updateTicket(id: $id, input: { assigneeId: $u }) { id } }`, { id: ids['ticketB'], u: ids['user'] }, 'VALIDATION_FAILED'],
      [CREATE_ACCOUNT, { input: { name: 'X', kind: 'BUILTIN', address: 'x', groupId: ids['group'] } }, 'VALIDATION_FAILED'],
      [CREATE_ACCOUNT, { input: { name: 'X', kind: 'BUILTIN', address: 'y', ticketTypeId: ids['type'] } }, 'VALIDATION_FAILED'],
    ];
    for (const [query, variables, code] of attempts) {
      const r = await gql(app.url, query, variables, b.token);
      expect(r.errors?.[0]?.extensions?.['code'], query).toBe(code);
    }
    const mine = await gqlOk(app.url, `query($id: ID!, $t: ID!) { emailAccount(id: $id) { name active } ticket(id: $t) { status actions { kind } } }`, { id: ids['account'], t: ids['ticket'] }, a.token);
    expect(mine.emailAccount).toEqual({ name: 'Support', active: true });
    expect(mine.ticket).toEqual({ status: 'NEW', actions: [{ kind: 'EMAIL_IN' }] });
  });

  it('never delivers A’s ticket events to B, even when B subscribes to A’s ticket id', async () => {
    // A ticket of A's of its own: the note below must not change the one the other tests look at.
    const wsA = (await gqlOk(app.url, `{ workspace { id } }`, {}, a.token)).workspace.id;
    const ticketA = (await seedTicket(app.runtime.database.db, wsA, { subject: 'Another secret of A', accountId: ids['account'] })).id;
    const clientB = wsClient(app.url, b.token);
    const clientA = wsClient(app.url, a.token);
    const query = `subscription($id: ID) { ticketChanged(ticketId: $id) { id subject } }`;
    const open = app.subscriptions.open;
    const sub = subscribe(clientB, query, { id: ticketA });
    // Witnesses: A's own subscriber to its ticket, and B's subscriber to all of B's tickets on the same socket as `sub`.
    const subA = subscribe(clientA, query, { id: ticketA });
    const subBAll = subscribe(clientB, query, {});
    try {
      await subscriptionsOpen(app, open + 3);
      await gqlOk(app.url, `mutation($id: ID!) { addNote(ticketId: $id, text: "internal") { id } }`, { id: ticketA }, a.token);
      // A's event went out (A's subscriber has it) …
      await subA.next(1);
      // … and a change of B's own, made after it, reached B over the same socket as `sub`: anything
      // of A's that `sub` was going to get would have arrived before it.
      await gqlOk(app.url, `mutation($id: ID!) { addNote(ticketId: $id, text: "B's own") { id } }`, { id: ids['ticketB'] }, b.token);
      await subBAll.next(1);
      expect(sub.events).toEqual([]);
      expect(subBAll.events.map((e) => e.data?.ticketChanged?.id)).toEqual([ids['ticketB']]);
    } finally {
      sub.dispose();
      subA.dispose();
      subBAll.dispose();
      await clientB.dispose();
      await clientA.dispose();
      await subscriptionsClosed(app, open);
    }
  });
});
