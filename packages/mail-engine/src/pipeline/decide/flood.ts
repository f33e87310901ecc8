import { text } from '@correio/texts';
import type { Rule } from './types.ts';

/** A sender flooding the mailbox is not turned into tickets (W5); old mail imported as history is never counted. */
export const flood: Rule = (msg, { account, senderOverLimit }) => {
  const sender = msg.prepared.from.address;
  if (msg.historical || !senderOverLimit(account.workspaceId, sender)) return null;
  return { kind: 'REFUSE', reason: 'RATE_LIMITED', detail: text('refusal.flood', { sender }) };
};
