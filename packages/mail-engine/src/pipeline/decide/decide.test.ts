import { describe, expect, it } from 'vitest';
import type { TicketCandidate } from '../match-ticket.ts';
import type { PreparedEmail } from '../prepare.ts';
import { decide, INBOUND_RULES } from './decide.ts';
import type { DecidingAccount, DecisionInput, InboundMessage, Known } from './types.ts';

// The inbound decision without a database: what the rules decide, and in which order.

function mail(overrides: Partial<PreparedEmail> = {}): InboundMessage {
  const prepared: PreparedEmail = {
    rawBlobKey: 'blob',
    rawSize: 100,
    rawSha256: null,
    messageId: 'm1@cliente.example',
    inReplyTo: null,
    references: [],
    subject: 'Pedido 42',
    normalizedSubject: 'pedido 42',
    tagNumber: null,
    from: { address: 'ana@cliente.example', name: 'Ana' },
    to: [{ address: 'support@acme.example', name: null }],
    cc: [],
    classification: { kind: 'NORMAL', reason: null },
    deliveryReport: null,
    text: 'Olá',
    fullText: 'Olá',
    html: null,
    attachments: [],
    smimeSigned: false,
    threadIndex: null,
    outlookConversation: null,
    senderAuth: null,
    ...overrides,
  };
  return { sourceKey: `imap:INBOX:1:${Math.random()}`, prepared, receivedAt: null, historical: false };
}

function known(overrides: Partial<Known> = {}): Known {
  return { own: new Set(['support@acme.example']), owners: new Map(), tickets: new Map(), byNumber: new Map(), bySubject: new Map(), byConversation: new Map(), clients: new Map(), rules: new Map(), ...overrides };
}

