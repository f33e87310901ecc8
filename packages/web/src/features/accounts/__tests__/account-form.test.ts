import { describe, expect, it } from 'vitest';
import { emptyForm, formFromAccount, inputFromForm, presetHost, type StoredAccount } from '../model/account-form.ts';
import { testPassed, toTestDirections } from '../model/test-result.ts';

const stored: StoredAccount = {
  id: 'a1',
  name: 'Suporte',
  kind: 'EXTERNAL',
  address: 'atendimento@loja.com.br',
  active: true,
  providerId: null,
  sendSingleMessageToAllRecipients: false,
  signature: null,
  acknowledgement: { enabled: false, subject: null, text: null },
  incoming: {
    enabled: true,
    protocol: 'IMAP',
    host: 'imap.loja.com.br',
    port: 993,
    encryption: 'SSL_TLS',
    username: 'atendimento@loja.com.br',
    hasPassword: true,
    folder: 'INBOX',
    markAsRead: true,
    deleteAfterDays: 30,
    newTicketPolicy: 'REGISTERED_CLIENTS',
    appendReplies: true,
    sameSubjectPolicy: 'NEW_TICKET',
    importExisting: 'NONE',
    importExistingDays: null,
    trustedAuthservId: 'mx.loja.com.br',
  },
  receiving: { enabled: true, newTicketPolicy: 'REGISTERED_CLIENTS', appendReplies: true, sameSubjectPolicy: 'NEW_TICKET', dmarcFailPolicy: 'HOLD' },
  outgoing: {
    host: 'smtp.loja.com.br',
    port: 587,
    encryption: 'STARTTLS',
    requiresAuth: true,
    username: null,
    hasPassword: true,
    authMechanism: 'LOGIN',
    useSeparateIdentity: false,
  },
  brand: { name: 'Loja', url: 'https://loja.com.br', logoUrl: '/files/logo/a1?sig=x' },
  ticketType: null,
  group: { id: 'g1' },
  oauth: null,
};

describe('account form ⇄ EmailAccountInput', () => {
  it('round-trips a stored account without sending its write-only secrets', () => {
    const input = inputFromForm(formFromAccount(stored));
    expect(input.incoming).not.toHaveProperty('password');
    expect(input.outgoing).not.toHaveProperty('password');
    expect(input.brand).not.toHaveProperty('logoDataUrl');
    expect(input).toMatchObject({
      name: 'Suporte',
      kind: 'EXTERNAL',
      address: 'atendimento@loja.com.br',
      groupId: 'g1',
      ticketTypeId: null,
      sendSingleMessageToAllRecipients: false,
      signature: '',
      incoming: { host: 'imap.loja.com.br', port: 993, deleteAfterDays: 30, newTicketPolicy: 'REGISTERED_CLIENTS', sameSubjectPolicy: 'NEW_TICKET', folder: 'INBOX', dmarcFailPolicy: 'HOLD', trustedAuthservId: 'mx.loja.com.br' },
      outgoing: { host: 'smtp.loja.com.br', port: 587, encryption: 'STARTTLS', requiresAuth: true, authMechanism: 'LOGIN', useSeparateIdentity: false, username: null },
    });
  });

  it('sends a typed password, and the removal of a stored logo as an empty string', () => {
    const form = formFromAccount(stored);
    form.incoming.password = 'nova-senha';
    form.brand.logoDataUrl = null;
    const input = inputFromForm(form);
    expect(input.incoming?.password).toBe('nova-senha');
    expect(input.brand?.logoDataUrl).toBe('');
  });

  it('sends only the local part and the import policies for a built-in account', () => {
    const form = emptyForm();
    form.kind = 'BUILTIN';
    form.name = 'Padrão';
    form.localPart = 'contato';
    form.incoming.newTicketPolicy = 'NEVER';
    const input = inputFromForm(form);
    expect(input.address).toBe('contato');
    expect(input.outgoing).toBeNull();
    expect(input.incoming).toMatchObject({ enabled: true, newTicketPolicy: 'NEVER', host: '' });
  });

  it('leaves the port out when cleared, so the server fills it', () => {
    const form = emptyForm();
    form.incoming.port = null;
    expect(inputFromForm(form).incoming?.port).toBeNull();
  });

  it('omits the SMTP login unless a separate identity is used', () => {
    const form = emptyForm();
    form.outgoing.username = 'smtp-user';
    form.outgoing.password = 'smtp-pass';
    expect(inputFromForm(form).outgoing).toMatchObject({ username: null });
    expect(inputFromForm(form).outgoing).not.toHaveProperty('password');
    form.outgoing.useSeparateIdentity = true;
    expect(inputFromForm(form).outgoing).toMatchObject({ username: 'smtp-user', password: 'smtp-pass', useSeparateIdentity: true });
  });

  it('fills {domain} in provider presets from the address', () => {
    expect(presetHost('mail.{domain}', 'atendimento@loja.com.br')).toBe('mail.loja.com.br');
    expect(presetHost('imap.gmail.com', 'x@gmail.com')).toBe('imap.gmail.com');
  });
});

describe('test results', () => {
  const side = (state: 'OK' | 'ERROR' | 'DISABLED') => ({ state, message: null, code: null, hint: null, checks: [] });
  it('passes when every direction is OK or switched off', () => {
    expect(testPassed(toTestDirections({ incoming: side('OK'), outgoing: side('DISABLED') }))).toBe(true);
    expect(testPassed(toTestDirections({ incoming: side('OK'), outgoing: side('ERROR') }))).toBe(false);
  });
});
