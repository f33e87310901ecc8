import { autoReply } from './auto-reply.ts';
import { bounce } from './bounce.ts';
import { flood } from './flood.ts';
import { forgedSender } from './forged-sender.ts';
import { newTicketPolicy } from './new-ticket-policy.ts';
import { openTicket } from './open-ticket.ts';
import { ownMessage } from './own-message.ts';
import { replyToTicket } from './reply-to-ticket.ts';
import { sameMessage } from './same-message.ts';
import type { Decision, DecisionInput, InboundMessage, Rule } from './types.ts';

/**
 * The inbound decision, rule by rule, in this order (as Zammad orders its e-mail filters): the
 * first rule that decides wins. Loop protection comes first, so no later rule ever sees our own
 * mail, a bounce or an auto-reply; a forged sender is stopped (if the account says so) before it
 * counts against the flood limit, which counts only mail that would make an action;
 * threading comes before the new-ticket policy, so a policy never blocks an answer.
 */
export const INBOUND_RULES: ReadonlyArray<readonly [name: string, rule: Rule]> = [
  ['own message', ownMessage],
  ['bounce', bounce],
  ['auto-reply', autoReply],
  ['same message elsewhere', sameMessage],
  ['forged sender', forgedSender],
  ['flood', flood],
  ['reply to a ticket', replyToTicket],
  ['new-ticket policy', newTicketPolicy],
  ['open a ticket', openTicket],
];

/** Pure: what to do with one message, given what is known. */
export function decide(msg: InboundMessage, input: DecisionInput): Decision {
  for (const [, rule] of INBOUND_RULES) {
    const decision = rule(msg, input);
    if (decision) return decision;
  }
  throw new Error('unreachable: the last inbound rule always decides');
}
