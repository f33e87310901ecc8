import { randomUUID } from 'node:crypto';
import { schema, type BlobStore, type Queryable } from '@correio/core';
import { composeMessage, type ComposeAccount } from '../smtp/compose.ts';
import { replyThreadIndex } from '../smtp/thread-index.ts';
import { newMessageId } from '../smtp/threading.ts';
import { INLINE_RAW_MAX_BYTES, type OutboxAttachment, type OutboxPayload } from './payload.ts';

const { ticketActions, ticketMessageIds, outbox } = schema;

export interface OutgoingEmail {
  workspaceId: string;
  ticketId: string;
  account: ComposeAccount & { id: string; address: string; name: string; sendSingleMessageToAllRecipients: boolean };
  /** The agent who wrote it; null for Correio's automatic notifications. */
  author: { id: string; name: string; avatarUrl: string | null } | null;
  /** The ticket's customer. */
  to: string;
  /** Everyone else on the conversation (already without the customer and our own addresses). */
  cc: string[];
  subject: string;
  /** What the agent wrote, as stored on the action and sent (HTML sanitized by the caller). */
  text: string;
  html: string;
  inReplyTo: string | null;
  references: string[];
  /** Outlook's conversation of the ticket (base64), written as Thread-Index with Thread-Topic. */
  outlookConversation?: string | null;
  threadTopic?: string | null;
  attachments: OutboxAttachment[];
  /**
   * Correio's own mail (W5, RFC 3834): `true` is a notification (`Auto-Submitted: auto-generated`),
   * 'auto-replied' an acknowledgement of the customer's message (issue 16). Human replies: false.
   */
  automatic?: boolean | 'auto-replied';
  now?: Date;
}

export interface EnqueueDeps {
  blobs: BlobStore;
  /** Receives the key of every blob written, so a caller whose transaction rolls back can delete them. */
  written?: string[];
}

export interface QueuedEmail {
  actionId: string;
  /** One per message: the first is the customer's (and the action's), then one per other recipient in per-recipient mode. */
  messageIds: string[];
  outboxIds: string[];
}

/**
 * Queues an e-mail inside the caller's transaction: composes each message (its bytes go to the
 * blob store), then writes the EMAIL_OUT action (delivery QUEUED), one outbox row per message and
 * every Message-ID it carries, stored as outgoing — so a reply to any of them threads onto the
 * ticket, and our own copy is never imported as customer mail, even if the engine crashes right
 * after sending. Either all of the rows commit or none does.
 *
 * A5: with "one message to all recipients" one message goes To the customer with everyone else in
 * Cc; with "one message per recipient" each recipient gets a message of their own, with its own
 * Message-ID, addressed to them alone.
 */
export async function enqueueEmail(tx: Queryable, email: OutgoingEmail, deps: EnqueueDeps): Promise<QueuedEmail> {
  const now = email.now ?? new Date();
  const actionId = randomUUID();
  const recipients = [email.to, ...email.cc];
  const single = email.account.sendSingleMessageToAllRecipients || recipients.length === 1;
  const plans = single
    ? [{ messageId: newMessageId(email.account.address), to: [email.to], cc: email.cc, rcpt: recipients }]
    : recipients.map((r) => ({ messageId: newMessageId(email.account.address), to: [r], cc: [] as string[], rcpt: [r] }));

  const messages = [];
  for (const plan of plans) {
    const raw = await composeMessage(
      {
        messageId: plan.messageId,
        date: now,
        from: { address: email.account.address, name: email.account.name },
        to: plan.to,
        cc: plan.cc,
        subject: email.subject,
        inReplyTo: email.inReplyTo,
        references: email.references,
        threadIndex: email.outlookConversation ? replyThreadIndex(email.outlookConversation, now) : null,
        threadTopic: email.outlookConversation ? (email.threadTopic ?? null) : null,
        text: email.text,
        html: email.html,
        attachments: email.attachments,
        author: email.author,
        automatic: email.automatic ?? false,
      },
      email.account,
      deps.blobs,
    );
    const stored = await deps.blobs.put(raw);
    deps.written?.push(stored.key);
    messages.push({ ...plan, rawBlobKey: stored.key, size: stored.size, inline: raw.length <= INLINE_RAW_MAX_BYTES ? raw.toString('base64') : undefined });
  }

  await tx.insert(ticketActions).values({
    id: actionId,
    workspaceId: email.workspaceId,
    ticketId: email.ticketId,
    kind: 'EMAIL_OUT',
    accountId: email.account.id,
    fromAddress: email.account.address,
    fromName: email.account.name,
    to: [email.to],
    cc: email.cc,
    subject: email.subject,
    text: email.text,
    fullText: email.text,
    html: email.html,
    messageId: messages[0]!.messageId,
    inReplyTo: email.inReplyTo,
    references: email.references,
    authorId: email.author?.id ?? null,
    delivery: 'QUEUED',
    // The customer's copy, as sent: "download original" works for outgoing mail as for incoming.
    rawBlobKey: messages[0]!.rawBlobKey,
    createdAt: now,
  });
  await tx.insert(ticketMessageIds).values(messages.map((m) => ({ workspaceId: email.workspaceId, messageId: m.messageId, ticketId: email.ticketId, actionId, outgoing: true })));
  const outboxIds = messages.map(() => randomUUID());
  await tx.insert(outbox).values(
    messages.map((m, i) => {
      const payload: OutboxPayload = {
        v: 1,
        ticketId: email.ticketId,
        messageId: m.messageId,
        messages: messages.length,
        envelope: { from: email.account.address, to: m.rcpt },
        rawBlobKey: m.rawBlobKey,
        size: m.size,
        ...(m.inline ? { raw: m.inline } : {}),
      };
      return { id: outboxIds[i]!, workspaceId: email.workspaceId, accountId: email.account.id, actionId, payload, nextAttemptAt: now };
    }),
  );
  return { actionId, messageIds: messages.map((m) => m.messageId), outboxIds };
}
