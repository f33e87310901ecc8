import { describe, expect, it } from 'vitest';
import { DOMAIN_CODE_COUNTS } from './catalog/index.ts';
import { catalogOf, LOCALES, placeholdersOf, renderText, text, type TextCode } from './index.ts';

const codes = Object.keys(catalogOf('en')) as TextCode[];

describe('the server-text catalogue', () => {
  it('words every code in every locale, with the same placeholders', () => {
    const problems: string[] = [];
    for (const locale of LOCALES) {
      const wording = catalogOf(locale);
      for (const code of codes) {
        const template = wording[code];
        if (typeof template !== 'string' || !template.trim()) problems.push(`${locale}: ${code} has no text`);
        else if (placeholdersOf(template).sort().join() !== placeholdersOf(catalogOf('en')[code]).sort().join()) problems.push(`${locale}: ${code} has other placeholders than English`);
      }
      for (const code of Object.keys(wording)) if (!codes.includes(code as TextCode)) problems.push(`${locale}: ${code} is not an English code`);
    }
    expect(problems).toEqual([]);
  });

  it('has no code defined by two domains (one would silently hide the other)', () => {
    expect(DOMAIN_CODE_COUNTS.reduce((a, b) => a + b, 0)).toBe(codes.length);
  });

  it('keeps Portuguese and English apart: no pt-BR text is left in English', () => {
    // A copy-pasted English sentence in pt-BR passes the type check; a long text identical in
    // both languages is that mistake (short ones like "IMAP" may legitimately match).
    const same = codes.filter((c) => catalogOf('en')[c].split(' ').length > 3 && catalogOf('en')[c] === catalogOf('pt-BR')[c]);
    expect(same).toEqual([]);
  });

  it('words a text with its parameters and foreign detail', () => {
    expect(renderText(text('mail.HOST_NOT_FOUND', undefined, 'getaddrinfo ENOTFOUND imap.exmple.com'), 'pt-BR')).toBe('O nome do servidor não foi encontrado no DNS: getaddrinfo ENOTFOUND imap.exmple.com');
    expect(renderText(text('mail.HOST_NOT_FOUND'), 'en')).toBe('The server name does not resolve.');
  });

  it('falls back to English, then to the code, for a code this version does not know', () => {
    expect(renderText({ code: 'mail.FROM_THE_FUTURE' }, 'pt-BR')).toBe('mail.FROM_THE_FUTURE');
  });

  it('words a sentence around another one, and nothing else that merely spells a code', () => {
    const retrying = { code: 'delivery.retrying', params: { attempt: 2, wait: '30 s', failureText: 'mail.SEND_DEFERRED' }, detail: '421 4.7.0 try later' };
    expect(renderText(retrying, 'en')).toBe('Not sent yet (attempt 2): The server deferred the message (4xx): 421 4.7.0 try later Next attempt in 30 s.');
    expect(renderText(retrying, 'pt-BR')).toContain('O servidor adiou a mensagem (4xx): 421 4.7.0 try later');
    // A folder an admin (or an attacker) named after a code is a folder name, not a sentence.
    expect(renderText(text('mail.FOLDER_NOT_FOUND.named', { folder: 'mail.AUTH_FAILED' }), 'en')).toBe('The folder “mail.AUTH_FAILED” does not exist in this mailbox.');
    // A text naming itself in its own slot ends instead of recursing.
    expect(renderText({ code: 'delivery.forRecipients', params: { recipients: 'a@x', noteText: 'delivery.forRecipients' } }, 'en')).toBe('To a@x: To a@x: {noteText}');
  });
});
