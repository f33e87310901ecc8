import type { Readable } from 'node:stream';
import type { BlobStore } from '@correio/core';
import { renderText, text as serverText, type ServerText } from '@correio/texts';
import { compile } from 'html-to-text';
import type { HeaderValue, MessageText } from 'mailparser';
import { addresses, senderOf, type HeaderLine, type ParsedAddress } from './addresses.ts';
import { storeAttachment, type StoredAttachment, type StoredPart } from './attachments/store-attachment.ts';
import { TolerantMailParser } from './tolerant-parser.ts';
import { clip, cleanLine, cleanText, MAX_NAME_CHARS } from './clean-text.ts';
import { createHash } from 'node:crypto';

export type { ParsedAddress } from './addresses.ts';
export type { StoredAttachment } from './attachments/store-attachment.ts';

/** Small report parts of a bounce (delivery-status, returned headers), kept in memory for DSN handling. */
export interface ReportPart {
  contentType: string;
  content: Buffer;
}

export interface ParsedEmail {
  headers: Map<string, HeaderValue>;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  /** From, or the first usable of Reply-To, Sender and Return-Path; null when none is (a mailer daemon's report may say nobody). */
  from: ParsedAddress | null;
  replyTo: ParsedAddress | null;
  to: ParsedAddress[];
  cc: ParsedAddress[];
  date: Date | null;
  contentType: string;
  text: string;
  html: string | null;
  attachments: StoredAttachment[];
  reportParts: ReportPart[];
  /** S/MIME-signed (multipart/signed with a PKCS#7 signature); the signature itself is not checked. */
  smimeSigned: boolean;
  /** Outlook's conversation headers, for threading (Thread-Index is base64). */
  threadIndex: string | null;
  threadTopic: string | null;
}

/** Why a message cannot be imported, as a text code (the failed-imports list words it); the message stays English for logs. */
export class ParseError extends Error {
  readonly code = 'PARSE_FAILED';

  constructor(
    readonly text: ServerText,
    options?: { cause?: unknown },
  ) {
    super(renderText(text, 'en'), options);
    this.name = 'ParseError';
  }
}

// Headings and table headers as written: html-to-text's default upper-cases them, which reads as shouting in a ticket.
const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', options: { uppercaseHeaderCells: false } },
  ],
});

/**
 * The text of an HTML-only body. html-to-text walks the element tree recursively, and a body
 * nested a few thousand elements deep (broken generators that never close a <table>, or a
 * deliberate bomb) overflows the stack: the message failed to import. Then the tags are cut out
 * in one linear pass and html-to-text only decodes the flat text that is left — one paragraph,
 * but the message becomes a ticket, and its HTML is still shown sanitized.
 */
function textOfHtml(html: string): string {
  try {
    return htmlToText(html);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return htmlToText(withoutTags(html).replace(/</g, '&lt;'));
  }
}

/** The text between an HTML document's tags, style and script contents left out, in one pass (no regex backtracking). */
function withoutTags(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open < 0) {
      out += html.slice(at);
      break;
    }
    out += `${html.slice(at, open)} `;
    const close = html.indexOf('>', open);
    if (close < 0) break;
    const name = /^<(style|script)\b/.exec(lower.slice(open, open + 8))?.[1];
    if (name) {
      const end = lower.indexOf(`</${name}`, close);
      at = end < 0 ? html.length : html.indexOf('>', end) + 1 || html.length;
    } else {
      at = close + 1;
    }
  }
  return out;
}

const REPORT_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/rfc822-headers', 'message/global-headers', 'message/feedback-report']);
// A bounce is small; its first bytes are kept so the returned message's headers can be read
// (mailparser walks an embedded message/rfc822 as part of the body instead of handing it over).
const REPORT_PREFIX_BYTES = 512 * 1024;
const MAX_REPORT_PART = 256 * 1024;
// Beyond this a body is kept truncated: nobody reads 5 MB of text in a ticket, and the raw message stays stored.
const MAX_BODY_CHARS = 5 * 1024 * 1024;

/**
 * Parses a raw message with mailparser as a stream: attachments are piped into the blob store as
 * they are decoded, so a 30 MB attachment never sits whole in memory.
 */
