import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { seedTicket } from '../helpers/seed.ts';

// Issue 16: canned replies — the workspace's (admins keep them) and each agent's own — and their
// variables filled in for a ticket.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let agent: { token: string; id: string };
let workspaceId: string;

const LIST = `query($s: String) { cannedReplies(search: $s) { id title shortcut personal canEdit owner { name } } }`;
const CREATE = `mutation($input: CannedReplyInput!) { createCannedReply(input: $input) { id title shortcut personal } }`;
const UPDATE = `mutation($id: ID!, $input: CannedReplyInput!) { updateCannedReply(id: $id, input: $input) { id title text } }`;
const DELETE = `mutation($id: ID!) { deleteCannedReply(id: $id) }`;
const RENDER = `query($id: ID!, $t: ID!) { renderCannedReply(id: $id, ticketId: $t) }`;
const titles = async (token: string, s?: string) => (await gqlOk(app.url, LIST, { s }, token)).cannedReplies.map((r: any) => r.title);
const fieldCodes = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  r.errors?.flatMap((e) => ((e.extensions?.['fields'] ?? []) as Array<{ path: string[]; text?: { code: string } }>).map((f) => `${f.path.join('.')}:${f.text?.code}`));
const errorCode = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions?.['code'];

beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url, { name: 'Ana Admin' });
  workspaceId = (await gqlOk(app.url, `{ workspace { id } }`, {}, admin.token)).workspace.id;
  const email = `bruno-${Date.now()}@loja.example`;
  const password = 'correct horse battery staple';
  const created = await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { name: 'Bruno Agente', email, password, role: 'AGENT' } }, admin.token);
  agent = { id: created.createUser.id, token: (await gqlOk(app.url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: email, p: password })).login.token };
});
afterAll(() => app?.stop());

