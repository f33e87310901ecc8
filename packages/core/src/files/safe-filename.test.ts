import { describe, expect, it } from 'vitest';
import { safeFilename } from './safe-filename.ts';

describe('safeFilename', () => {
  it.each([
    ['relatório de março.pdf', 'relatório de março.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\system32\\evil.dll', 'evil.dll'],
    ['C:\\Users\\ana\\nota.pdf', 'nota.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a\u2066b\u2069c\u200Fd.txt', 'abcd.txt'],
    ['line\r\nbreak\u0000.txt', 'linebreak.txt'],
    ['name..with...dots.txt', 'name.with.dots.txt'],
    ['..', 'attachment'],
    ['   ', 'attachment'],
    ['...hidden', 'hidden'],
    ['what?<is>"this"*|:.doc', 'what__is__this____.doc'],
    ['cafe\u0301.txt', 'café.txt'],
  ])('%j → %j', (raw, expected) => {
    expect(safeFilename(raw)).toBe(expected);
  });

  it('uses the fallback when nothing is left', () => {
    expect(safeFilename('/\u202e/', 'image.png')).toBe('image.png');
    expect(safeFilename(null, 'attachment.bin')).toBe('attachment.bin');
  });

  it('caps the length and keeps the extension', () => {
    const long = `${'a'.repeat(500)}.pdf`;
    const safe = safeFilename(long);
    expect(safe.length).toBeLessThanOrEqual(200);
    expect(safe.endsWith('….pdf')).toBe(true);
    expect(safeFilename('é'.repeat(300)).length).toBeLessThanOrEqual(200);
  });
});