export function parseEmail(source: Readable | Buffer, blobs: BlobStore): Promise<ParsedEmail> {
  return new Promise((resolve, reject) => {
    // Text from HTML is derived once below with a precompiled converter: mailparser would
    // compile html-to-text's options again for every message, which costs more than the conversion.
    const parser: TolerantMailParser = new TolerantMailParser({ skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true, keepDeliveryStatus: true });
    const stored: Array<StoredPart | null> = [];
    // Slots of parts that came from a multipart/alternative (an invitation's text/calendar).
    const alternativeSlots = new Set<number>();
    const reportParts: ReportPart[] = [];
    let smimeSigned = false;
    const pending: Array<Promise<unknown>> = [];
    let headers = new Map<string, HeaderValue>();
    let text: MessageText | undefined;
    let failed = false;
    const prefix: Buffer[] = [];
    let prefixBytes = 0;

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(err instanceof ParseError ? err : new ParseError(serverText('import.parseFailed', undefined, err instanceof Error ? err.message : String(err)), { cause: err }));
    };

    let headerLines: HeaderLine[] = [];
    parser.on('headers', (h: Map<string, HeaderValue>) => {
      headers = h;
    });
    parser.on('headerLines', (lines: HeaderLine[]) => {
      headerLines = lines;
    });
    parser.on('data', (data: { type: string } & Record<string, any>) => {
      if (data.type === 'text') {
        text = data as unknown as MessageText;
        return;
      }
      if (data.type !== 'attachment') return;
      const contentType = mimeTypeOf(data['contentType']);
      const content = data['content'] as Readable;
      const skip = () => {
        content.resume();
        content.on('end', () => data['release']?.());
      };
      const alternative = parser.alternatives.has(data['headers'] as object);
      // Another rendition of the body (Apple's text/watch-html, text/enriched): mailparser already
      // chose the plain and HTML ones; the rest are not files the sender attached.
      if (alternative && contentType.startsWith('text/') && contentType !== 'text/calendar') return skip();
      // What a report returns (the bounced message) is read from the raw prefix, never stored.
      if (contentType === 'message/rfc822' && headerValue(headers.get('content-type'))?.toLowerCase() === 'multipart/report') return skip();
      if (REPORT_TYPES.has(contentType)) {
        pending.push(
          collect(content, MAX_REPORT_PART).then((buf) => {
            reportParts.push({ contentType, content: buf });
            data['release']?.();
          }),
        );
        return;
      }
      if (multipartSigned(headers) && /^application\/(x-)?pkcs7-signature$/.test(contentType)) {
        // The signature of an S/MIME-signed message: the message is marked signed, the .p7s is not listed.
        smimeSigned = true;
        return skip();
      }
      // A slot per part, so attachments keep the order of the message whatever finishes first.
      const slot = stored.push(null) - 1;
      if (alternative) alternativeSlots.add(slot);
      pending.push(
        storeAttachment(
          {
            contentType,
            filename: typeof data['filename'] === 'string' ? data['filename'] : null,
            contentId: typeof data['cid'] === 'string' ? cleanLine(data['cid']) || null : null,
            inline: Boolean(data['related']) || (data['contentDisposition'] === 'inline' && Boolean(data['cid'])),
            content,
          },
          blobs,
        ).then((part) => {
          stored[slot] = part;
          data['release']?.();
        }),
      );
    });
    parser.on('error', fail);
    parser.on('end', () => {
      Promise.all(pending)
        .then(() => {
          if (failed) return;
          const parts = withoutDuplicateAlternatives(stored, alternativeSlots);
          // Outlook's winmail.dat may hold the only body there is.
          const packed = parts.find((p) => p.body)?.body;
          const body = text?.text?.trim() || text?.html || !packed ? text : ({ text: packed.text ?? undefined, html: packed.html ?? false } as MessageText);
          const parsed = buildParsed(headers, headerLines, body, parts.flatMap((p) => p.attachments), reportParts);
          parsed.smimeSigned = smimeSigned;
          if (parsed.contentType.startsWith('multipart/report')) {
            const returned = returnedHeaders(Buffer.concat(prefix));
            if (returned) parsed.reportParts.push({ contentType: 'text/rfc822-headers', content: returned });
          }
          resolve(parsed);
        })
        .catch(fail);
    });

    if (Buffer.isBuffer(source)) {
      const bytes = withoutByteOrderMark(source);
      prefix.push(bytes.subarray(0, REPORT_PREFIX_BYTES));
      parser.end(bytes);
    } else {
      // The first three bytes are held until they can be told apart from a byte-order mark.
      let head: Buffer | null = Buffer.alloc(0);
      const feed = (chunk: Buffer) => {
        if (prefixBytes < REPORT_PREFIX_BYTES) {
          prefix.push(chunk);
          prefixBytes += chunk.length;
        }
        if (!parser.write(chunk)) source.pause();
      };
      source.on('data', (data: Buffer) => {
        if (head === null) return feed(data);
        head = Buffer.concat([head, data]);
        if (head.length < 3) return;
        const start = withoutByteOrderMark(head);
        head = null;
        feed(start);
      });
      parser.on('drain', () => source.resume());
      source.on('error', fail);
      source.on('end', () => {
        if (head?.length) feed(head);
        parser.end();
      });
    }
  });
}