const account: DecidingAccount = { workspaceId: 'ws', appendReplies: true, sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC', newTicketPolicy: 'ANY_SENDER', dmarcFailPolicy: 'FLAG' };
const input = (k: Known = known(), extra: Partial<DecisionInput> = {}): DecisionInput => ({ account, known: k, senderOverLimit: () => false, ...extra });
const ticket = (id: string, extra: Partial<TicketCandidate> = {}): TicketCandidate => ({ id, status: 'RESOLVED', customerEmail: 'ana@cliente.example', ccs: [], ...extra });

describe('the inbound rules', () => {
  it('run in the documented order', () => {
    expect(INBOUND_RULES.map(([name]) => name)).toEqual([
      'own message',
      'bounce',
      'auto-reply',
      'same message elsewhere',
      'forged sender',
      'flood',
      'reply to a ticket',
      'new-ticket policy',
      'open a ticket',
    ]);
  });

  it('open a ticket for a new sender, who becomes a client with the domain rule’s organization', () => {
    const k = known({ rules: new Map([['cliente.example', 'Cliente SA']]) });
    expect(decide(mail({ cc: [{ address: 'bob@cliente.example', name: null }, { address: 'support@acme.example', name: null }] }), input(k))).toEqual({
      kind: 'OPEN',
      customer: 'ana@cliente.example',
      newClient: { name: 'Ana', organization: 'Cliente SA' },
      ccs: ['bob@cliente.example'],
    });
  });

  it('refuse our own copies before anything else, even one that looks like a bounce or an auto-reply', () => {
    const own = known({ owners: new Map([['m1@cliente.example', { ticketId: 't', actionId: 'a', outgoing: true }]]) });
    const decision = decide(mail({ classification: { kind: 'BOUNCE', reason: 'dsn' } }), input(own));
    expect(decision).toMatchObject({ kind: 'REFUSE', reason: 'OWN_MESSAGE' });
    expect(decide(mail({ from: { address: 'support@acme.example', name: null }, classification: { kind: 'AUTO_REPLY', reason: 'x' } }), input())).toMatchObject({ reason: 'OWN_MESSAGE' });
  });

  it('take a bounce before the auto-reply rule, and name the reply it is about', () => {
    const k = known({ owners: new Map([['sent@acme.example', { ticketId: 't1', actionId: 'a1', outgoing: true }]]) });
    const decision = decide(mail({ classification: { kind: 'BOUNCE', reason: 'dsn' }, deliveryReport: { originalMessageId: 'sent@acme.example', reason: '550 user unknown', recipients: [] } }), input(k));
    expect(decision).toEqual({ kind: 'BOUNCE', detail: { code: 'refusal.bounce', detail: '550 user unknown' }, diagnostic: '550 user unknown', original: { ticketId: 't1', actionId: 'a1', outgoing: true } });
  });

  it('refuse auto-replies before threading: an out-of-office never lands on the ticket it answers', () => {
    const k = known({ owners: new Map([['sent@acme.example', { ticketId: 't1', actionId: 'a1', outgoing: true }]]), tickets: new Map([['t1', ticket('t1')]]) });
    expect(decide(mail({ inReplyTo: 'sent@acme.example', classification: { kind: 'AUTO_REPLY', reason: 'Auto-Submitted: auto-replied' } }), input(k))).toEqual({
      kind: 'REFUSE',
      reason: 'AUTO_REPLY',
      detail: { code: 'refusal.autoReply', detail: 'Auto-Submitted: auto-replied' },
    });
  });

  it('recognise the same mail delivered to a second address before counting it against the flood limit', () => {
    let counted = 0;
    const k = known({ owners: new Map([['m1@cliente.example', { ticketId: 't1', actionId: 'a1', outgoing: false }]]) });
    const decision = decide(mail(), input(k, { senderOverLimit: () => (counted++, true) }));
    expect(decision).toEqual({ kind: 'SAME_MESSAGE_ELSEWHERE', ticketId: 't1' });
    expect(counted).toBe(0);
  });

  it('hold or refuse a forged sender as the account says, flag it by default, and let a released one through', () => {
    const forged = mail({ senderAuth: { verdict: 'FORGED', results: { source: 'CORREIO', authservId: null, spf: null, dkim: [], dmarc: { result: 'fail', domain: 'banco.example', detail: null, policy: 'reject' }, arc: null, fromDomain: 'banco.example', reasonCode: 'DMARC_FAIL_POLICY', reason: 'banco.example did not send this.' } } });
    expect(decide(forged, input())).toMatchObject({ kind: 'OPEN' });
    const hold = { ...input(), account: { ...account, dmarcFailPolicy: 'HOLD' as const } };
    expect(decide(forged, hold)).toEqual({ kind: 'REFUSE', reason: 'DMARC_FAILED', detail: { code: 'refusal.dmarc.held.reject', params: { domain: 'banco.example' } }, held: true });
    expect(decide({ ...forged, released: true }, hold)).toMatchObject({ kind: 'OPEN' });
    expect(decide(forged, { ...input(), account: { ...account, dmarcFailPolicy: 'REFUSE' as const } })).toMatchObject({ reason: 'DMARC_FAILED', held: false, detail: { code: 'refusal.dmarc.refused.reject' } });
  });

  it('apply the flood limit to live mail only, before threading', () => {
    const flooding = input(known(), { senderOverLimit: () => true });
    expect(decide(mail(), flooding)).toMatchObject({ kind: 'REFUSE', reason: 'RATE_LIMITED' });
    expect(decide({ ...mail(), historical: true }, flooding)).toMatchObject({ kind: 'OPEN' });
  });

  it('thread an answer to its ticket and reopen it, even when the new-ticket policy would refuse the sender', () => {
    const k = known({ owners: new Map([['sent@acme.example', { ticketId: 't1', actionId: 'a1', outgoing: true }]]), tickets: new Map([['t1', ticket('t1')]]) });
    const never = { ...input(k), account: { ...account, newTicketPolicy: 'NEVER' as const } };
    expect(decide(mail({ inReplyTo: 'sent@acme.example', cc: [{ address: 'bob@cliente.example', name: null }] }), never)).toMatchObject({
      kind: 'APPEND',
      via: 'HEADERS',
      status: 'OPEN',
      ccs: ['bob@cliente.example'],
    });
    expect(decide(mail({ messageId: 'm2@cliente.example' }), never)).toMatchObject({ kind: 'REFUSE', reason: 'NEW_TICKET_POLICY' });
  });
});
