import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, detectCharset } from './detect-charset.ts';

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
});
