import { renderText, text, type ServerText } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { toMailError } from './mail-error-rules.ts';
import { MailError } from './errors.ts';

const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields['message'] ?? 'failed')), fields);

describe('toMailError', () => {
  it('maps socket and DNS failures to where they happened', () => {
    expect(toMailError(err({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND imap.acme.invalid' }), 'CONNECT')).toMatchObject({ code: 'HOST_NOT_FOUND', phase: 'DNS', transient: false });
    expect(toMailError(err({ code: 'EAI_AGAIN' }), 'CONNECT')).toMatchObject({ code: 'DNS_FAILED', phase: 'DNS', transient: true });
    expect(toMailError(err({ code: 'ECONNREFUSED' }), 'AUTH')).toMatchObject({ code: 'CONNECTION_REFUSED', phase: 'CONNECT', transient: false });
    expect(toMailError(err({ code: 'EHOSTUNREACH' }), 'CONNECT')).toMatchObject({ code: 'CONNECTION_REFUSED', transient: true });
    expect(toMailError(err({ code: 'ECONNRESET' }), 'FETCH')).toMatchObject({ code: 'CONNECTION_RESET', phase: 'FETCH', transient: true });
  });

  it('looks through nodemailer’s wrapper codes at the system error underneath', () => {
    expect(toMailError(err({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:25' }), 'SEND')).toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(toMailError(err({ code: 'ETLS', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }), 'AUTH')).toMatchObject({ code: 'CERT_INVALID', phase: 'TLS' });
    expect(toMailError(err({ code: 'EDNS', message: 'getaddrinfo ENOTFOUND smtp.acme.invalid' }), 'SEND')).toMatchObject({ code: 'HOST_NOT_FOUND' });
  });

  it('tells a plain-text server reached with TLS from other handshake failures', () => {
    expect(toMailError(err({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'ssl3_get_record:wrong version number' }), 'CONNECT')).toMatchObject({ code: 'TLS_MISMATCH', phase: 'TLS', transient: false });
    expect(toMailError(err({ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', message: 'sslv3 alert handshake failure' }), 'CONNECT')).toMatchObject({ code: 'TLS_HANDSHAKE_FAILED' });
    expect(toMailError(err({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'CONNECT')).toMatchObject({ code: 'CERT_INVALID' });
  });

  it('classifies timeouts as transient, in the phase that waited', () => {
    expect(toMailError(err({ code: 'GREETING_TIMEOUT' }), 'CONNECT')).toMatchObject({ code: 'TIMEOUT', phase: 'GREETING', transient: true });
    expect(toMailError(err({ code: 'ETIMEDOUT' }), 'AUTH')).toMatchObject({ code: 'TIMEOUT', phase: 'AUTH' });
  });

  it('gives AUTH_FAILED the provider’s hint when there is one', () => {
    const imap = toMailError(err({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', response: 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)' }), 'AUTH', { authHint: text('provider.gmail.authHint') });
    expect(imap).toMatchObject({ code: 'AUTH_FAILED', phase: 'AUTH', transient: false, hintText: { code: 'provider.gmail.authHint' }, serverResponse: 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)' });
    expect(imap.hint).toMatch(/^Google refuses the normal account password/);
    expect(toMailError(err({ code: 'EAUTH', responseCode: 535, response: '535-5.7.8 Username and Password not accepted' }), 'AUTH').code).toBe('AUTH_FAILED');
    expect(toMailError(err({ message: 'NO [ALERT] Application-specific password required' }), 'AUTH').code).toBe('AUTH_FAILED');
    expect(toMailError(err({ code: 'EAUTH', message: 'Invalid login' }), 'AUTH').hint).toMatch(/app password/);
  });

  it('does not call a refused LOGIN with [UNAVAILABLE] a wrong password (imapflow marks it authenticationFailed)', () => {
    const e = toMailError(err({ authenticationFailed: true, serverResponseCode: 'UNAVAILABLE', response: 'NO [UNAVAILABLE] Temporary authentication failure' }), 'AUTH');
    expect(e).toMatchObject({ code: 'SERVER_UNAVAILABLE', transient: true, phase: 'AUTH' });
  });

  it('treats a 4xx answer to SMTP AUTH as temporary', () => {
    const e = toMailError(err({ code: 'EAUTH', responseCode: 454, response: '454 4.7.0 Temporary authentication failure', command: 'AUTH PLAIN' }), 'AUTH');
    expect(e).toMatchObject({ code: 'SERVER_UNAVAILABLE', phase: 'AUTH', transient: true });
  });

  it('reads POP3 answers: -ERR to PASS is a refused login, [IN-USE] and [SYS/TEMP] are temporary', () => {
    expect(toMailError(err({ code: 'EPROTOCOL', response: '-ERR Invalid login', command: 'PASS ***', message: 'POP3 server said: Invalid login' }), 'AUTH')).toMatchObject({ code: 'AUTH_FAILED' });
    expect(toMailError(err({ code: 'EPROTOCOL', response: '-ERR [IN-USE] Mailbox locked', command: 'PASS ***' }), 'AUTH')).toMatchObject({ code: 'SERVER_UNAVAILABLE', transient: true });
    expect(toMailError(err({ code: 'EPROTOCOL', response: '-ERR [SYS/TEMP] Try later', command: 'STAT' }), 'MAILBOX')).toMatchObject({ code: 'SERVER_UNAVAILABLE', transient: true });
  });

  it('recognizes throttling', () => {
    expect(toMailError(err({ response: '* BYE [LIMIT] Too many connections' }), 'GREETING')).toMatchObject({ code: 'RATE_LIMITED', transient: true });
    expect(toMailError(err({ responseCode: 421, response: '421 4.7.0 Too many connections, try again later' }), 'GREETING')).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('maps SMTP replies by class', () => {
    expect(toMailError(err({ responseCode: 421, response: '421 Service not available' }), 'GREETING')).toMatchObject({ code: 'SERVER_UNAVAILABLE', transient: true });
    expect(toMailError(err({ responseCode: 451, response: '451 4.3.0 Try again' }), 'SEND')).toMatchObject({ code: 'SEND_DEFERRED', transient: true });
    expect(toMailError(err({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 User unknown' }), 'SEND')).toMatchObject({ code: 'RECIPIENT_REJECTED', transient: false });
    expect(toMailError(err({ responseCode: 552, response: '552 5.3.4 Message too big' }), 'SEND')).toMatchObject({ code: 'MESSAGE_REJECTED' });
  });

  it('finds a missing IMAP folder and passes MailErrors through unchanged', () => {
    expect(toMailError(err({ serverResponseCode: 'NONEXISTENT', response: 'NO [NONEXISTENT] Mailbox doesn’t exist: Suporte' }), 'MAILBOX')).toMatchObject({ code: 'FOLDER_NOT_FOUND' });
    const own = new MailError('STALLED', 'FETCH');
    expect(toMailError(own, 'AUTH')).toBe(own);
    expect(toMailError('weird', 'FETCH')).toMatchObject({ code: 'UNKNOWN', phase: 'FETCH' });
  });

  it('words a library’s failure by its code and keeps the library’s message as the untranslated detail', () => {
    const e = toMailError(err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:993' }), 'CONNECT');
    expect(e.text).toEqual({ code: 'mail.CONNECTION_REFUSED', detail: 'connect ECONNREFUSED 127.0.0.1:993' });
    expect(renderText(e.text, 'pt-BR')).toBe('O servidor recusou a conexão nesta porta: connect ECONNREFUSED 127.0.0.1:993');
  });

  it('takes the text of an error Correio’s own client raised, never its English message', () => {
    const own = (code: string, said: ServerText) => err({ code, message: 'The POP3 server closed the connection', text: said });
    const closed = toMailError(own('ECONNRESET', text('mail.CONNECTION_RESET.closedByServer')), 'FETCH');
    expect(closed).toMatchObject({ code: 'CONNECTION_RESET', phase: 'FETCH', text: { code: 'mail.CONNECTION_RESET.closedByServer' } });
    expect(renderText(closed.text, 'pt-BR')).toBe('O servidor encerrou a conexão.');
    // A text that does not say what the rules found is not used; the English stays out all the same.
    const other = toMailError(own('ECONNRESET', text('mail.TIMEOUT.pop3')), 'FETCH');
    expect(other.text).toEqual({ code: 'mail.CONNECTION_RESET' });
  });

  it('keeps the server’s response line, bounded', () => {
    const e = toMailError(err({ code: 'EAUTH', responseCode: 535, response: `535 ${'x'.repeat(2000)}` }), 'AUTH');
    expect(e.serverResponse!.length).toBeLessThanOrEqual(500);
  });
});
