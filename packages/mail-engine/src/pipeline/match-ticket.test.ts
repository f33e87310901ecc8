import { describe, expect, it } from 'vitest';
import { matchTicket, newTicketRefusal, statusAfterCustomerReply, type MatchInput, type TicketCandidate } from './match-ticket.ts';

const t = (id: string, extra: Partial<TicketCandidate> = {}): TicketCandidate => ({ id, status: 'OPEN', customerEmail: 'ana@cliente.com', ccs: ['bob@cliente.com'], ...extra });
const base: MatchInput = { sender: 'ana@cliente.com', byHeaders: null, byTag: null, bySubject: null, appendReplies: true, sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC' };

describe('matchTicket', () => {
  it('prefers headers, then the subject tag, then the subject', () => {
    expect(matchTicket({ ...base, byHeaders: t('h'), byTag: t('t'), bySubject: t('s') })).toEqual({ ticket: t('h'), via: 'HEADERS' });
    expect(matchTicket({ ...base, byTag: t('t'), bySubject: t('s') })).toEqual({ ticket: t('t'), via: 'TAG' });
    expect(matchTicket({ ...base, bySubject: t('s') })).toEqual({ ticket: t('s'), via: 'SUBJECT' });
  });

  it('ignores headers and tag when appending replies is off', () => {
    expect(matchTicket({ ...base, appendReplies: false, byHeaders: t('h'), byTag: t('t') })).toBeNull();
    expect(matchTicket({ ...base, appendReplies: false, byHeaders: t('h'), bySubject: t('s') })?.via).toBe('SUBJECT');
  });

  it('applies each same-subject policy', () => {
    const stranger = { ...base, sender: 'eve@elsewhere.com', bySubject: t('s') };
    expect(matchTicket({ ...stranger, sameSubjectPolicy: 'ASSOCIATE_ANY_SENDER' })?.ticket.id).toBe('s');
    expect(matchTicket({ ...stranger, sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC' })).toBeNull();
    expect(matchTicket({ ...stranger, sender: 'BOB@cliente.com', sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC' })?.ticket.id).toBe('s');
    expect(matchTicket({ ...base, bySubject: t('s'), sameSubjectPolicy: 'NEW_TICKET' })).toBeNull();
  });

  it('never appends to a closed ticket', () => {
    expect(matchTicket({ ...base, byHeaders: t('h', { status: 'CLOSED' }), bySubject: t('s') })?.ticket.id).toBe('s');
  });
});

describe('newTicketRefusal', () => {
  it('implements the four policies', () => {
    const stranger = { isClient: false, domainHasRule: false };
    expect(newTicketRefusal('ANY_SENDER', stranger)).toBeNull();
    expect(newTicketRefusal('REGISTERED_CLIENTS', stranger)).toEqual({ code: 'refusal.newTicket.registeredClients' });
    expect(newTicketRefusal('REGISTERED_CLIENTS', { ...stranger, isClient: true })).toBeNull();
    expect(newTicketRefusal('CLIENTS_OR_DOMAIN_RULES', { ...stranger, domainHasRule: true })).toBeNull();
    expect(newTicketRefusal('CLIENTS_OR_DOMAIN_RULES', stranger)).toEqual({ code: 'refusal.newTicket.clientsOrDomainRules' });
    expect(newTicketRefusal('NEVER', { isClient: true, domainHasRule: true })).toEqual({ code: 'refusal.newTicket.never' });
  });
});

describe('statusAfterCustomerReply', () => {
  it('reopens resolved and pending tickets only', () => {
    expect(['NEW', 'OPEN', 'PENDING', 'RESOLVED'].map((s) => statusAfterCustomerReply(s as TicketCandidate['status']))).toEqual(['NEW', 'OPEN', 'OPEN', 'OPEN']);
  });
});
