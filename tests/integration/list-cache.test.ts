import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { seedTicket } from '../helpers/seed.ts';
import { waitFor } from '../helpers/wait.ts';

// Issue 15: a ticket list is answered once per change in its workspace, not once per request.
// The cache lives a minute here, so every change below that shows in time was announced, not
// waited out.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let workspaceId: string;
const LIST = `query($filter: TicketFilter) { tickets(first: 50, filter: $filter) { totalCount edges { node { id subject status group { name } assignee { name } customer { email } } } } }`;
const list = async (token = admin.token, filter: Record<string, unknown> = {}) => (await gqlOk(app.url, LIST, { filter }, token)).tickets;
const subjects = (page: any) => page.edges.map((e: any) => e.node.subject).sort();

beforeAll(async () => {
  app = await startTestApp({ CORREIO_LIST_CACHE_SECONDS: '60' });
  admin = await signUp(app.url);
  workspaceId = (await gqlOk(app.url, `{ workspace { id } }`, {}, admin.token)).workspace.id;
});
afterAll(() => app?.stop());

describe('ticket list cache (issue 15)', () => {
  it('answers a repeated list from memory: a ticket written behind its back is not seen until the lists change', async () => {
    await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Primeiro' });
    expect(subjects(await list())).toEqual(['Primeiro']);
    // Straight into the database, announced nowhere: the cached answer stands (this is what the cache is).
    await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Segundo' });
    expect(subjects(await list())).toEqual(['Primeiro']);
    // Any mutation in the workspace ends it, before the mutation's answer is sent.
    await gqlOk(app.url, `mutation { createGroup(name: "Fiscal") { id } }`, {}, admin.token);
    expect(subjects(await list())).toEqual(['Primeiro', 'Segundo']);
  });

  it('shows a change made through the API in the very next answer', async () => {
    const before = await list(admin.token, { status: ['NEW'] });
    const target = before.edges[0].node;
    const group = (await gqlOk(app.url, `mutation { createGroup(name: "Cobrança") { id } }`, {}, admin.token)).createGroup.id;
    await gqlOk(app.url, `mutation($id: ID!, $g: ID!) { updateTicket(id: $id, input: { status: PENDING, groupId: $g }) { id } }`, { id: target.id, g: group }, admin.token);
    const after = await list(admin.token, { status: ['NEW'] });
    expect(after.totalCount).toBe(before.totalCount - 1);
    const pending = await list(admin.token, { status: ['PENDING'] });
    expect(pending.edges.map((e: any) => [e.node.id, e.node.group?.name])).toEqual([[target.id, 'Cobrança']]);
  });

  it('shows a mail that arrives while the list is cached as soon as its ticket exists', async () => {
    const address = (await gqlOk(app.url, `{ emailAccounts { address } }`, {}, admin.token)).emailAccounts[0].address;
    const cached = await list();
    expect(await list()).toEqual(cached);
    const mail = buildMail({ to: address, from: 'joana@cliente.example', subject: 'Boleto vencido' });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'joana@cliente.example', to: [address] }, mail.raw);
    // Imported by the engine, announced by its ticketChanged event: well inside the cache's minute.
    const page = await waitFor(async () => {
      const p = await list();
      return subjects(p).includes('Boleto vencido') ? p : null;
    }, 'the new ticket in the cached list', 10_000);
    expect(page.totalCount).toBe(cached.totalCount + 1);
  });

  it('shows new mail in a workspace whose first request was a mutation', async () => {
    // An admin's first act is often a mutation (connecting a mailbox). The workspace was then
    // known to the cache without listening to its events, and an import stayed invisible for
    // the cache's whole lifetime (crash-exactly-once saw 0 tickets, then all 3,000).
    const fresh = await signUp(app.url);
    await gqlOk(app.url, `mutation { createGroup(name: "Primeiro ato") { id } }`, {}, fresh.token);
    const address = (await gqlOk(app.url, `{ emailAccounts { address } }`, {}, fresh.token)).emailAccounts[0].address;
    expect((await list(fresh.token)).totalCount).toBe(0);
    const mail = buildMail({ to: address, from: 'rui@cliente.example', subject: 'Depois da mutação' });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'rui@cliente.example', to: [address] }, mail.raw);
    const page = await waitFor(async () => {
      const p = await list(fresh.token);
      return p.totalCount === 1 ? p : null;
    }, 'the new ticket in the cached list', 10_000);
    expect(subjects(page)).toEqual(['Depois da mutação']);
  });

  it('never gives one workspace or one role another’s answer', async () => {
    const other = await signUp(app.url);
    const otherWs = (await gqlOk(app.url, `{ workspace { id } }`, {}, other.token)).workspace.id;
    await seedTicket(app.runtime.database.db, otherWs, { subject: 'Só do outro' });
    // The same document and variables as this workspace's cached list.
    expect(subjects(await list(other.token))).toEqual(['Só do outro']);
    expect(subjects(await list())).not.toContain('Só do outro');

    // An agent of this workspace reads the same list; a field only admins may read is refused to
    // the agent even when an admin's answer to the same query is cached.
    const email = `agente-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { name: 'Agente', email, password, role: 'AGENT' } }, admin.token);
    const agentToken = (await gqlOk(app.url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: email, p: password })).login.token;
    const ADMIN_FIELD = `{ tickets(first: 50, filter: { search: "Boleto" }) { edges { node { subject account { providerId } } } } }`;
    const asAdmin = await gql(app.url, ADMIN_FIELD, {}, admin.token);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data!.tickets.edges.map((e: any) => e.node.subject)).toEqual(['Boleto vencido']);
    const asAgent = await gql(app.url, ADMIN_FIELD, {}, agentToken);
    expect(asAgent.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect(asAgent.data!.tickets.edges[0].node.account.providerId).toBeNull();
  });
});
