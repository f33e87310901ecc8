import { PassThrough, type Readable } from 'node:stream';
import type { BlobStore } from '@correio/core';
// The subpath, not the package: parser workers must not load the database drivers.
import { safeFilename } from '@correio/core/safe-filename';
import { cleanLine } from '../clean-text.ts';
import { summarizeCalendar, type CalendarSummary } from './calendar.ts';
import { summarizeMessage, type EmbeddedMessageSummary } from './embedded-message.ts';
import { bodyFromCompressedRtf } from './rtf-body.ts';
import { isTnef, readTnef, TnefError } from './tnef.ts';

export type AttachmentDetails = EmbeddedMessageSummary | CalendarSummary;

export interface StoredAttachment {
  blobKey: string;
  filename: string;
  contentType: string;
  size: number;
  /** sha256 of the content: the same file in many mails (a signature logo) is stored once. */
  sha256: string;
  /** Content-ID without angle brackets, for cid: references. */
  contentId: string | null;
  /** Shown inside the HTML (an image referenced by cid:) rather than listed. */
  inline: boolean;
  /** What an attached message or an invitation says, for the thread. */
  details: AttachmentDetails | null;
}

/** One attachment part as mailparser hands it over. */
export interface AttachmentPart {
  contentType: string;
  filename: string | null;
  contentId: string | null;
  inline: boolean;
  content: Readable;
}

/** What a part turned into: stored files, and a body found inside (winmail.dat). */
export interface StoredPart {
  attachments: StoredAttachment[];
  body: { html: string | null; text: string | null } | null;
}

// Parts read whole into memory to be understood; anything larger is kept as it is.
const MAX_TNEF_BYTES = 64 * 1024 * 1024;
const MAX_CALENDAR_BYTES = 1024 * 1024;

const EXTENSIONS: Record<string, string> = { 'application/octet-stream': 'bin', 'text/plain': 'txt', 'image/jpeg': 'jpg', 'message/rfc822': 'eml', 'text/calendar': 'ics', 'image/svg+xml': 'svg' };
const TYPES_BY_EXTENSION: Record<string, string> = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', htm: 'text/html', html: 'text/html', txt: 'text/plain', doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip: 'application/zip', eml: 'message/rfc822', ics: 'text/calendar' };

/**
 * Stores one attachment part (W8): every file is kept, whatever their number; winmail.dat is
 * unpacked into the files (and body) Outlook packed into it; an attached message and an
 * invitation are stored as they are and summarized for the thread.
 */
export async function storeAttachment(part: AttachmentPart, blobs: BlobStore): Promise<StoredPart> {
  const filename = safeFilename(part.filename, defaultName(part.contentType));
  const base = { filename, contentType: part.contentType, contentId: part.contentId, inline: part.inline };

  if (part.contentType === 'application/ms-tnef' || /^winmail\.dat$/i.test(filename)) {
    const [stored, data] = await storeAndRead(part.content, MAX_TNEF_BYTES, blobs);
    if (data && isTnef(data)) {
      try {
        const unpacked = await unpackTnef(data, blobs);
        // The files inside replace winmail.dat; the raw message still holds it.
        await blobs.delete(stored.key);
        return unpacked;
      } catch (err) {
        if (!(err instanceof TnefError)) throw err;
      }
    }
    // Not readable as TNEF (or too big to read): kept as the file it is.
    return { attachments: [{ ...base, blobKey: stored.key, size: stored.size, sha256: stored.sha256, details: null }], body: null };
  }
  if (part.contentType === 'text/calendar' || part.contentType === 'application/ics') {
    const [stored, data] = await storeAndRead(part.content, MAX_CALENDAR_BYTES, blobs);
    return { attachments: [{ ...base, filename: part.filename ? filename : 'invitation.ics', blobKey: stored.key, size: stored.size, sha256: stored.sha256, details: data ? summarizeCalendar(data) : null }], body: null };
  }
  if (part.contentType === 'message/rfc822' || part.contentType === 'message/global') {
    // One read, two readers: the bytes go to the blob store while the summary is parsed.
    const toBlob = new PassThrough();
    const toSummary = new PassThrough();
    part.content.pipe(toBlob);
    part.content.pipe(toSummary);
    const [stored, summary] = await Promise.all([blobs.put(toBlob, { hash: true }), summarizeMessage(toSummary).catch(() => null)]);
    const named = part.filename ? filename : safeFilename(summary?.subject ? `${summary.subject}.eml` : null, 'message.eml');
    return { attachments: [{ ...base, filename: named, blobKey: stored.key, size: stored.size, sha256: stored.sha256, details: summary }], body: null };
  }
  const stored = await blobs.put(part.content, { hash: true });
  return { attachments: [{ ...base, blobKey: stored.key, size: stored.size, sha256: stored.sha256, details: null }], body: null };
}

async function unpackTnef(data: Buffer, blobs: BlobStore): Promise<StoredPart> {
  const tnef = readTnef(data);
  const attachments: StoredAttachment[] = [];
  for (const file of tnef.attachments) {
    const filename = safeFilename(file.filename, 'attachment.bin');
    const contentType = file.contentType ?? TYPES_BY_EXTENSION[filename.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
    attachments.push(await storeBuffer(file.data, { filename, contentType, contentId: file.contentId ? cleanLine(file.contentId).replace(/^<|>$/g, '') : null, inline: false }, blobs, null));
  }
  let body: StoredPart['body'] = tnef.html || tnef.text ? { html: tnef.html, text: tnef.text } : null;
  if (!body && tnef.compressedRtf) {
    const fromRtf = await bodyFromCompressedRtf(tnef.compressedRtf);
    if (fromRtf.html || fromRtf.text) body = fromRtf;
  }
  return { attachments, body };
}

async function storeBuffer(data: Buffer, base: Omit<StoredAttachment, 'blobKey' | 'size' | 'sha256' | 'details'>, blobs: BlobStore, details: AttachmentDetails | null): Promise<StoredAttachment> {
  const stored = await blobs.put(data, { hash: true });
  return { ...base, blobKey: stored.key, size: stored.size, sha256: stored.sha256, details };
}

/** Stores the whole stream, and hands back its bytes too when they are at most `limit`. */
async function storeAndRead(stream: Readable, limit: number, blobs: BlobStore): Promise<[Awaited<ReturnType<BlobStore['put']>>, Buffer | null]> {
  const toBlob = new PassThrough();
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  stream.pipe(toBlob);
  const stored = await blobs.put(toBlob, { hash: true });
  return [stored, size <= limit ? Buffer.concat(chunks) : null];
}

export function defaultName(contentType: string): string {
  const ext = EXTENSIONS[contentType] ?? (contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'bin');
  return `attachment.${ext}`;
}
