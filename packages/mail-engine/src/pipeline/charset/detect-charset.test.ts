import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DETECTION_SAMPLE_BYTES, decodeText, detectCharset } from './detect-charset.ts';

describe('detectCharset / decodeText', () => {
  const pt = 'Olá, a nota fiscal número 4521 não chegou — “urgente”. Poderia reenviar? Obrigado, João';

  it('keeps valid UTF-8, whatever the label says', () => {
    expect(decodeText(Buffer.from(pt, 'utf8')).text).toBe(pt);
    expect(decodeText(Buffer.from(pt, 'utf8'), 'iso-8859-1').text).toBe(pt);
  });

  it('reads unlabelled or mislabelled 8-bit Portuguese as windows-1252, curly quotes, dashes and € included', () => {
    const bytes = iconv.encode(`${pt} €`, 'win1252');
    expect(decodeText(bytes).text).toBe(`${pt} €`);
    expect(decodeText(bytes, 'utf-8').text).toBe(`${pt} €`);
    expect(decodeText(bytes, 'x-unknown-charset').text).toBe(`${pt} €`);
    expect(decodeText(Buffer.from([0x50, 0x72, 0x65, 0xe7, 0x6f])).text).toBe('Preço');
  });

  it('recognizes the common CJK and Cyrillic encodings', () => {
    const cases: Array<[string, string]> = [
      ['こんにちは、お元気ですか。今日はいい天気ですね。', 'shift_jis'],
      ['你好，今天天气很好，我们去公园吧。', 'gb18030'],
      ['你好，今天天氣很好，我們去公園吧。', 'big5'],
      ['안녕하세요. 오늘 날씨가 정말 좋네요.', 'euc-kr'],
      ['Привет, как дела? Сегодня хорошая погода, пойдём гулять.', 'win1251'],
      ['Привет, как дела? Сегодня хорошая погода, пойдём гулять.', 'koi8-r'],
    ];
    for (const [text, charset] of cases) expect(decodeText(iconv.encode(text, charset)).text, charset).toBe(text);
  });

  it('trusts a specific declared charset', () => {
    expect(decodeText(iconv.encode('Ελληνικά', 'iso-8859-7'), 'iso-8859-7').text).toBe('Ελληνικά');
    expect(detectCharset(Buffer.from('plain ascii'))).toBe('utf-8');
  });

  it('finds the charset of 8-bit text that starts after a long ASCII part, and decodes all of it', () => {
    // A forwarded log or a quoted thread in ASCII first: the detector reads from the first 8-bit line.
    const ascii = 'Log line 0000: all systems nominal\n'.repeat(Math.ceil((2 * DETECTION_SAMPLE_BYTES) / 35));
    const ru = 'Привет, как дела? Сегодня хорошая погода, пойдём гулять.\n';
    const bytes = Buffer.concat([Buffer.from(ascii), iconv.encode(ru.repeat(3), 'koi8-r')]);
    expect(detectCharset(bytes)).toBe('KOI8-R');
    expect(decodeText(bytes).text).toBe(ascii + ru.repeat(3));
  });

  it('decodes a body far larger than what the detector reads, to its last byte (abuse: 20 MB unlabelled)', () => {
    // Detection over all of a 30 MB body took 23 s of a parser thread; it now reads a sample.
    const line = iconv.encode('Ação, preço e “nota” — João\n', 'win1252');
    const huge = Buffer.concat(Array.from({ length: Math.ceil((20 * 1024 * 1024) / line.length) }, () => line));
    const { text, charset } = decodeText(huge);
    expect(charset).toBe('windows-1252');
    expect(text.endsWith('Ação, preço e “nota” — João\n')).toBe(true);
    expect(text.length).toBe(huge.length);
  });
});
