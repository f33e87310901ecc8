import { newTicketRefusal } from '../match-ticket.ts';
import type { Rule } from './types.ts';

/** A4: whether this sender may open a ticket at all (any sender, clients, clients or their domains, never). */
export const newTicketPolicy: Rule = (msg, { account, known }) => {
  const sender = msg.prepared.from.address;
  const refusal = newTicketRefusal(account.newTicketPolicy, { isClient: known.clients.has(sender), domainHasRule: known.rules.has(sender.split('@')[1] ?? '') });
  return refusal ? { kind: 'REFUSE', reason: 'NEW_TICKET_POLICY', detail: refusal } : null;
};
