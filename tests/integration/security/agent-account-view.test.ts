import { schema } from '@correio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { gql, gqlOk, subscribe, subscriptionsClosed, subscriptionsOpen, wsClient } from '../../helpers/graphql.ts';
import { createSinkAccount, importCustomerMail } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';

// Issue 10 §5: agents work tickets; the account a ticket came in through tells them its name,
// address, kind and health — never where its servers are, who logs in, or what servers said.

const HOST = '127.0.0.1';
let app: TestApp;
let sink: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let agentToken: string;
let ticketId: string;
let accountId: string;

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'secret-login-name', pass: 'x' } });
  app = await startTestApp({ CORREIO_ROLE: 'api' });
  admin = await signUp(app.url);
  const account = await createSinkAccount(app, admin.token, sink, { outgoing: { encryption: 'NONE', username: 'secret-login-name', password: 'x' } });
  accountId = account.id;
  ({ ticketId } = await importCustomerMail(app, accountId, { subject: 'Pedido' }));
  // Something an admin would see under "Show last errors".
  await app.runtime.database.db.insert(schema.connectionErrors).values({ accountId, direction: 'OUTGOING', phase: 'AUTH', code: 'AUTH_FAILED', message: 'Rejected', serverResponse: '535 secret-server-words', transient: false });
  const email = `agente-${Date.now()}@acme.example`;
  await gqlOk(app.url, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { name: 'Agente', email, password: 'agent password 123', role: 'AGENT' } }, admin.token);
  agentToken = (await gqlOk(app.url, `mutation($e: String!) { login(email: $e, password: "agent password 123") { token } }`, { e: email })).login.token;
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});

const ALLOWED = 'id name address kind active status { overall incoming { state checkedAt since } outgoing { state } }';
const FORBIDDEN_SELECTIONS = [
  'outgoing { host }',
  'outgoing { port }',
  'outgoing { username }',
  'outgoing { authMechanism }',
  'incoming { host }',
  'receiving { newTicketPolicy }',
  'providerId',
  'lastErrors { serverResponse }',
  'status { outgoing { message } }',
  'status { outgoing { hint } }',
  'status { outgoing { code } }',
  'status { outgoing { checks { serverResponse } } }',
];

/** Every way a ticket (and so its account) reaches an agent. */
const PATHS: Array<[string, (selection: string) => Promise<{ data?: any; errors?: any[] }>]> = [
  ['tickets', (sel) => gql(app.url, `{ tickets(first: 5) { edges { node { account { ${sel} } } } } }`, {}, agentToken)],
  ['ticket', (sel) => gql(app.url, `query($id: ID!) { ticket(id: $id) { account { ${sel} } } }`, { id: ticketId }, agentToken)],
  ['updateTicket', (sel) => gql(app.url, `mutation($id: ID!) { updateTicket(id: $id, input: { status: OPEN }) { account { ${sel} } } }`, { id: ticketId }, agentToken)],
];

describe('what agents see of an e-mail account', () => {
  it.each(PATHS)('through %s: name, address, kind and status states', async (_path, run) => {
    const r = await run(ALLOWED);
    expect(r.errors).toBeUndefined();
    expect(JSON.stringify(r.data)).toContain('support@acme.example');
  });

  for (const [path, run] of PATHS) {
    it.each(FORBIDDEN_SELECTIONS)(`through ${path}: %s is FORBIDDEN`, async (selection) => {
      const r = await run(selection);
      expect(r.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(JSON.stringify(r.data ?? null)).not.toMatch(/127\.0\.0\.1|secret-login-name|secret-server-words|PLAIN/);
    });
  }

  it('through the ticketChanged subscription: the same rule', async () => {
    const client = wsClient(app.url, agentToken);
    const open = app.subscriptions.open;
    const allowed = subscribe(client, `subscription($id: ID) { ticketChanged(ticketId: $id) { account { ${ALLOWED} } } }`, { id: ticketId });
    const forbidden = subscribe(client, `subscription($id: ID) { ticketChanged(ticketId: $id) { account { name outgoing { host username } } } }`, { id: ticketId });
    try {
      await subscriptionsOpen(app, open + 2);
      await gqlOk(app.url, `mutation($id: ID!) { updateTicket(id: $id, input: { status: PENDING }) { id } }`, { id: ticketId }, admin.token);
      const [ok] = await allowed.next(1);
      expect(ok!.errors).toBeUndefined();
      expect(ok!.data!.ticketChanged.account.name).toBeTruthy();
      const [denied] = await forbidden.next(1);
      expect(denied!.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(JSON.stringify(denied)).not.toMatch(/127\.0\.0\.1|secret-login-name/);
    } finally {
      allowed.dispose();
      forbidden.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }
  });

  it('the account queries, checks and status stream stay admin-only', async () => {
    for (const query of [
      `{ emailAccounts { id } }`,
      `query($id: ID!) { emailAccount(id: $id) { id } }`,
      `mutation($id: ID!) { testEmailAccount(id: $id) { overall } }`,
      `mutation { refreshAccountStatuses { id } }`,
    ]) {
      const r = await gql(app.url, query, { id: accountId }, agentToken);
      expect(r.errors?.[0]?.extensions?.['code'], query).toBe('FORBIDDEN');
    }
  });

  it('admins still read everything through the same paths', async () => {
    const r = await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { account { outgoing { host username authMechanism } lastErrors { serverResponse } status { outgoing { message hint checks { phase } } } } } }`, { id: ticketId }, admin.token);
    expect(r.ticket.account.outgoing).toEqual({ host: HOST, username: 'secret-login-name', authMechanism: 'PLAIN' });
    expect(r.ticket.account.lastErrors[0].serverResponse).toBe('535 secret-server-words');
  });
});
