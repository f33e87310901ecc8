/**
 * What an outbox row carries. The message is composed once, when the agent presses "send", and
 * its bytes kept in the blob store: every attempt (and the Sent-folder copy) sends exactly what
 * was queued — same Message-ID, same Date, same footer, even if the account's logo changes or the
 * engine that retries is another process. Message-IDs are stored without `<>`, like every stored id.
 */
export interface OutboxPayload {
  v: 1;
  ticketId: string;
  messageId: string;
  /** How many messages the action was split into (A5 per-recipient mode: one per recipient). */
  messages: number;
  /** SMTP envelope: MAIL FROM and RCPT TO. */
  envelope: { from: string; to: string[] };
  /** The composed RFC 5322 message in the blob store. */
  rawBlobKey: string;
  size: number;
  /**
   * The same bytes, base64, for messages up to INLINE_RAW_MAX_BYTES: they arrive with the claim
   * itself, sparing a file read per message (most replies are a few kilobytes).
   */
  raw?: string;
}

export const INLINE_RAW_MAX_BYTES = 64 * 1024;

/** A file of the reply, as stored (uploaded by the agent). */
export interface OutboxAttachment {
  attachmentId: string;
  filename: string;
  contentType: string;
  blobKey: string;
  size: number;
}

export function isOutboxPayload(value: unknown): value is OutboxPayload {
  const p = value as Partial<OutboxPayload> | null;
  return !!p && p.v === 1 && typeof p.messageId === 'string' && typeof p.rawBlobKey === 'string' && Array.isArray(p.envelope?.to);
}
