import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import { MailParser } from 'mailparser';
import { decodeText, hasEightBit, isValidUtf8 } from './charset/detect-charset.ts';

/**
 * mailparser, reading real-world mail the way mail clients do (W8). It hooks four of its (3.9)
 * and mailsplit's (5.4) internals; the hooked methods are pinned by the unit tests
 * (tolerant-parser.test.ts) and the corpora tests, so an upgrade that renames them fails there,
 * not silently in production.
 *
 * - Unlabelled or mislabelled 8-bit text (bodies, headers, filenames) is decoded by detection
 *   instead of as UTF-8 with U+FFFD (detect-charset.ts). Labels mailparser decodes itself
 *   (ISO-2022-JP through encoding-japanese) keep its path.
 * - An inner multipart its sender never closed ends at an ancestor's delimiter (RFC 2046
 *   §5.1.2: a body part cannot contain an enclosing boundary); mailsplit only knows the parent's,
 *   and swallowed the rest of the message into the last text part.
 * - A delimiter line may end in spaces (transport padding, RFC 2046 §5.1.1).
 * - In a multipart/digest a part without Content-Type is a message/rfc822 (RFC 2046 §5.1.5).
 * - Attached messages are never flattened into the body (`ignoreEmbedded`): each is a message/rfc822
 *   attachment, summarized for the thread and downloadable as .eml.
 * - Parts of a multipart/alternative are recorded (`alternatives`), so the caller can drop
 *   renditions of the body (text/watch-html, text/enriched) that mailparser lists as files.
 */
const DETECT = 'x-correio-detect';

interface MailsplitNode {
  contentType?: string | false;
  multipart?: string | false;
  parentNode?: MailsplitNode | false;
  headers: { get(key: string): unknown[] };
  _boundary?: Buffer | false;
  _parentBoundary?: Buffer | false;
  _parentBoundaryOwner?: MailsplitNode | false;
}
interface ParserNode {
  charset?: string;
  contentType?: string;
  isAttachment?: boolean;
  headers: object;
}
interface HeaderLine {
  key: string;
  line: string;
}
interface MailParserInternals {
  createNode(node: MailsplitNode): ParserNode;
  getDecoder(): { decodeStream(charset: string): Transform };
  processHeaders(lines: HeaderLine[]): Map<string, unknown>;
  splitter: { node: MailsplitNode; checkBoundary(line: Buffer): number | false; compareBoundary(line: Buffer, start: number, boundary: Buffer): number | false };
}

export class TolerantMailParser extends MailParser {
  /** The header maps (an attachment's `headers`) of parts inside a multipart/alternative. */
  readonly alternatives = new WeakSet<object>();

  constructor(options: ConstructorParameters<typeof MailParser>[0]) {
    super({ ...options, ignoreEmbedded: true } as ConstructorParameters<typeof MailParser>[0]);
    const self = this as unknown as MailParserInternals & { decoder: ReturnType<MailParserInternals['getDecoder']> };
    const proto = MailParser.prototype as unknown as MailParserInternals;

    self.createNode = (node) => {
      const parent = node.parentNode || null;
      if (parent && parent.multipart === 'digest' && !node.headers.get('Content-Type').length) node.contentType = 'message/rfc822';
      const created = proto.createNode.call(self, node);
      if (parent && parent.multipart === 'alternative') this.alternatives.add(created.headers);
      // Text parts whose label cannot be trusted get our decoder, which sees all their bytes first.
      if (!created.isAttachment && /^text\//i.test(created.contentType ?? '')) {
        const declared = created.charset ?? '';
        const mailparserDecodes = /^(jis|iso-?2022-?jp)/i.test(declared);
        if (!mailparserDecodes && (!declared || /^(us-?ascii|utf-?8|iso-?8859-?1|latin-?1|windows-?1252|cp1252)$/i.test(declared) || !iconv.encodingExists(declared))) created.charset = `${DETECT}:${declared}`;
      }
      return created;
    };

    const original = proto.getDecoder.call(self);
    self.decoder = {
      decodeStream: (charset: string) => (charset.startsWith(`${DETECT}:`) ? new DetectingDecoder(charset.slice(DETECT.length + 1)) : original.decodeStream(charset)),
    };

    // Raw 8-bit header lines (no encoded words) are re-encoded as UTF-8 before mailparser reads them as such.
    self.processHeaders = (lines) => proto.processHeaders.call(self, (lines ?? []).map(fixHeaderLine));

    const splitter = self.splitter;
    const ownBoundary = splitter.checkBoundary.bind(splitter);
    splitter.checkBoundary = (raw) => {
      // RFC 2046 §5.1.1 allows transport padding (spaces, tabs) after a delimiter; mailsplit does not.
      const line = withoutTransportPadding(raw);
      const found = ownBoundary(line);
      if (found) return found;
      const start = line[0] === 0x0d && line[1] === 0x0a ? 2 : line[0] === 0x0d || line[0] === 0x0a ? 1 : 0;
      if (line.length < start + 4 || line[start] !== 0x2d || line[start + 1] !== 0x2d) return false;
      // Not this part's nor its parent's delimiter: perhaps a grandparent's, past an unclosed multipart.
      for (let inner = splitter.node._parentBoundaryOwner; inner && inner._parentBoundary; inner = inner._parentBoundaryOwner) {
        const kind = splitter.compareBoundary(line, start, inner._parentBoundary);
        if (kind) {
          // Continue as if `inner` (the unclosed multipart) had ended: 3 = its next sibling, 4 = its parent's end.
          splitter.node = inner;
          return kind + 2;
        }
      }
      return false;
    };
  }
}

function withoutTransportPadding(line: Buffer): Buffer {
  if (line.length < 3 || line[line.length - 1] !== 0x0a) return line;
  let end = line.length - 1;
  if (line[end - 1] === 0x0d) end--;
  let cut = end;
  while (cut > 0 && (line[cut - 1] === 0x20 || line[cut - 1] === 0x09)) cut--;
  if (cut === end) return line;
  // Only a line that starts as a delimiter ("--") is worth the copy.
  const start = line[0] === 0x0d || line[0] === 0x0a ? (line[1] === 0x0a ? 2 : 1) : 0;
  if (line[start] !== 0x2d || line[start + 1] !== 0x2d) return line;
  return Buffer.concat([line.subarray(0, cut), line.subarray(end)]);
}

/** Buffers a text part, then decodes it as detect-charset decides; the output is UTF-8 bytes, as mailparser expects. */
class DetectingDecoder extends Transform {
  private readonly chunks: Buffer[] = [];

  constructor(private readonly declared: string) {
    super();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'binary') : chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    const bytes = Buffer.concat(this.chunks);
    // Bytes that are UTF-8 stay as they are, so mailparser's own reading is untouched.
    if (!hasEightBit(bytes) || isValidUtf8(bytes)) this.push(bytes);
    else this.push(Buffer.from(decodeText(bytes, this.declared).text, 'utf8'));
    done();
  }
}

function fixHeaderLine(line: HeaderLine): HeaderLine {
  // mailsplit hands header lines over as binary strings: one char per byte.
  const bytes = Buffer.from(line.line, 'binary');
  if (!hasEightBit(bytes) || isValidUtf8(bytes)) return line;
  return { ...line, line: Buffer.from(decodeText(bytes).text, 'utf8').toString('binary') };
}
