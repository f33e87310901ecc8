import { decompressRTF } from '@kenjiuno/decompressrtf';
import iconv from 'iconv-lite';
import { deEncapsulateSync, Tokenize } from 'rtf-stream-parser';
import { ToPlainText } from 'rtf-stream-parser/dist/src/ToPlainText.js';

/**
 * The body Outlook keeps as compressed RTF inside winmail.dat: decompressed
 * (@kenjiuno/decompressrtf, the MS-OXRTFCP algorithm), then the HTML or text Outlook
 * encapsulated in it, or plain text from the RTF itself (rtf-stream-parser). Null when it
 * cannot be read; the message keeps its other parts.
 */
export async function bodyFromCompressedRtf(compressed: Buffer): Promise<{ html: string | null; text: string | null }> {
  let rtf: Buffer;
  try {
    rtf = Buffer.from(decompressRTF([...compressed]));
  } catch {
    return { html: null, text: null };
  }
  const decode = (buf: Buffer, encoding: string) => iconv.decode(buf, iconv.encodingExists(encoding) ? encoding : 'windows-1252');
  try {
    const result = deEncapsulateSync(rtf, { decode, mode: 'either' });
    const body = String(result.text);
    return result.mode === 'html' ? { html: body, text: null } : { html: null, text: body };
  } catch {
    // Not encapsulated: a plain RTF body.
  }
  try {
    return { html: null, text: (await rtfToText(rtf, decode)).replace(/\r\n/g, '\n').trim() || null };
  } catch {
    return { html: null, text: null };
  }
}

function rtfToText(rtf: Buffer, decode: (buf: Buffer, encoding: string) => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const tokens = new Tokenize();
    const text = new ToPlainText({ decode } as never);
    const chunks: string[] = [];
    text.on('data', (chunk: Buffer | string) => chunks.push(String(chunk)));
    text.on('end', () => resolve(chunks.join('')));
    text.on('error', reject);
    tokens.on('error', reject);
    tokens.pipe(text);
    tokens.end(rtf);
  });
}
