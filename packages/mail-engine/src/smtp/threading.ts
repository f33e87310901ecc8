import type { schema } from '@correio/core';
import { randomBytes } from 'node:crypto';

/** One message of a ticket's thread, as stored (Message-IDs without `<>`). */
export interface ThreadMessage {
  kind: (typeof schema.actionKindEnum.enumValues)[number];
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Outgoing mail that never reached anyone is no parent: the customer's client has never seen it. */
  delivery: (typeof schema.deliveryStateEnum.enumValues)[number] | null;
}

export interface ThreadHeaders {
  inReplyTo: string | null;
  references: string[];
}

// RFC 5322 lets References grow without bound; clients and servers choke on very long ones.
// Like most MUAs, keep the root and the most recent ancestors.
const MAX_REFERENCES = 20;

/**
 * In-Reply-To and References for a new message on a ticket, so every mail client threads it:
 * the parent is the newest message of the thread that its participants have (any e-mail with a
 * Message-ID, except our own failed sends); References are the parent's References (or its
 * In-Reply-To when it had none), then the parent itself, with the ticket's first message kept at
 * the front. Input is the thread oldest first.
 */
export function threadHeaders(thread: readonly ThreadMessage[]): ThreadHeaders {
  const candidates = thread.filter((m) => m.messageId && m.kind !== 'NOTE' && !(m.kind === 'EMAIL_OUT' && m.delivery === 'FAILED'));
  const parent = candidates.at(-1);
  if (!parent?.messageId) return { inReplyTo: null, references: [] };
  const root = candidates[0]!.messageId!;
  const ancestry = parent.references.length ? parent.references : parent.inReplyTo ? [parent.inReplyTo] : [];
  const chain = unique([...(ancestry.includes(root) || root === parent.messageId ? [] : [root]), ...ancestry, parent.messageId]);
  const references = chain.length > MAX_REFERENCES ? [chain[0]!, ...chain.slice(chain.length - (MAX_REFERENCES - 1))] : chain;
  return { inReplyTo: parent.messageId, references };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids.filter((id) => id.trim() !== ''))];
}

/**
 * A Message-ID on the account's own domain (`<random>@acme.example`, stored without `<>`):
 * replies, bounces and the importer's own-copy check all find their way back through it.
 */
export function newMessageId(fromAddress: string): string {
  const domain = fromAddress.split('@')[1]?.trim().toLowerCase() || 'correio.localhost';
  return `${Date.now().toString(36)}.${randomBytes(9).toString('base64url')}@${domain}`;
}
