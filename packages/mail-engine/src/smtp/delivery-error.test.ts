import { renderText, text } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.ts';
import { classifyDelivery } from './delivery-error.ts';

// Errors shaped exactly as nodemailer's smtp-connection stamps them (code, response, responseCode, command).
const smtp = (code: string, response: string, command: string) =>
  Object.assign(new Error(`Message failed: ${response}`), { code, response, responseCode: Number(response.slice(0, 3)), command });

describe('classifyDelivery', () => {
  it.each([
    ['451 at DATA (greylisting)', smtp('EMESSAGE', '451 4.7.1 Greylisted, try again later', 'DATA')],
    ['421 at MAIL FROM (service busy)', smtp('EENVELOPE', '421 4.3.2 Service busy', 'MAIL FROM')],
    ['452 at RCPT (mailbox full for now)', smtp('EENVELOPE', '452 4.2.2 Mailbox full', 'RCPT TO')],
    ['454 at AUTH (temporary auth failure)', smtp('EAUTH', '454 4.7.0 Temporary authentication failure', 'AUTH PLAIN')],
  ])('retries a 4xx reply: %s', (_name, err) => {
    const d = classifyDelivery(err);
    expect(d).toMatchObject({ retry: true, scope: 'ACCOUNT' });
    expect(d.error.transient).toBe(true);
    expect(d.summary).toContain(err.response);
  });

  it.each([
    ['550 at DATA', smtp('EMESSAGE', '550 5.7.1 Message rejected as spam', 'DATA'), 'MESSAGE_REJECTED', 'MESSAGE'],
    ['552 size at DATA', smtp('EMESSAGE', '552 5.3.4 Message too big', 'DATA'), 'MESSAGE_REJECTED', 'MESSAGE'],
    ['550 unknown user at RCPT', smtp('EENVELOPE', '550 5.1.1 <x@y>: User unknown', 'RCPT TO'), 'RECIPIENT_REJECTED', 'MESSAGE'],
    ['553 sender refused at MAIL FROM', smtp('EENVELOPE', '553 5.7.1 Sender address rejected: not owned by user', 'MAIL FROM'), 'MESSAGE_REJECTED', 'ACCOUNT'],
    ['535 bad login', smtp('EAUTH', '535 5.7.8 Authentication credentials invalid', 'AUTH PLAIN'), 'AUTH_FAILED', 'ACCOUNT'],
    ['554 whose text says "timed out"', smtp('EMESSAGE', '554 5.4.7 Delivery timed out', 'DATA'), 'MESSAGE_REJECTED', 'MESSAGE'],
  ])('stops at once on a 5xx reply: %s', (_name, err, code, scope) => {
    const d = classifyDelivery(err);
    expect(d).toMatchObject({ retry: false, scope, error: { code, transient: false, serverResponse: err.response } });
    expect(d.summary).toContain(err.response);
    // The summary's words come from the code's text; the server's own line is its untranslated detail.
    expect(d.summaryText).toEqual({ code: `mail.${code}`, detail: err.response });
    expect(renderText(d.summaryText, 'pt-BR')).toContain(err.response);
  });

  it('retries a refused connection (nodemailer keeps the socket code in originalCode) and a timeout', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' });
    expect(classifyDelivery(refused)).toMatchObject({ retry: true, scope: 'ACCOUNT', error: { code: 'CONNECTION_REFUSED' } });
    const timeout = Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT', command: 'CONN' });
    expect(classifyDelivery(timeout)).toMatchObject({ retry: true, error: { code: 'TIMEOUT' } });
    const reset = Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' });
    expect(classifyDelivery(reset)).toMatchObject({ retry: true, error: { code: 'CONNECTION_RESET' } });
  });

  it('refuses to go on in clear text when a required STARTTLS is refused', () => {
    const err = Object.assign(new Error('Error upgrading connection with STARTTLS: 500 Error: command not recognized'), { code: 'ETLS', response: '500 Error: command not recognized', responseCode: 500, command: 'STARTTLS' });
    expect(classifyDelivery(err)).toMatchObject({ retry: false, scope: 'ACCOUNT', error: { code: 'STARTTLS_UNSUPPORTED', phase: 'TLS' } });
  });

  it('does not retry configuration errors or local refusals', () => {
    expect(classifyDelivery(new MailError('RELAY_NOT_CONFIGURED', 'CONFIG'))).toMatchObject({ retry: false, scope: 'ACCOUNT', error: { code: 'RELAY_NOT_CONFIGURED' } });
    const cert = Object.assign(new Error('self-signed certificate'), { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classifyDelivery(cert)).toMatchObject({ retry: false, error: { code: 'CERT_INVALID' } });
    const noRecipients = Object.assign(new Error('No recipients defined'), { code: 'EENVELOPE', command: 'API' });
    expect(classifyDelivery(noRecipients)).toMatchObject({ retry: false, scope: 'MESSAGE' });
    expect(classifyDelivery(new MailError('UNKNOWN', 'SEND', { transient: false, text: text('mail.UNKNOWN.attachmentMissing', { filename: 'a.pdf' }) }))).toMatchObject({ retry: false });
  });
});
