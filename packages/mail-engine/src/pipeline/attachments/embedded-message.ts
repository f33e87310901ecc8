import type { Readable } from 'node:stream';
import type { AddressObject, HeaderValue, MessageText } from 'mailparser';
import { TolerantMailParser } from '../tolerant-parser.ts';
import { cleanLine, cleanText } from '../clean-text.ts';

/** A forwarded or attached e-mail (message/rfc822), as the thread shows it; the .eml itself is the attachment. */
export interface EmbeddedMessageSummary {
  kind: 'MESSAGE';
  subject: string;
  from: string | null;
  date: string | null;
  /** Its text, the first few thousand characters. */
  text: string;
  attachments: Array<{ filename: string; size: number }>;
}

const TEXT_CHARS = 4000;

/** Reads an attached message without storing anything: its own attachments are only counted. */
export function summarizeMessage(source: Readable): Promise<EmbeddedMessageSummary> {
  return new Promise((resolve, reject) => {
    const parser: TolerantMailParser = new TolerantMailParser({ skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
    let headers = new Map<string, HeaderValue>();
    let text = '';
    const attachments: Array<{ filename: string; size: number }> = [];
    parser.on('headers', (h: Map<string, HeaderValue>) => (headers = h));
    parser.on('data', (data: { type: string } & Record<string, any>) => {
      if (data.type === 'text') {
        const t = data as unknown as MessageText;
        text = (t.text?.trim() ? t.text : typeof t.html === 'string' ? t.html.replace(/<[^>]*>/g, ' ') : '') ?? '';
        return;
      }
      const content = data['content'] as Readable;
      const type = String(data['contentType'] ?? '').toLowerCase();
      // A rendition of the body (text/richtext, text/watch-html) is not one of its files.
      const rendition = parser.alternatives.has(data['headers'] as object) && type.startsWith('text/') && type !== 'text/calendar';
      const entry = { filename: cleanLine(String(data['filename'] ?? '')) || 'attachment', size: 0 };
      if (!rendition) attachments.push(entry);
      content.on('data', (chunk: Buffer) => (entry.size += chunk.length));
      content.on('end', () => data['release']?.());
    });
    parser.on('error', reject);
    parser.on('end', () => {
      const from = (headers.get('from') as AddressObject | undefined)?.text ?? null;
      const date = headers.get('date');
      resolve({
        kind: 'MESSAGE',
        subject: cleanLine(typeof headers.get('subject') === 'string' ? (headers.get('subject') as string) : ''),
        from: from ? cleanLine(from) : null,
        date: date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
        text: cleanText(text).trim().slice(0, TEXT_CHARS),
        attachments,
      });
    });
    source.on('error', reject);
    source.pipe(parser);
  });
}
