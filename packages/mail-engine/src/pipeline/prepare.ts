import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobStore } from '@correio/core';
import { text } from '@correio/texts';
import { classifyMessage, type Classification } from './message-kind.ts';
import { parseDeliveryReport, type DeliveryReport } from './dsn.ts';
import { extractTicketNumber, normalizeSubject } from './normalize-subject.ts';
import { ParseError, parseEmail, type ParsedAddress, type StoredAttachment } from './parse.ts';

/** Who a sender-less bounce or report is listed as coming from. */
const REPORT_SENDER: ParsedAddress = { address: 'mailer-daemon', name: 'Mail Delivery System' };
import { extractReplyText } from './reply-text.ts';
import { sanitizeEmailHtml } from './sanitize-html.ts';
import { MAX_HTML_DEPTH, nestsDeeperThan } from './html-depth.ts';
import { conversationOf } from '../smtp/thread-index.ts';
import type { TxtResolver } from './sender-auth/dns-cache.ts';
import { HEAD_BYTES, verifySender, type ArrivalFacts, type SenderVerification, type VerifiableMessage } from './sender-auth/verify-sender.ts';

/**
 * Everything about a message that needs no database: parsed, classified, its new content
 * extracted and its HTML sanitized. This is the CPU-heavy half of an import, so it can run in a
 * worker thread; the result is plain data (structured-clone safe).
 */
export interface PreparedEmail {
  rawBlobKey: string;
  rawSize: number;
  /** sha256 of the raw bytes: the ledger's identity for a message without a Message-ID. */
  rawSha256: string | null;
  /** The message's own Message-ID, or a synthetic one derived from its bytes. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  normalizedSubject: string;
  tagNumber: number | null;
  from: ParsedAddress;
  to: ParsedAddress[];
  cc: ParsedAddress[];
  classification: Classification;
  /** For bounces only. */
  deliveryReport: DeliveryReport | null;
  /** New content (quoted history folded away), and the whole text. */
  text: string;
  fullText: string;
  /** Sanitized; inline images point at `correio-attachment:<id>` placeholders. */
  html: string | null;
  attachments: Array<StoredAttachment & { id: string; shownInline: boolean }>;
  smimeSigned: boolean;
  threadIndex: string | null;
  /** Outlook's conversation (from Thread-Index), for threading. */
  outlookConversation: string | null;
  /** W9: SPF/DKIM/DMARC/ARC and the verdict; null when not checked (automatic mail) or the check itself failed. */
  senderAuth: SenderVerification | null;
}

/** A verification that cannot run (a broken signature header, a DNS outage) never stops an import. */
/** The first `limit` bytes of a stream, which is then closed. */
async function readHead(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/** Verification never holds an import up for long: past this, the message is "not checked". */
const VERIFY_BUDGET_MS = 10_000;

async function verifyQuietly(source: PrepareSource, blobs: BlobStore, resolver: TxtResolver): Promise<SenderVerification | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const message: VerifiableMessage = source.raw ?? { open: () => blobs.read(source.blobKey), head: await readHead(blobs.read(source.blobKey), HEAD_BYTES) };
    const budget = new Promise<null>((resolve) => (timer = setTimeout(resolve, VERIFY_BUDGET_MS, null)));
    return await Promise.race([verifySender(message, source.arrival ?? {}, resolver), budget]);
  } catch {
    // A DNS failure or a signature mailauth cannot read: the message is imported, unverified.
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** A message already kept in the blob store; `raw` is its bytes when they are still in memory. */
export interface PrepareSource {
  blobKey: string;
  size: number;
  sha256: string | null;
  raw?: Buffer;
  /** How it arrived, for sender verification (W9). */
  arrival?: ArrivalFacts;
}

/** `resolver` null: sender verification is switched off (CORREIO_SENDER_VERIFICATION=off). */
export async function prepareEmail(source: PrepareSource, blobs: BlobStore, resolver: TxtResolver | null): Promise<PreparedEmail> {
  const { blobKey: rawBlobKey, size: rawSize } = source;
  const parseFrom: Buffer | Readable = source.raw ?? blobs.read(rawBlobKey);
  {
    const parsed = await parseEmail(parseFrom, blobs);
    // The raw hash identifies a message only when it has no Message-ID: computed only then.
    const rawSha256 = parsed.messageId ? null : (source.sha256 ?? createHash('sha256').update(source.raw ?? (await blobs.readBuffer(rawBlobKey))).digest('hex'));
    // Without a Message-ID, one derived from the bytes: the same message fetched again is the same
    // message, and nothing downstream has to handle "no id" (W8).
    const messageId = parsed.messageId ?? `${rawSha256!.slice(0, 40)}@synthetic.correio.invalid`;
    const attachments = parsed.attachments.map((a) => ({ ...a, id: randomUUID(), shownInline: false }));
    const cidMap = new Map<string, string>();
    for (const a of attachments) if (a.contentId) cidMap.set(a.contentId, a.id);
    // HTML nested past MAX_HTML_DEPTH is never sanitized (its cost is quadratic in depth): the text is shown.
    const html = parsed.html && !nestsDeeperThan(parsed.html, MAX_HTML_DEPTH) ? sanitizeEmailHtml(parsed.html, { cidMap }).html : null;
    // Only an image the HTML really shows counts as inline; the rest is listed for download.
    for (const a of attachments) a.shownInline = a.inline && !!html && html.includes(a.id);
    const classification = classifyMessage(parsed.headers, parsed.from, parsed.contentType);
    // Without anyone to answer there is no customer: the message is kept for a human to look at.
    // A mailer daemon's report needs nobody: it is recognized as what it is and refused.
    if (!parsed.from && classification.kind === 'NORMAL') throw new ParseError(text('import.noSender'));
    const from = parsed.from ?? REPORT_SENDER;
    // Only mail that can make an action is verified: bounces and auto-replies never reach a ticket.
    const senderAuth = resolver && classification.kind === 'NORMAL' ? await verifyQuietly(source, blobs, resolver) : null;
    return {
      rawBlobKey,
      rawSize,
      rawSha256,
      messageId,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references,
      subject: parsed.subject,
      normalizedSubject: normalizeSubject(parsed.subject),
      tagNumber: extractTicketNumber(parsed.subject),
      from,
      to: parsed.to,
      cc: parsed.cc,
      classification,
      deliveryReport: classification.kind === 'BOUNCE' ? parseDeliveryReport(parsed) : null,
      text: extractReplyText(parsed.text).visible,
      fullText: parsed.text,
      html,
      attachments,
      smimeSigned: parsed.smimeSigned,
      threadIndex: parsed.threadIndex,
      outlookConversation: conversationOf(parsed.threadIndex),
      senderAuth,
    };
  }
}
