import type { AccountRow, schema } from '@correio/core';
import type { ServerText } from '@correio/texts';
import type { TicketCandidate } from '../match-ticket.ts';
import type { PreparedEmail } from '../prepare.ts';

export type RefusalReason = (typeof schema.refusalReasonEnum.enumValues)[number];

export interface InboundMessage {
  /** Idempotency key within the account: `imap:<folder>:<uidvalidity>:<uid>`, `pop3:<uidl>`, `smtp:<id>`. */
  sourceKey: string;
  prepared: PreparedEmail;
  receivedAt: Date | null;
  /** Imported from before the account was connected: never notifies anyone. */
  historical: boolean;
  /** Held for a failed DMARC check and released by an admin. */
  released?: boolean;
}

/** Who owns a Message-ID already: a ticket, the action it came with, and whether Correio sent it. */
export interface MessageOwner {
  ticketId: string;
  actionId: string | null;
  outgoing: boolean;
  /** The Message-ID of a forward to an outside party (issue 16). */
  forwarded?: boolean;
}

/**
 * What the database knew before the batch (prefetch.ts), plus what the batch decided so far:
 * every rule reads it, only the write plan changes it, so a reply later in a batch finds the
 * ticket its original opened.
 */
export interface Known {
  /** The workspace's own addresses, lower-cased. */
  own: Set<string>;
  owners: Map<string, MessageOwner>;
  tickets: Map<string, TicketCandidate>;
  byNumber: Map<number, string>;
  bySubject: Map<string, string>;
  /** Outlook conversation (Thread-Index) → ticket id. */
  byConversation: Map<string, string>;
  /** Client address → id (a placeholder id for clients this batch creates). */
  clients: Map<string, string>;
  /** Domain → organization of the association rules. */
  rules: Map<string, string>;
}

/** The account settings the rules obey. */
export type DecidingAccount = Pick<AccountRow, 'workspaceId' | 'appendReplies' | 'sameSubjectPolicy' | 'newTicketPolicy' | 'dmarcFailPolicy'>;

export interface DecisionInput {
  account: DecidingAccount;
  known: Known;
  /** Per-sender flood protection for live mail (W5): true when the sender is over the limit. */
  senderOverLimit(workspaceId: string, sender: string): boolean;
}

/** What to do with one message; the write plan carries it out. */
export type Decision =
  | { kind: 'REFUSE'; reason: RefusalReason; detail: ServerText; held?: boolean }
  /**
   * A delivery report: kept as refused mail, and marks the reply it is about FAILED when Correio
   * sent it. `diagnostic`: the remote server's words, when the report gives any.
   */
  | { kind: 'BOUNCE'; detail: ServerText; diagnostic: string | null; original: MessageOwner | null }
  /** The same mail already made an action (it reached two of the workspace's addresses). */
  | { kind: 'SAME_MESSAGE_ELSEWHERE'; ticketId: string }
  | { kind: 'APPEND'; ticket: TicketCandidate; via: 'HEADERS' | 'THREAD_INDEX' | 'TAG' | 'SUBJECT'; status: TicketCandidate['status']; ccs: string[]; internal?: boolean }
  | { kind: 'OPEN'; customer: string; newClient: { name: string | null; organization: string | null } | null; ccs: string[] };

/** One step of the inbound decision: a decision, or null to let the next rule look. */
export type Rule = (msg: InboundMessage, input: DecisionInput) => Decision | null;
