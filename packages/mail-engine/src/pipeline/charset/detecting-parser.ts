import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import { MailParser } from 'mailparser';
import { decodeText, hasEightBit, isValidUtf8 } from './detect-charset.ts';

/**
 * mailparser decodes an unlabelled 8-bit body, header or filename as UTF-8 and keeps U+FFFD
 * where the bytes were (W8). This subclass hooks three of its (3.9) internals so such text is
 * decoded by detection instead (detect-charset.ts); everything labelled and valid goes through
 * mailparser's own path unchanged. The hooked methods are pinned by the unit tests: a mailparser
 * upgrade that renames them fails there, not silently in production.
 */
const DETECT = 'x-correio-detect';

interface ParserNode {
  charset?: string;
  contentType?: string;
  isAttachment?: boolean;
}
interface HeaderLine {
  key: string;
  line: string;
}
interface MailParserInternals {
  createNode(node: unknown): ParserNode;
  getDecoder(): { decodeStream(charset: string): Transform };
  processHeaders(lines: HeaderLine[]): Map<string, unknown>;
}

export class CharsetDetectingParser extends MailParser {
  constructor(options: ConstructorParameters<typeof MailParser>[0]) {
    super(options);
    const self = this as unknown as MailParserInternals & { decoder: ReturnType<MailParserInternals['getDecoder']> };
    const proto = MailParser.prototype as unknown as MailParserInternals;

    // Text parts whose label cannot be trusted get our decoder, which sees all their bytes first.
    self.createNode = (node) => {
      const created = proto.createNode.call(self, node);
      if (!created.isAttachment && /^text\//i.test(created.contentType ?? '')) {
        const declared = created.charset ?? '';
        if (!declared || /^(us-?ascii|utf-?8|iso-?8859-?1|latin-?1|windows-?1252|cp1252)$/i.test(declared) || !iconv.encodingExists(declared)) created.charset = `${DETECT}:${declared}`;
      }
      return created;
    };

    const original = proto.getDecoder.call(self);
    self.decoder = {
      decodeStream: (charset: string) => (charset.startsWith(`${DETECT}:`) ? new DetectingDecoder(charset.slice(DETECT.length + 1)) : original.decodeStream(charset)),
    };

    // Raw 8-bit header lines (no encoded words) are re-encoded as UTF-8 before mailparser reads them as such.
    self.processHeaders = (lines) => proto.processHeaders.call(self, (lines ?? []).map(fixHeaderLine));
  }
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
