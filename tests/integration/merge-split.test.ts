import { rowsOf } from '@correio/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';

// Issue 16: merging and splitting tickets, and the ticket history, through GraphQL, with mail
// arriving over SMTP at the built-in address before and after.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let address: string;

const TICKET = `query($id: ID!) { ticket(id: $id) {
  id number subject status ccs customer { email } mergedInto { id number }
  actions { id kind text from }
  history { kind before after relatedTicket { number } actor { name } createdAt }
} }`;
const ticket = async (id: string) => (await gqlOk(app.url, TICKET, { id }, admin.token)).ticket;
const MERGE = `mutation($s: ID!, $t: ID!) { mergeTickets(sourceId: $s, targetId: $t) { id number ccs } }`;
const SPLIT = `mutation($t: ID!, $a: [ID!]!) { splitTicket(ticketId: $t, actionIds: $a) { id number status customer { email } } }`;
const ticketCount = async () => (await gqlOk(app.url, `{ tickets(first: 1) { totalCount } }`, {}, admin.token)).tickets.totalCount as number;

/** Sends a mail to the built-in address and returns the ticket it landed on, once it has. */
async function deliver(mail: Parameters<typeof buildMail>[0] & { from: string }) {
  const built = buildMail({ to: address, ...mail });
  await sendToReceiver(app.engine!.inboundSmtpPort!, { from: mail.from, to: [address] }, built.raw);
  const id = await waitFor(async () => {
    const found = (await gqlOk(app.url, `query($q: String!) { searchTickets(query: $q, first: 5) { edges { node { id } } } }`, { q: mail.text!.split(' ')[0] }, admin.token)).searchTickets.edges;
    return found[0]?.node.id as string | undefined;
  }, `the mail "${mail.subject}" imported`);
  return { id, messageId: built.messageId };
}

/** Each refused field with the code of its reason, e.g. `targetId:validation.merge.same`. */
const codes = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  result.errors?.flatMap((e) => ((e.extensions?.['fields'] ?? []) as Array<{ path: string[]; text?: { code: string } }>).map((f) => `${f.path.join('.')}:${f.text?.code}`));

beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url, { name: 'Ana Admin' });
  address = (await gqlOk(app.url, `{ emailAccounts { address } }`, {}, admin.token)).emailAccounts[0].address;
});
afterAll(() => app?.stop());

