import type { Rule } from './types.ts';

/** The same mail delivered to two support addresses of a workspace is one action, on the ticket it already made. */
export const sameMessage: Rule = (msg, { known }) => {
  const id = msg.prepared.messageId;
  const owner = id ? known.owners.get(id) : undefined;
  return owner ? { kind: 'SAME_MESSAGE_ELSEWHERE', ticketId: owner.ticketId } : null;
};
