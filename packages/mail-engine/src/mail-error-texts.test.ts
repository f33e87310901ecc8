import { isTextCode, renderText, text } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { MAIL_ERROR_CODES, MailError, type MailErrorCode } from './errors.ts';
import { importableFolder } from './imap/importable-folder.ts';

describe('mail error codes and their texts', () => {
  it('every code has a summary and a hint in the catalogue', () => {
    const missing = Object.keys(MAIL_ERROR_CODES).flatMap((code) => [`mail.${code}`, `mail.${code}.hint`].filter((c) => !isTextCode(c)));
    expect(missing).toEqual([]);
  });

  it('a MailError is worded in the reader’s language, and stays English in logs', () => {
    const err = new MailError('AUTH_FAILED' satisfies MailErrorCode, 'AUTH');
    expect(err.message).toBe('The server rejected the user name or password.');
    expect(renderText(err.text, 'pt-BR')).toBe('O servidor recusou o usuário ou a senha.');
    expect(renderText(err.hintText, 'pt-BR')).toMatch(/senha de app/);
  });

  it('a MailError that says more than its code keeps its parameters in both languages', () => {
    const err = new MailError('RELAY_NOT_CONFIGURED', 'CONFIG', { text: text('mail.RELAY_NOT_CONFIGURED.wrongScheme', { scheme: 'http' }), hintText: text('mail.RELAY_NOT_CONFIGURED.urlForm.hint') });
    expect(err.text).toEqual({ code: 'mail.RELAY_NOT_CONFIGURED.wrongScheme', params: { scheme: 'http' } });
    expect(err.message).toBe('SMTP_RELAY_URL must start with smtp:// or smtps://, not http://.');
    expect(renderText(err.text, 'pt-BR')).toBe('SMTP_RELAY_URL precisa começar com smtp:// ou smtps://, não com http://.');
    expect(renderText(err.hintText, 'pt-BR')).toBe('Use smtp://usuario:senha@servidor:porta ou smtps://usuario:senha@servidor:porta.');
  });

  it('the server’s folder names are parameters; which special folder it is, a code of its own', () => {
    const folders = [{ path: 'INBOX' }, { path: 'Itens Enviados', specialUse: '\\Sent' }];
    const missing = catchMailError(() => importableFolder(folders, 'Suporte'));
    expect(missing.text).toEqual({ code: 'mail.FOLDER_NOT_FOUND.namedWithList', params: { folder: 'Suporte', folders: 'INBOX, Itens Enviados' } });
    expect(renderText(missing.text, 'pt-BR')).toBe('A pasta “Suporte” não existe nesta caixa de correio; ela tem: INBOX, Itens Enviados.');
    const sent = catchMailError(() => importableFolder(folders, 'Itens Enviados'));
    expect(sent.text).toEqual({ code: 'mail.FOLDER_NOT_ALLOWED.sent', params: { folder: 'Itens Enviados' } });
    expect(renderText(sent.text, 'pt-BR')).toBe('“Itens Enviados” é a pasta de Enviados; o Correio nunca a importa.');
  });

  it('a library’s own words follow the text untranslated', () => {
    const err = new MailError('UNKNOWN', 'CONFIG', { text: text('mail.UNKNOWN.checkFailed', undefined, 'Cannot read properties of undefined') });
    expect(err.message).toBe('The check itself failed: Cannot read properties of undefined');
    expect(renderText(err.text, 'pt-BR')).toBe('O próprio teste falhou: Cannot read properties of undefined');
  });
});

function catchMailError(run: () => unknown): MailError {
  try {
    run();
  } catch (err) {
    if (err instanceof MailError) return err;
    throw err;
  }
  throw new Error('expected a MailError');
}