function buildParsed(headers: Map<string, HeaderValue>, headerLines: HeaderLine[], text: MessageText | undefined, attachments: StoredAttachment[], reportParts: ReportPart[]): ParsedEmail {
  if (headers.size === 0) throw new ParseError(serverText('import.noHeaders'));
  const sender = senderOf(headers, headerLines);
  const from = sender ? { address: sender.address.address, name: sender.address.name ? clip(cleanLine(sender.address.name), MAX_NAME_CHARS) || null : null } : null;
  const contentType = headerValue(headers.get('content-type')) ?? 'text/plain';
  const html = typeof text?.html === 'string' && text.html ? cleanText(text.html.slice(0, MAX_BODY_CHARS)) : null;
  return {
    headers,
    messageId: cleanId(headerValue(headers.get('message-id'))),
    inReplyTo: cleanId(firstId(headerValue(headers.get('in-reply-to')))),
    references: parseIdList(headers.get('references')),
    // RFC 5322's line limit; normalizeSubject bounds the indexed form further.
    subject: clip(cleanLine(headerValue(headers.get('subject')) ?? ''), 998),
    from,
    replyTo: addresses(headers.get('reply-to'))[0] ?? null,
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    date: headers.get('date') instanceof Date ? (headers.get('date') as Date) : null,
    contentType: contentType.toLowerCase(),
    text: cleanText(text?.text?.trim() ? text.text : html ? textOfHtml(html) : '').slice(0, MAX_BODY_CHARS),
    html,
    attachments,
    reportParts,
    smimeSigned: false,
    threadIndex: cleanLine(headerValue(headers.get('thread-index')) ?? '') || null,
    threadTopic: cleanLine(headerValue(headers.get('thread-topic')) ?? '') || null,
  };
}

function multipartSigned(headers: Map<string, HeaderValue>): boolean {
  const type = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  return type?.value?.toLowerCase() === 'multipart/signed' && /pkcs7-signature/i.test(type.params?.['protocol'] ?? '');
}

function headerValue(value: HeaderValue | undefined): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length ? String(value[0]) : null;
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  return String(value);
}

/** Longer Message-IDs (real ones are under 250 characters) are stored by their hash: see cleanId. */
const MAX_ID_CHARS = 500;

/**
 * Message-IDs are compared without angle brackets and case-insensitively on the domain side.
 * One of kilobytes cannot be a key of the message ledger's index: it becomes a stable id derived
 * from it, the same wherever it appears (Message-ID, In-Reply-To, References), so a reply to
 * such a message still threads.
 */
export function cleanId(id: string | null | undefined): string | null {
  if (!id) return null;
  const trimmed = cleanLine(id).replace(/^<+|>+$/g, '').trim();
  if (trimmed.length > MAX_ID_CHARS) return `${createHash('sha256').update(trimmed).digest('hex').slice(0, 40)}@long-id.correio.invalid`;
  return trimmed ? trimmed : null;
}

function firstId(value: string | null): string | null {
  if (!value) return null;
  return /<([^>]+)>/.exec(value)?.[1] ?? value.split(/\s+/)[0] ?? null;
}

function parseIdList(value: HeaderValue | undefined): string[] {
  const raw = Array.isArray(value) ? value.join(' ') : (headerValue(value) ?? '');
  const ids = [...raw.matchAll(/<([^>]+)>/g)].map((m) => m[1]!.trim());
  const list = ids.length ? ids : raw.split(/\s+/).filter(Boolean);
  return [...new Set(list.map((id) => cleanId(id)).filter((id): id is string => !!id))].slice(-100);
}

/** The header block of the message a bounce returns (its message/rfc822 part), read from the raw bytes. */
export function returnedHeaders(raw: Buffer): Buffer | null {
  const text = raw.toString('latin1');
  const part = /content-type:\s*message\/(rfc822|global)[^\r\n]*(\r?\n[ \t][^\r\n]*)*/i.exec(text);
  if (!part) return null;
  // Skip the rest of the part's own MIME headers, then take the embedded message's header block.
  const bodyStart = text.slice(part.index).search(/\r?\n\r?\n/);
  if (bodyStart < 0) return null;
  const from = part.index + bodyStart;
  const rest = text.slice(from).replace(/^(\r?\n)+/, '');
  const end = rest.search(/\r?\n\r?\n/);
  return Buffer.from(end >= 0 ? rest.slice(0, end) : rest.slice(0, 64 * 1024), 'latin1');
}

/** A UTF-8 byte-order mark before the first header (Windows tools that saved the .eml) hides every header from the parser. */
function withoutByteOrderMark(chunk: Buffer): Buffer {
  return chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? chunk.subarray(3) : chunk;
}

/** A Content-Type value that is no MIME type at all (`application-x-gzip`) is a file of unknown kind. */
function mimeTypeOf(value: unknown): string {
  const type = String(value ?? '').trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : 'application/octet-stream';
}

/**
 * Stored parts in message order, without an alternative that repeats an attachment byte for
 * byte: Outlook and Gmail send an invitation both as the text/calendar alternative of the body
 * and as an invite.ics file; it is one invitation. The duplicate blob itself is shared already.
 */
function withoutDuplicateAlternatives(stored: Array<StoredPart | null>, alternativeSlots: Set<number>): StoredPart[] {
  const attachedHashes = new Set(stored.flatMap((p, i) => (p && !alternativeSlots.has(i) ? p.attachments.map((a) => a.sha256) : [])));
  return stored.flatMap((p, i) => {
    if (!p) return [];
    if (!alternativeSlots.has(i)) return [p];
    return [{ ...p, attachments: p.attachments.filter((a) => !attachedHashes.has(a.sha256)) }];
  });
}

async function collect(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size < limit) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
