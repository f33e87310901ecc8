import { renderText } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { summaryText } from '../errors.ts';
import { failedNote, gaveUpText, partlyDeliveredNote, retryingNote } from './delivery-notes.ts';
import type { OutboxPayload } from './payload.ts';

// A reply's delivery line is stored as a code that wraps the failure it reports; worded in
// English it reads as the sentence the outbox always wrote, in pt-BR as a whole Portuguese one.

const one = { messages: 1, envelope: { from: 'suporte@acme.example', to: ['ana@cliente.example'] } } as OutboxPayload;
const perRecipient = { messages: 2, envelope: { from: 'suporte@acme.example', to: ['bob@cliente.example'] } } as OutboxPayload;
const deferred = summaryText('SEND_DEFERRED', '421 4.3.2 Service busy');

describe('delivery notes', () => {
  it('say when a deferred reply is tried again, the server’s words inside the sentence', () => {
    const note = retryingNote(one, deferred, 2, 30_000);
    expect(note).toEqual({ code: 'delivery.retrying', params: { attempt: 2, wait: '30 s', failureText: 'mail.SEND_DEFERRED' }, detail: '421 4.3.2 Service busy' });
    expect(renderText(note, 'en')).toBe('Not sent yet (attempt 2): The server deferred the message (4xx): 421 4.3.2 Service busy Next attempt in 30 s.');
    expect(renderText(note, 'pt-BR')).toMatch(/^Ainda não enviado \(tentativa 2\): .+: 421 4\.3\.2 Service busy Próxima tentativa em 30 s\.$/);
  });

  it('name the recipients of one message in per-recipient mode, around the note', () => {
    const note = retryingNote(perRecipient, deferred, 1, 60_000);
    expect(note.code).toBe('delivery.forRecipients');
    expect(renderText(note, 'en')).toBe('To bob@cliente.example: Not sent yet (attempt 1): The server deferred the message (4xx): 421 4.3.2 Service busy Next attempt in 60 s.');
    expect(renderText(note, 'pt-BR')).toMatch(/^Para bob@cliente\.example: Ainda não enviado \(tentativa 1\)/);
    expect(renderText(failedNote(perRecipient, summaryText('MESSAGE_REJECTED', '550 spam')), 'en')).toBe('To bob@cliente.example: The server refused the message: 550 spam');
  });

  it('say how long a reply was tried before giving up', () => {
    expect(renderText(gaveUpText(deferred, 12, 24 * 3600_000), 'en')).toBe('The server deferred the message (4xx): 421 4.3.2 Service busy — gave up after 12 attempts over 24 h');
    expect(renderText(gaveUpText(deferred, 1, 57_000), 'en')).toBe('The server deferred the message (4xx): 421 4.3.2 Service busy — gave up after 1 attempt over 57 s');
    expect(renderText(gaveUpText(deferred, 12, 24 * 3600_000), 'pt-BR')).toMatch(/: 421 4\.3\.2 Service busy — desistimos depois de 12 tentativas ao longo de 24 h$/);
  });

  it('list refused recipients of a reply the others got, or say nothing', () => {
    const note = partlyDeliveredNote([{ address: 'ninguem@cliente.example', response: '550 5.1.1 User unknown' }, { address: 'x@cliente.example' }]);
    expect(note).toEqual({ code: 'delivery.partlyDelivered', params: { recipients: 'ninguem@cliente.example (550 5.1.1 User unknown), x@cliente.example' } });
    expect(renderText(note!, 'pt-BR')).toBe('Não entregue a ninguem@cliente.example (550 5.1.1 User unknown), x@cliente.example; os demais destinatários receberam.');
    expect(partlyDeliveredNote([])).toBeNull();
  });
});