describe('merging tickets (issue 16)', () => {
  it('moves the source’s thread and copies to the target, closes it with a note, and sends its later mail there', async () => {
    const target = await deliver({ from: 'joana@cliente.example', subject: 'Boleto não chegou', text: 'alfa boleto nao chegou' });
    const source = await deliver({ from: 'pedro@cliente.example', cc: 'carla@cliente.example', subject: 'Segunda via do boleto', text: 'bravo segunda via' });
    const before = { target: await ticket(target.id), source: await ticket(source.id) };

    const merged = (await gqlOk(app.url, MERGE, { s: source.id, t: target.id }, admin.token)).mergeTickets;
    expect(merged.id).toBe(target.id);
    const after = { target: await ticket(target.id), source: await ticket(source.id) };
    // The source's message is on the target now, the source keeps only the note pointing there.
    expect(after.target.actions.map((a: any) => a.text)).toEqual(expect.arrayContaining(['alfa boleto nao chegou', 'bravo segunda via']));
    expect(after.target.actions.find((a: any) => a.kind === 'NOTE').text).toBe(`Ticket #${before.source.number} was merged into this one.`);
    expect(after.source.actions.map((a: any) => [a.kind, a.text])).toEqual([['NOTE', `Merged into ticket #${before.target.number}. Its messages, copies and later answers are there now.`]]);
    expect(after.source.status).toBe('CLOSED');
    expect(after.source.mergedInto).toEqual({ id: target.id, number: before.target.number });
    // The source's customer and its copy stay on the conversation.
    expect([...after.target.ccs].sort()).toEqual(['carla@cliente.example', 'pedro@cliente.example']);
    // Both histories say who did it and which ticket it involved.
    expect(after.source.history.map((h: any) => [h.kind, h.relatedTicket?.number, h.actor?.name])).toEqual([['MERGED_INTO', before.target.number, 'Ana Admin']]);
    expect(after.target.history.map((h: any) => [h.kind, h.relatedTicket?.number, h.actor?.name])).toEqual([['MERGED_FROM', before.source.number, 'Ana Admin']]);

    // The customer answers the source's message (In-Reply-To), then writes with its [#n] tag only.
    const tickets = await ticketCount();
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'pedro@cliente.example', to: [address] }, buildMail({ to: address, from: 'pedro@cliente.example', subject: 'Re: Segunda via do boleto', inReplyTo: source.messageId, text: 'charlie resposta por cabecalho' }).raw);
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'pedro@cliente.example', to: [address] }, buildMail({ to: address, from: 'pedro@cliente.example', subject: `Outra coisa [#${before.source.number}]`, text: 'delta resposta pela etiqueta' }).raw);
    const landed = await waitFor(async () => {
      const t = await ticket(target.id);
      const texts = t.actions.map((a: any) => a.text);
      return texts.includes('charlie resposta por cabecalho') && texts.includes('delta resposta pela etiqueta') ? t : null;
    }, 'both answers on the target');
    expect(landed.actions.filter((a: any) => a.kind === 'EMAIL_IN')).toHaveLength(4);
    expect((await ticket(source.id)).actions).toHaveLength(1);
    expect(await ticketCount()).toBe(tickets);
  });

  it('refuses what cannot be merged, with a reason on the field, and changes nothing', async () => {
    const a = await deliver({ from: 'rita@cliente.example', subject: 'Primeiro pedido', text: 'echo primeiro' });
    const b = await deliver({ from: 'rita@cliente.example', subject: 'Segundo pedido', text: 'foxtrot segundo' });
    const c = await deliver({ from: 'rita@cliente.example', subject: 'Terceiro pedido', text: 'golf terceiro' });
    expect(codes(await gql(app.url, MERGE, { s: a.id, t: a.id }, admin.token))).toEqual(['targetId:validation.merge.same']);

    // Another workspace's ticket is as unknown as a made-up id: nothing says it exists.
    const stranger = await signUp(app.url);
    expect(codes(await gql(app.url, MERGE, { s: a.id, t: b.id }, stranger.token))).toEqual(['sourceId:validation.merge.unknownTicket']);
    expect(codes(await gql(app.url, MERGE, { s: 'not-an-id', t: b.id }, admin.token))).toEqual(['sourceId:validation.merge.unknownTicket']);
    expect((await ticket(a.id)).status).not.toBe('CLOSED');

    await gqlOk(app.url, MERGE, { s: a.id, t: b.id }, admin.token);
    const again = await gql(app.url, MERGE, { s: a.id, t: c.id }, admin.token);
    expect(again.errors?.[0]?.message).toContain('was already merged into another ticket');
    const intoMerged = await gql(app.url, MERGE, { s: c.id, t: a.id }, admin.token);
    const [na, nb] = [(await ticket(a.id)).number, (await ticket(b.id)).number];
    expect(intoMerged.errors?.[0]?.message).toContain(`Ticket #${na} was merged into #${nb}: merge into #${nb} instead.`);
    expect((await ticket(c.id)).mergedInto).toBeNull();
  });

  it('lets only one of two opposite merges at once win: no cycle, no deadlock', async () => {
    const a = await deliver({ from: 'lia@cliente.example', subject: 'Pedido hotel', text: 'hotel pedido' });
    const b = await deliver({ from: 'lia@cliente.example', subject: 'Pedido india', text: 'india pedido' });
    const results = await Promise.all([gql(app.url, MERGE, { s: a.id, t: b.id }, admin.token), gql(app.url, MERGE, { s: b.id, t: a.id }, admin.token)]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const [ta, tb] = [await ticket(a.id), await ticket(b.id)];
    expect([ta.mergedInto, tb.mergedInto].filter(Boolean)).toHaveLength(1);
  });
});

