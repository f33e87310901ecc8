import { text } from '@correio/texts';
import type { Rule } from './types.ts';

/** Out-of-office, bulk and list mail never opens tickets or triggers replies (W5). */
export const autoReply: Rule = (msg) => {
  const c = msg.prepared.classification;
  if (c.kind === 'NORMAL') return null;
  // What gave it away is a header of the message itself: shown as it is, after the explanation.
  return { kind: 'REFUSE', reason: 'AUTO_REPLY', detail: text(c.kind === 'LIST' ? 'refusal.list' : 'refusal.autoReply', undefined, c.reason) };
};
