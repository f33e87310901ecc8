import { renderText, text } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { afterError, EMPTY_MEMORY } from './status-model.ts';
import { directionStatus, type AccountSwitches, type StatusRowLike } from './status-view.ts';

const account: AccountSwitches = { kind: 'EXTERNAL', active: true, incomingEnabled: true, incomingProtocol: 'IMAP', outgoingHost: null };
const now = new Date('2026-03-01T12:00:00Z');

function failedRow(): StatusRowLike {
  const refused = text('mail.CONNECTION_REFUSED.refused', { host: 'imap.acme.example', port: 993 });
  return {
    ...afterError(EMPTY_MEMORY, now, false),
    checkedAt: now,
    since: now,
    message: renderText(refused, 'en'),
    messageText: refused,
    lastErrorCode: 'CONNECTION_REFUSED',
    lastErrorHint: 'Check the port and encryption.',
    lastErrorHintText: text('mail.CONNECTION_REFUSED.hint'),
  };
}

describe('directionStatus', () => {
  it('passes the stored texts of a failure on, beside the English columns', () => {
    const shown = directionStatus(account, 'INCOMING', failedRow(), now);
    expect(shown).toMatchObject({
      state: 'ERROR',
      code: 'CONNECTION_REFUSED',
      messageText: { code: 'mail.CONNECTION_REFUSED.refused', params: { host: 'imap.acme.example', port: 993 } },
      hintText: { code: 'mail.CONNECTION_REFUSED.hint' },
    });
  });

  it('explains a switched-off or unconfigured direction by code', () => {
    expect(directionStatus(account, 'OUTGOING', failedRow(), now)).toMatchObject({ state: 'DISABLED', message: 'Sending is not configured.', messageText: { code: 'status.sendingNotConfigured' }, hintText: null });
    const off = directionStatus({ ...account, incomingEnabled: false }, 'INCOMING', failedRow(), now);
    expect(off.messageText).toEqual({ code: 'status.receivingOff' });
    expect(renderText(off.messageText!, 'pt-BR')).toBe('O recebimento está desligado.');
    expect(directionStatus({ ...account, active: false }, 'INCOMING', failedRow(), now).messageText).toEqual({ code: 'status.inactive' });
  });

  it('has no texts for a row written before texts had codes', () => {
    const old = { ...failedRow(), messageText: null, lastErrorHintText: null };
    expect(directionStatus(account, 'INCOMING', old, now)).toMatchObject({ message: old.message, messageText: null, hint: old.lastErrorHint, hintText: null });
  });
});