describe('splitting a ticket (issue 16)', () => {
  it('moves the chosen messages to a new ticket of the same customer, where their answers then land', async () => {
    const first = await deliver({ from: 'bia@cliente.example', subject: 'Troca de produto', text: 'juliet troca' });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'bia@cliente.example', to: [address] }, buildMail({ to: address, from: 'bia@cliente.example', subject: 'Re: Troca de produto', inReplyTo: first.messageId, text: 'kilo outro assunto nota fiscal' }).raw);
    const original = await waitFor(async () => {
      const t = await ticket(first.id);
      return t.actions.length === 2 ? t : null;
    }, 'the second mail on the ticket');
    const moved = original.actions[1];
    const tickets = await ticketCount();

    const created = (await gqlOk(app.url, SPLIT, { t: first.id, a: [moved.id] }, admin.token)).splitTicket;
    expect(created.customer.email).toBe('bia@cliente.example');
    expect(created.status).toBe('OPEN');
    expect(await ticketCount()).toBe(tickets + 1);
    const fresh = await ticket(created.id);
    expect(fresh.actions.map((a: any) => a.text)).toEqual(['kilo outro assunto nota fiscal', `Split from ticket #${original.number}.`]);
    expect(fresh.history.map((h: any) => [h.kind, h.relatedTicket?.number])).toEqual([['SPLIT_FROM', original.number]]);
    const left = await ticket(first.id);
    expect(left.actions.map((a: any) => a.text)).toEqual(['juliet troca', `Some messages were moved to a new ticket, #${created.number}.`]);
    expect(left.history.map((h: any) => [h.kind, h.relatedTicket?.number])).toEqual([['SPLIT_TO', created.number]]);

    // The customer answers the moved message: the answer follows it.
    const [movedMessageId] = rowsOf<{ message_id: string }>(await app.runtime.database.db.execute(sql`select message_id from ticket_actions where id = ${moved.id}`));
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'bia@cliente.example', to: [address] }, buildMail({ to: address, from: 'bia@cliente.example', subject: 'Re: Troca de produto', inReplyTo: movedMessageId!.message_id, text: 'lima resposta ao movido' }).raw);
    await waitFor(async () => (await ticket(created.id)).actions.some((a: any) => a.text === 'lima resposta ao movido'), 'the answer on the new ticket');
    expect((await ticket(first.id)).actions).toHaveLength(2);
  });

  it('refuses an empty choice, every message, or a message of another ticket', async () => {
    const a = await deliver({ from: 'davi@cliente.example', subject: 'Cancelar assinatura', text: 'mike cancelar' });
    const b = await deliver({ from: 'davi@cliente.example', subject: 'Trocar senha', text: 'november senha' });
    const [ta, tb] = [await ticket(a.id), await ticket(b.id)];
    expect(codes(await gql(app.url, SPLIT, { t: a.id, a: [] }, admin.token))).toEqual(['actionIds:validation.split.noActions']);
    expect(codes(await gql(app.url, SPLIT, { t: a.id, a: ta.actions.map((x: any) => x.id) }, admin.token))).toEqual(['actionIds:validation.split.allActions']);
    expect(codes(await gql(app.url, SPLIT, { t: a.id, a: [tb.actions[0].id] }, admin.token))).toEqual(['actionIds:validation.split.unknownAction']);
    expect((await ticket(b.id)).actions).toHaveLength(1);
  });
});

describe('ticket history (issue 16)', () => {
  it('records who changed status, group and assignee, from what to what; a field set to its own value records nothing', async () => {
    const t = await deliver({ from: 'caio@cliente.example', subject: 'Entrega atrasada', text: 'oscar entrega' });
    const group = (await gqlOk(app.url, `mutation { createGroup(name: "Logística") { id } }`, {}, admin.token)).createGroup.id;
    const me = (await gqlOk(app.url, `{ me { id } }`, {}, admin.token)).me.id;
    const UPDATE = `mutation($id: ID!, $input: TicketUpdateInput!) { updateTicket(id: $id, input: $input) { id } }`;
    await gqlOk(app.url, UPDATE, { id: t.id, input: { status: 'OPEN', groupId: group } }, admin.token);
    await gqlOk(app.url, UPDATE, { id: t.id, input: { status: 'OPEN', assigneeId: me } }, admin.token);
    await gqlOk(app.url, UPDATE, { id: t.id, input: { groupId: null } }, admin.token);
    const history = (await ticket(t.id)).history.map((h: any) => [h.kind, h.before, h.after, h.actor?.name]);
    expect(history).toEqual([
      ['STATUS', 'NEW', 'OPEN', 'Ana Admin'],
      ['GROUP', null, 'Logística', 'Ana Admin'],
      ['ASSIGNEE', null, 'Ana Admin', 'Ana Admin'],
      ['GROUP', 'Logística', null, 'Ana Admin'],
    ]);
  });
});
