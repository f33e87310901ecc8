import { participants } from './participants.ts';
import type { Rule } from './types.ts';

/** W1: what is left opens a ticket for its sender, who becomes a client (with the domain rule's organization). */
export const openTicket: Rule = (msg, { known }) => {
  const p = msg.prepared;
  const sender = p.from.address;
  const newClient = known.clients.has(sender) ? null : { name: p.from.name, organization: known.rules.get(sender.split('@')[1] ?? '') ?? null };
  return { kind: 'OPEN', customer: sender, newClient, ccs: participants(p, sender, known.own, []) };
};
