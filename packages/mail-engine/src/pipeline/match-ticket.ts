import type { AccountRow, schema } from '@correio/core';
import { text, type ServerText } from '@correio/texts';

/**
 * W3 threading, as a pure decision over what the database found: headers first, then the ticket
 * tag in the subject, then the account's same-subject policy.
 */

export interface TicketCandidate {
  id: string;
  status: (typeof schema.ticketStatusEnum.enumValues)[number];
  customerEmail: string;
  ccs: string[];
}

export type SameSubjectPolicy = AccountRow['sameSubjectPolicy'];

export interface MatchInput {
  sender: string;
  /** Ticket owning a Message-ID named in In-Reply-To/References. */
  byHeaders: TicketCandidate | null;
  /** Ticket of the Outlook conversation named by Thread-Index. */
  byConversation?: TicketCandidate | null;
  /** Ticket named by a `[#123]` tag in the subject. */
  byTag: TicketCandidate | null;
  /** Most recent open ticket with the same normalized subject. */
  bySubject: TicketCandidate | null;
  appendReplies: boolean;
  sameSubjectPolicy: SameSubjectPolicy;
}

export type MatchResult = { ticket: TicketCandidate; via: 'HEADERS' | 'THREAD_INDEX' | 'TAG' | 'SUBJECT' } | null;

export function matchTicket(input: MatchInput): MatchResult {
  // A CLOSED ticket is finished for good: an answer to it starts a new conversation.
  const usable = (t: TicketCandidate | null) => (t && t.status !== 'CLOSED' ? t : null);
  if (input.appendReplies) {
    const byHeaders = usable(input.byHeaders);
    if (byHeaders) return { ticket: byHeaders, via: 'HEADERS' };
    // Outlook threads by its conversation even when a client dropped In-Reply-To.
    const byConversation = usable(input.byConversation ?? null);
    if (byConversation) return { ticket: byConversation, via: 'THREAD_INDEX' };
    const byTag = usable(input.byTag);
    if (byTag) return { ticket: byTag, via: 'TAG' };
  }
  const bySubject = usable(input.bySubject);
  if (!bySubject || input.sameSubjectPolicy === 'NEW_TICKET') return null;
  if (input.sameSubjectPolicy === 'ASSOCIATE_ANY_SENDER') return { ticket: bySubject, via: 'SUBJECT' };
  const sender = input.sender.toLowerCase();
  const known = bySubject.customerEmail.toLowerCase() === sender || bySubject.ccs.some((cc) => cc.toLowerCase() === sender);
  return known ? { ticket: bySubject, via: 'SUBJECT' } : null;
}

export type NewTicketPolicy = AccountRow['newTicketPolicy'];

/** A4's new-ticket policy; returns the refusal reason, or null when a ticket may be opened. */
export function newTicketRefusal(policy: NewTicketPolicy, sender: { isClient: boolean; domainHasRule: boolean }): ServerText | null {
  switch (policy) {
    case 'ANY_SENDER':
      return null;
    case 'REGISTERED_CLIENTS':
      return sender.isClient ? null : text('refusal.newTicket.registeredClients');
    case 'CLIENTS_OR_DOMAIN_RULES':
      return sender.isClient || sender.domainHasRule ? null : text('refusal.newTicket.clientsOrDomainRules');
    case 'NEVER':
      return text('refusal.newTicket.never');
  }
}

/** A customer answering reopens what was waiting or solved (W4); NEW stays NEW until an agent acts. */
export function statusAfterCustomerReply(status: TicketCandidate['status']): TicketCandidate['status'] {
  return status === 'RESOLVED' || status === 'PENDING' ? 'OPEN' : status;
}
