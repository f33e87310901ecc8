import { randomBytes } from 'node:crypto';

/**
 * Outlook's threading ([MS-OXOMSG] PidTagConversationIndex, sent as Thread-Index): 22 bytes
 * naming the conversation (a reserved byte, 5 bytes of FILETIME, a 16-byte GUID), then 5 bytes
 * per reply. Outlook threads by it even where In-Reply-To is lost (freescout#4922), so Correio
 * reads the conversation from incoming mail and writes it on its replies.
 */
const HEADER_BYTES = 22;
const CHILD_BYTES = 5;
// FILETIME counts 100 ns since 1601-01-01.
const FILETIME_EPOCH_OFFSET = 116_444_736_000_000_000n;

/** The conversation a Thread-Index belongs to (its first 22 bytes, base64), or null for anything else. */
export function conversationOf(threadIndex: string | null | undefined): string | null {
  if (!threadIndex) return null;
  const bytes = Buffer.from(threadIndex.replace(/\s+/g, ''), 'base64');
  if (bytes.length < HEADER_BYTES || (bytes.length - HEADER_BYTES) % CHILD_BYTES !== 0) return null;
  return bytes.subarray(0, HEADER_BYTES).toString('base64');
}

/** A new conversation, for a ticket that has none yet. */
export function newConversation(now = new Date()): string {
  const time = filetime(now);
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = 0x01;
  // The top 40 bits of the 56 significant ones of the FILETIME, as Outlook writes them.
  for (let i = 0; i < 5; i++) header[1 + i] = Number((time >> BigInt(48 - i * 8)) & 0xffn);
  randomBytes(16).copy(header, 6);
  return header.toString('base64');
}

/**
 * The Thread-Index of a reply in a conversation: the conversation, then one 5-byte block with the
 * time since the conversation started (Outlook's own layout: a flag bit, 31 bits of time, 8 bits
 * of random and sequence). Replies need not carry their parent's blocks: Outlook threads by the
 * first 22 bytes.
 */
export function replyThreadIndex(conversation: string, now = new Date()): string {
  const header = Buffer.from(conversation, 'base64').subarray(0, HEADER_BYTES);
  let started = 0n;
  for (let i = 0; i < 5; i++) started |= BigInt(header[1 + i]!) << BigInt(48 - i * 8);
  const delta = filetime(now) - started;
  const ticks = delta > 0n ? delta >> 18n : 0n;
  const child = Buffer.alloc(CHILD_BYTES);
  const value = ticks > 0x7fffffffn ? ((ticks >> 5n) & 0x7fffffffn) | 0x80000000n : ticks;
  child.writeUInt32BE(Number(value), 0);
  child[4] = randomBytes(1)[0]!;
  return Buffer.concat([header, child]).toString('base64');
}

function filetime(date: Date): bigint {
  return BigInt(date.getTime()) * 10_000n + FILETIME_EPOCH_OFFSET;
}
