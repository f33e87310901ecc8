import { text } from '@correio/texts';
import type { Rule } from './types.ts';

/** A copy of what Correio itself sent (its Message-ID, or one of our addresses as sender) is never customer mail (W5). */
export const ownMessage: Rule = (msg, { known }) => {
  const p = msg.prepared;
  const owner = p.messageId ? known.owners.get(p.messageId) : undefined;
  if (owner?.outgoing || known.own.has(p.from.address))
    return { kind: 'REFUSE', reason: 'OWN_MESSAGE', detail: text('refusal.ownMessage') };
  return null;
};
