import { text } from '@correio/texts';
import type { Rule } from './types.ts';

/** A bounce opens nothing; when it is about a reply Correio sent, that reply is marked FAILED with the reason (W5). */
export const bounce: Rule = (msg, { known }) => {
  const p = msg.prepared;
  if (p.classification.kind !== 'BOUNCE') return null;
  const original = p.deliveryReport?.originalMessageId ? (known.owners.get(p.deliveryReport.originalMessageId) ?? null) : null;
  const diagnostic = p.deliveryReport?.reason || null;
  return { kind: 'BOUNCE', detail: diagnostic ? text('refusal.bounce', undefined, diagnostic) : text('refusal.bounce.noDetails'), diagnostic, original };
};
