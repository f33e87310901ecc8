import type { PreparedEmail } from '../prepare.ts';

/** Inbound mail copies at most this many people onto a ticket; an agent may add more by hand. */
export const INBOUND_CC_LIMIT = 20;

/**
 * Everyone on the conversation except the customer and our own support addresses. A stranger's
 * mail with 500 addresses in Cc must not make every later reply go to all of them: inbound mail
 * grows a ticket's CCs only up to INBOUND_CC_LIMIT (the action itself still lists everyone).
 */
export function participants(p: PreparedEmail, customer: string, own: Set<string>, existing: string[]): string[] {
  const all = new Set(existing.map((a) => a.toLowerCase()));
  const skip = (a: string) => a === customer.toLowerCase() || own.has(a);
  for (const a of [p.from, ...p.to, ...p.cc]) {
    if (all.size >= INBOUND_CC_LIMIT) break;
    if (!skip(a.address)) all.add(a.address);
  }
  return [...all].filter((a) => !skip(a));
}
