import type { Rule } from './types.ts';

/** Out-of-office, bulk and list mail never opens tickets or triggers replies (W5). */
export const autoReply: Rule = (msg) => {
  const c = msg.prepared.classification;
  if (c.kind === 'NORMAL') return null;
  return { kind: 'REFUSE', reason: 'AUTO_REPLY', detail: c.reason ?? 'Automatic message; it never opens tickets or triggers replies.' };
};
