import { matchTicket, statusAfterCustomerReply } from '../match-ticket.ts';
import { participants } from './participants.ts';
import type { Rule } from './types.ts';

// Threading looks at In-Reply-To and the nearest References; older ancestors add nothing but parameters.
export const REFERENCES_CONSIDERED = 20;

/** W3: an answer lands on its ticket — by headers, then the [#n] tag, then the same-subject policy. */
export const replyToTicket: Rule = (msg, { account, known }) => {
  const p = msg.prepared;
  const refs = [p.inReplyTo, ...p.references.slice(-REFERENCES_CONSIDERED).reverse()].filter((id): id is string => !!id);
  const headerOwner = refs.map((r) => known.owners.get(r)).find((o) => o);
  const candidate = (id: string | undefined) => (id ? (known.tickets.get(id) ?? null) : null);
  const match = matchTicket({
    sender: p.from.address,
    byHeaders: candidate(headerOwner?.ticketId),
    byConversation: p.outlookConversation ? candidate(known.byConversation.get(p.outlookConversation)) : null,
    byTag: p.tagNumber !== null ? candidate(known.byNumber.get(p.tagNumber)) : null,
    bySubject: p.normalizedSubject ? candidate(known.bySubject.get(p.normalizedSubject)) : null,
    appendReplies: account.appendReplies,
    sameSubjectPolicy: account.sameSubjectPolicy,
  });
  if (!match) return null;
  const { ticket, via } = match;
  // An answer to a forward (issue 16) comes from the outside party an agent asked: it belongs on
  // the ticket for agents, but it neither joins the customer's conversation nor reopens it.
  if (via === 'HEADERS' && headerOwner?.forwarded) return { kind: 'APPEND', ticket, via, status: ticket.status, ccs: ticket.ccs, internal: true };
  return { kind: 'APPEND', ticket, via, status: statusAfterCustomerReply(ticket.status), ccs: participants(p, ticket.customerEmail, known.own, ticket.ccs) };
};
