import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { isTnef, readTnef, TnefError } from './tnef.ts';

/**
 * Real winmail.dat files from MimeKit's test data, each next to the files MimeKit extracts from it
 * (tests/fixtures/corpora/mimekit/tnef/<name>.tnef and <name>/; origin and licences in
 * tests/fixtures/corpora/README.md). attachments.tnef is byte for byte node-tnef's
 * attachments.dat, which is already in the tree, so that copy is read instead.
 *
 * Compared as MimeKit's own TnefTests compares them: text-like files (.htm .dat .cfg .ini .src,
 * AUTHORS, README) with line ends normalized to LF and a final newline ensured, everything else
 * byte for byte. Two deliberate differences: MimeKit's expected "Untitled Attachment.N" files are
 * OLE objects that still begin with the 16-byte IID_IStorage of the PT_OBJECT value; readTnef hands
 * out the object itself (the OLE compound file), so the first 16 bytes are compared as that IID and
 * the rest as the file. And message.rtf (decompressed RTF) is not compared: readTnef returns the
 * compressed RTF, which rtf-body.ts turns into text.
 */

const CORPORA = fileURLToPath(new URL('../../../../../tests/fixtures/corpora/', import.meta.url));
const MIMEKIT = join(CORPORA, 'mimekit', 'tnef');
const TEXT_LIKE = /\.(htm|dat|cfg|ini|src)$|^(AUTHORS|README)$/;
// {0000000B-0000-0000-C000-000000000046}, as a PT_OBJECT value stores it.
const IID_ISTORAGE = Buffer.from('0b00000000000000c000000000000046', 'hex');

const source = (name: string) => (name === 'attachments' ? join(CORPORA, 'node-tnef', 'attachments.dat') : join(MIMEKIT, `${name}.tnef`));
const cases = [...readdirSync(MIMEKIT).filter((f) => f.endsWith('.tnef')).map((f) => f.slice(0, -'.tnef'.length)), 'attachments'].sort();

/** MimeKit's ReadAllBytes(stream, text: true): CRLF → LF, and a final newline. */
function dos2unix(data: Buffer): Buffer {
  const text = data.toString('latin1').replace(/\r\n/g, '\n');
  return Buffer.from(text && !text.endsWith('\n') ? `${text}\n` : text, 'latin1');
}

/** The files MimeKit expects, in the order of their names: "Untitled Attachment.N" is the N-th one of that name. */
function expectedFiles(name: string): Array<{ filename: string; nth: number; file: string }> {
  return readdirSync(join(MIMEKIT, name))
    .filter((f) => !/^message\.(html|rtf|txt)$/.test(f))
    .sort()
    .map((file) => {
      const untitled = /^(Untitled Attachment)\.(\d+)$/.exec(file);
      return untitled ? { filename: untitled[1]!, nth: Number(untitled[2]) - 1, file } : { filename: file, nth: 0, file };
    });
}

describe('readTnef on real winmail.dat files (MimeKit test data)', () => {
  it('finds the corpus', () => {
    expect(cases).toEqual(expect.arrayContaining(['attachments', 'panic', 'winmail', 'long-filename', 'missing-filenames']));
  });

  it.each(cases)('%s: the files inside, by name and bytes', (name) => {
    const data = readFileSync(source(name));
    expect(isTnef(data)).toBe(true);
    const tnef = readTnef(data);
    const expected = expectedFiles(name);
    expect(tnef.attachments.map((a) => a.filename).sort()).toEqual(expected.map((e) => e.filename).sort());
    for (const e of expected) {
      const actual = tnef.attachments.filter((a) => a.filename === e.filename)[e.nth]!;
      const want = readFileSync(join(MIMEKIT, name, e.file));
      if (e.filename === 'Untitled Attachment' && want.subarray(0, 16).equals(IID_ISTORAGE)) {
        expect(actual.data.equals(want.subarray(16)), `${name}/${e.file}: the OLE object after its IID`).toBe(true);
      } else if (TEXT_LIKE.test(e.filename)) {
        expect(dos2unix(actual.data).toString('latin1'), `${name}/${e.file}`).toBe(dos2unix(want).toString('latin1'));
      } else {
        expect(actual.data.length, `${name}/${e.file}: size`).toBe(want.length);
        expect(actual.data.equals(want), `${name}/${e.file}: bytes`).toBe(true);
      }
    }
  });

  it.each(cases.filter((name) => readdirSync(join(MIMEKIT, name)).includes('message.html')))('%s: the HTML body', (name) => {
    const tnef = readTnef(readFileSync(source(name)));
    // MimeKit wrote PR_BODY_HTML's bytes as they are; these messages' code page is windows-1252.
    const want = iconv.decode(readFileSync(join(MIMEKIT, name, 'message.html')), 'windows-1252').replace(/\r\n/g, '\n');
    expect(tnef.html?.replace(/\r\n/g, '\n')).toBe(want);
  });

  it('keeps what comes before trailing garbage (panic.tnef ends in 17 kB of stray base64)', () => {
    const tnef = readTnef(readFileSync(source('panic')));
    expect(tnef.attachments.map((a) => [a.filename, a.contentType, a.data.length])).toEqual([
      ['image001.jpg', 'image/jpeg', 11250],
      ['image002.jpg', 'image/jpeg', 9583],
      ['image003.png', 'image/png', 7147],
    ]);
  });

  it('still refuses what is not TNEF, or is cut off inside an attribute', () => {
    expect(() => readTnef(Buffer.from('not a tnef stream'))).toThrow(TnefError);
    const data = readFileSync(source('one-file'));
    expect(() => readTnef(data.subarray(0, data.length - 100))).toThrow(TnefError);
    // Garbage right after the signature, before any attribute, is no TNEF stream either.
    const garbage = Buffer.concat([data.subarray(0, 6), Buffer.from('KKAKd1cPbojJF5m5wmN+3BJwO1MGo2+7a')]);
    expect(() => readTnef(garbage)).toThrow(TnefError);
  });
});