describe('canned replies (issue 16)', () => {
  it('shares the workspace’s replies with every agent and keeps an agent’s own to them', async () => {
    await gqlOk(app.url, CREATE, { input: { title: 'Segunda via de boleto', shortcut: '::2via', text: 'Olá {{cliente.nome}}, segue a segunda via.' } }, admin.token);
    const own = (await gqlOk(app.url, CREATE, { input: { title: 'Minha saudação', shortcut: 'oi', text: 'Oi! Aqui é {{agente.nome}}.', personal: true } }, agent.token)).createCannedReply;
    expect(own).toMatchObject({ personal: true, shortcut: 'oi' });

    expect(await titles(agent.token)).toEqual(['Minha saudação', 'Segunda via de boleto']);
    expect(await titles(admin.token)).toEqual(['Segunda via de boleto']);
    // Search looks in the title, the shortcut (with or without the ::) and the text.
    expect(await titles(agent.token, '::2via')).toEqual(['Segunda via de boleto']);
    expect(await titles(agent.token, 'aqui é')).toEqual(['Minha saudação']);
    const asAgent = (await gqlOk(app.url, LIST, {}, agent.token)).cannedReplies;
    expect(asAgent.map((r: any) => [r.title, r.canEdit, r.owner?.name ?? null])).toEqual([
      ['Minha saudação', true, 'Bruno Agente'],
      ['Segunda via de boleto', false, null],
    ]);
    const stranger = await signUp(app.url);
    expect(await titles(stranger.token)).toEqual([]);
  });

  it('lets only admins keep the workspace’s replies, and nobody touch another agent’s own', async () => {
    expect(errorCode(await gql(app.url, CREATE, { input: { title: 'Da casa', text: 'x' } }, agent.token))).toBe('FORBIDDEN');
    const shared = (await gqlOk(app.url, LIST, { s: '2via' }, agent.token)).cannedReplies[0];
    expect(errorCode(await gql(app.url, UPDATE, { id: shared.id, input: { title: 'Mudado', text: 'x' } }, agent.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(app.url, DELETE, { id: shared.id }, agent.token))).toBe('FORBIDDEN');
    // The agent's own reply does not exist for the admin, or for another workspace.
    const own = (await gqlOk(app.url, LIST, { s: 'oi' }, agent.token)).cannedReplies.find((r: any) => r.personal);
    expect(fieldCodes(await gql(app.url, UPDATE, { id: own.id, input: { title: 'Hack', text: 'x' } }, admin.token))).toEqual(['id:validation.canned.unknown']);
    expect(fieldCodes(await gql(app.url, DELETE, { id: own.id }, (await signUp(app.url)).token))).toEqual(['id:validation.canned.unknown']);
    expect(fieldCodes(await gql(app.url, DELETE, { id: 'nope' }, agent.token))).toEqual(['id:validation.canned.unknown']);

    const changed = (await gqlOk(app.url, UPDATE, { id: own.id, input: { title: 'Minha saudação', shortcut: 'oi', text: 'Olá! {{agent.name}} aqui.' } }, agent.token)).updateCannedReply;
    expect(changed.text).toBe('Olá! {{agent.name}} aqui.');
  });

  it('refuses a shortcut that is taken or malformed, and an empty text, on the field', async () => {
    expect(fieldCodes(await gql(app.url, CREATE, { input: { title: 'Outra', shortcut: '2VIA', text: 'x' } }, admin.token))).toEqual(['input.shortcut:validation.canned.shortcutTaken']);
    expect(fieldCodes(await gql(app.url, CREATE, { input: { title: 'Outra', shortcut: 'com espaço', text: 'x' } }, admin.token))).toEqual(['input.shortcut:validation.canned.shortcut']);
    expect(fieldCodes(await gql(app.url, CREATE, { input: { title: 'Outra', text: '   ' } }, admin.token))).toEqual(['input.text:validation.canned.text']);
    // An agent's own reply may use a workspace shortcut: theirs is the one they mean.
    const mine = await gql(app.url, CREATE, { input: { title: 'Minha 2ª via', shortcut: '2via', text: 'x', personal: true } }, agent.token);
    expect(mine.errors).toBeUndefined();
  });

  it('fills the variables for the ticket and the agent, never expanding what a customer wrote', async () => {
    const ticket = await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Boleto {{agente.email}} vencido', customerEmail: 'joana@cliente.example', customerName: 'Joana $& Lima' });
    const reply = (
      await gqlOk(
        app.url,
        CREATE,
        { input: { title: 'Completa', text: 'Olá {{cliente.nome}} ({{customer.email}}), sobre o #{{ticket.numero}} “{{ticket.assunto}}”: {{agente.nome}} <{{agent.email}}>. {{cliente.cpf}}', personal: true } },
        agent.token,
      )
    ).createCannedReply;
    const agentEmail = (await gqlOk(app.url, `{ me { email } }`, {}, agent.token)).me.email;
    const text = (await gqlOk(app.url, RENDER, { id: reply.id, t: ticket.id }, agent.token)).renderCannedReply;
    expect(text).toBe(`Olá Joana $& Lima (joana@cliente.example), sobre o #${ticket.number} “Boleto {{agente.email}} vencido”: Bruno Agente <${agentEmail}>. {{cliente.cpf}}`);

    // Another workspace's ticket is not found, whatever the reply.
    const stranger = await signUp(app.url);
    const strangerWs = (await gqlOk(app.url, `{ workspace { id } }`, {}, stranger.token)).workspace.id;
    const theirs = await seedTicket(app.runtime.database.db, strangerWs, { subject: 'Deles' });
    expect(errorCode(await gql(app.url, RENDER, { id: reply.id, t: theirs.id }, agent.token))).toBe('NOT_FOUND');
  });

  it('keeps a formatted reply as sanitized HTML, and inserts it with the values escaped', async () => {
    const ticket = await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Pedido <b>urgente</b>', customerEmail: 'hacker@cliente.example', customerName: '<img src=x onerror=alert(1)>' });
    const created = (
      await gqlOk(
        app.url,
        `mutation($input: CannedReplyInput!) { createCannedReply(input: $input) { id html text } }`,
        { input: { title: 'Formatada', html: '<p onclick="steal()">Olá <strong>{{cliente.nome}}</strong>,</p><ul><li>pedido: {{ticket.assunto}}</li></ul><script>alert(1)</script>', personal: true } },
        agent.token,
      )
    ).createCannedReply;
    expect(created.html).toBe('<p>Olá <strong>{{cliente.nome}}</strong>,</p><ul><li>pedido: {{ticket.assunto}}</li></ul>');
    expect(created.text).toBe('Olá {{cliente.nome}},\n\n * pedido: {{ticket.assunto}}');
    // The list and the picker search what it reads as.
    expect(await titles(agent.token, 'pedido')).toContain('Formatada');

    const inserted = (await gqlOk(app.url, `mutation($id: ID!, $t: ID!) { insertCannedReply(id: $id, ticketId: $t) { html text } }`, { id: created.id, t: ticket.id }, agent.token)).insertCannedReply;
    expect(inserted.html).toBe('<p>Olá <strong>&lt;img src=x onerror=alert(1)&gt;</strong>,</p><ul><li>pedido: Pedido &lt;b&gt;urgente&lt;/b&gt;</li></ul>');
    expect(inserted.text).toBe('Olá <img src=x onerror=alert(1)>,\n\n * pedido: Pedido <b>urgente</b>');
    // Neither a text nor an HTML body: refused on the field.
    expect(fieldCodes(await gql(app.url, CREATE, { input: { title: 'Vazia', html: '<p> </p><script>x</script>' } }, admin.token))).toEqual(['input.text:validation.canned.text']);
  });
});
