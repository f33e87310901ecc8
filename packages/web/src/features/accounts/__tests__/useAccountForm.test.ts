import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { useAccountForm, type ProviderDetection } from '../composables/useAccountForm.ts';
import { emptyForm, inputFromForm, validateAccountForm, type Provider, type StoredAccount } from '../model/account-form.ts';

const gmail: Provider = {
  id: 'gmail',
  name: 'Gmail',
  domains: ['gmail.com'],
  authHint: 'Use an app password.',
  authHintText: { code: 'provider.gmail.authHint', params: [], detail: null },
  incoming: [
    { protocol: 'IMAP', host: 'imap.gmail.com', port: 993, encryption: 'SSL_TLS' },
    { protocol: 'POP3', host: 'pop.gmail.com', port: 995, encryption: 'SSL_TLS' },
  ],
  outgoing: [{ protocol: 'SMTP', host: 'smtp.gmail.com', port: 587, encryption: 'STARTTLS' }],
};
const hosted: Provider = {
  id: 'locaweb',
  name: 'Locaweb',
  domains: [],
  authHint: null,
  authHintText: null,
  incoming: [{ protocol: 'IMAP', host: 'imap.{domain}', port: 1993, encryption: 'SSL_TLS' }],
  outgoing: [{ protocol: 'SMTP', host: 'smtp.{domain}', port: 465, encryption: 'SSL_TLS' }],
};

const detected = (domain: string): ProviderDetection => ({
  domain,
  source: 'MX',
  message: 'Mail for this domain is handled by Locaweb.',
  mxHosts: ['mx.locaweb.com.br'],
  provider: { id: 'locaweb', name: 'Locaweb', authHint: null },
  incoming: hosted.incoming,
  outgoing: hosted.outgoing,
});

function setup(options: { editing?: boolean; detectProvider?: (address: string) => Promise<ProviderDetection | null> } = {}) {
  const detectProvider = vi.fn(options.detectProvider ?? (async (address: string) => detected(address.split('@')[1] ?? '')));
  const scope = effectScope();
  const state = scope.run(() => useAccountForm({ editing: ref(options.editing ?? false), providers: ref([gmail, hosted]), detectProvider, detectDelayMs: 600 }))!;
  scopes.push(scope);
  return { state, form: state.form, detectProvider };
}
const scopes: Array<ReturnType<typeof effectScope>> = [];
afterEach(() => {
  for (const scope of scopes.splice(0)) scope.stop();
  vi.useRealTimers();
});

describe('useAccountForm: ports fill themselves until typed (A2)', () => {
  it('follows protocol and encryption', async () => {
    const { form } = setup();
    expect(form.value.incoming.port).toBe(993);
    form.value.incoming.encryption = 'STARTTLS';
    await nextTick();
    expect(form.value.incoming.port).toBe(143);
    form.value.incoming.protocol = 'POP3';
    await nextTick();
    expect(form.value.incoming.port).toBe(110);
    form.value.outgoing.encryption = 'STARTTLS';
    await nextTick();
    expect(form.value.outgoing.port).toBe(587);
  });

  it('keeps a typed port, and fills again once the input is cleared', async () => {
    const { state, form } = setup();
    form.value.incoming.port = 1143;
    state.onPortInput('incoming', 1143);
    form.value.incoming.encryption = 'NONE';
    await nextTick();
    expect(form.value.incoming.port).toBe(1143);
    expect(state.portTyped.incoming).toBe(true);

    state.onPortInput('incoming', null);
    form.value.incoming.encryption = 'SSL_TLS';
    await nextTick();
    expect(form.value.incoming.port).toBe(993);
    expect(state.portAuto.value.incoming).toBe(993);
  });

  it('counts a stored port that is not the default as typed', async () => {
    const { state, form } = setup({ editing: true });
    state.load(storedAccount({ incomingPort: 1993, outgoingPort: 587 }));
    expect(state.portTyped).toEqual({ incoming: true, outgoing: false });
    await nextTick();
    form.value.incoming.encryption = 'STARTTLS';
    form.value.outgoing.encryption = 'SSL_TLS';
    await nextTick();
    expect(form.value.incoming.port).toBe(1993);
    expect(form.value.outgoing.port).toBe(465);
  });
});

describe('useAccountForm: provider presets', () => {
  it('fills servers, ports and the user name from the chosen provider', () => {
    const { state, form } = setup();
    form.value.address = 'sac@gmail.com';
    state.chooseProvider('gmail');
    expect(form.value.providerId).toBe('gmail');
    expect(form.value.incoming).toMatchObject({ protocol: 'IMAP', host: 'imap.gmail.com', port: 993, encryption: 'SSL_TLS', username: 'sac@gmail.com' });
    expect(form.value.outgoing).toMatchObject({ host: 'smtp.gmail.com', port: 587, encryption: 'STARTTLS', requiresAuth: true });
    expect(state.portTyped).toEqual({ incoming: false, outgoing: false });
    expect(state.provider.value?.authHint).toBe('Use an app password.');
  });

  it('keeps the chosen protocol when the provider has a preset for it', () => {
    const { state, form } = setup();
    form.value.incoming.protocol = 'POP3';
    state.chooseProvider('gmail');
    expect(form.value.incoming).toMatchObject({ protocol: 'POP3', host: 'pop.gmail.com', port: 995 });
  });

  it('puts the address’s domain into per-domain hosts, and keeps an unusual preset port', async () => {
    const { state, form } = setup();
    form.value.address = 'atendimento@loja.com.br';
    state.chooseProvider('locaweb');
    expect(form.value.incoming.host).toBe('imap.loja.com.br');
    expect(form.value.outgoing.host).toBe('smtp.loja.com.br');
    expect(state.portTyped.incoming).toBe(true);
    form.value.incoming.encryption = 'STARTTLS';
    await nextTick();
    expect(form.value.incoming.port).toBe(1993);
  });

  it('switches to manual settings without touching the servers', () => {
    const { state, form } = setup();
    state.chooseProvider('gmail');
    state.chooseProvider('');
    expect(form.value.providerId).toBe('');
    expect(form.value.incoming.host).toBe('imap.gmail.com');
  });
});

describe('useAccountForm: provider detection from the address', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('looks the address up once it rests, and offers the provider', async () => {
    const { state, form, detectProvider } = setup();
    form.value.address = 'atendimento@loja';
    await nextTick();
    form.value.address = 'atendimento@loja.com.br';
    await nextTick();
    await vi.advanceTimersByTimeAsync(599);
    expect(detectProvider).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(detectProvider).toHaveBeenCalledExactlyOnceWith('atendimento@loja.com.br');
    expect(state.suggestion.value?.provider?.id).toBe('locaweb');

    // Using the suggestion applies the presets it brought, and the suggestion goes away.
    const suggestion = state.suggestion.value!;
    state.applyProvider(suggestion.provider!.id, suggestion);
    expect(form.value.incoming.host).toBe('imap.loja.com.br');
    expect(state.suggestion.value).toBeNull();
  });

  it('does not ask again for the same address, nor for something that is no address', async () => {
    const { state, form, detectProvider } = setup();
    form.value.address = 'not-an-address';
    state.onAddressBlur();
    await vi.runAllTimersAsync();
    expect(detectProvider).not.toHaveBeenCalled();
    form.value.address = 'a@loja.com.br';
    state.onAddressBlur();
    await vi.runAllTimersAsync();
    expect(detectProvider).toHaveBeenCalledTimes(1);
    expect(form.value.incoming.username).toBe('a@loja.com.br');
  });

  it('offers nothing once a provider was chosen, nor for a stored account', async () => {
    const chosen = setup();
    chosen.state.chooseProvider('');
    chosen.form.value.address = 'a@loja.com.br';
    await vi.runAllTimersAsync();
    expect(chosen.detectProvider).not.toHaveBeenCalled();

    const editing = setup({ editing: true });
    editing.state.load(storedAccount({ incomingPort: 993, outgoingPort: 587 }));
    await vi.runAllTimersAsync();
    expect(editing.detectProvider).not.toHaveBeenCalled();
  });

  it('drops an answer for an address that changed meanwhile', async () => {
    let answer: (d: ProviderDetection) => void = () => undefined;
    const { state, form } = setup({ detectProvider: () => new Promise((resolve) => (answer = resolve)) });
    form.value.address = 'a@loja.com.br';
    state.onAddressBlur();
    form.value.address = 'a@outra.com.br';
    answer(detected('loja.com.br'));
    await Promise.resolve();
    expect(state.suggestion.value).toBeNull();
  });
});

describe('useAccountForm: errors', () => {
  it('shows what fails locally, worded by the caller', () => {
    const { state } = setup();
    expect(state.validate((problem) => `<${problem}>`)).toBe(false);
    expect(state.errors.value).toEqual({
      name: '<required>',
      address: '<addressInvalid>',
      'incoming.host': '<required>',
      'incoming.username': '<required>',
      'incoming.password': '<required>',
      'outgoing.host': '<required>',
    });
  });

  it('drops a field’s error as soon as that field changes, and only that one', async () => {
    const { state, form } = setup();
    state.validate((problem) => problem);
    await nextTick();
    form.value.incoming.host = 'imap.loja.com.br';
    await nextTick();
    expect(state.errors.value).not.toHaveProperty('incoming.host');
    expect(state.errors.value).toHaveProperty('outgoing.host');
  });

  it('treats the local part as the address of a built-in account', async () => {
    const { state, form } = setup();
    form.value.kind = 'BUILTIN';
    form.value.localPart = '';
    state.validate((problem) => problem);
    expect(state.errors.value).toEqual({ name: 'required', address: 'required' });
    await nextTick();
    form.value.localPart = 'contato';
    await nextTick();
    expect(state.errors.value).toEqual({ name: 'required' });
  });

  it('shows a stored secret as kept only while editing and without an error', () => {
    const creating = setup();
    expect(creating.state.keepsStoredSecret(true, 'incoming.password')).toBe(false);
    const { state } = setup({ editing: true });
    expect(state.keepsStoredSecret(true, 'incoming.password')).toBe(true);
    expect(state.keepsStoredSecret(false, 'incoming.password')).toBe(false);
    state.errors.value = { 'incoming.password': 'Type the password again' };
    expect(state.keepsStoredSecret(true, 'incoming.password')).toBe(false);
  });
});

describe('validateAccountForm', () => {
  it('keeps a stored password when editing, and needs one direction switched on', () => {
    const form = emptyForm();
    form.name = 'Suporte';
    form.address = 'sac@loja.com.br';
    form.incoming.host = 'imap.loja.com.br';
    form.incoming.username = 'sac@loja.com.br';
    form.outgoing.host = 'smtp.loja.com.br';
    expect(validateAccountForm(form, false)).toEqual({ 'incoming.password': 'required' });
    expect(validateAccountForm(form, true)).toEqual({});
    form.incoming.enabled = false;
    form.sending = false;
    expect(validateAccountForm(form, true)).toEqual({ incoming: 'needOneDirection' });
    // And what passes is what gets sent.
    expect(inputFromForm(form).address).toBe('sac@loja.com.br');
  });
});

function storedAccount({ incomingPort, outgoingPort }: { incomingPort: number; outgoingPort: number }): StoredAccount {
  return {
    id: 'a1',
    name: 'Suporte',
    kind: 'EXTERNAL',
    address: 'atendimento@loja.com.br',
    active: true,
    providerId: 'locaweb',
    sendSingleMessageToAllRecipients: true,
    signature: null,
  acknowledgement: { enabled: false, subject: null, text: null },
    incoming: {
      enabled: true,
      protocol: 'IMAP',
      host: 'imap.loja.com.br',
      port: incomingPort,
      encryption: 'SSL_TLS',
      username: 'atendimento@loja.com.br',
      hasPassword: true,
      folder: 'INBOX',
      markAsRead: false,
      deleteAfterDays: null,
      newTicketPolicy: 'ANY_SENDER',
      appendReplies: true,
      sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC',
      importExisting: 'NONE',
      importExistingDays: null,
      trustedAuthservId: null,
    },
    receiving: { enabled: true, newTicketPolicy: 'ANY_SENDER', appendReplies: true, sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC', dmarcFailPolicy: 'FLAG' },
    outgoing: { host: 'smtp.loja.com.br', port: outgoingPort, encryption: 'STARTTLS', requiresAuth: true, username: null, hasPassword: true, authMechanism: 'PLAIN', useSeparateIdentity: false },
    brand: null,
    ticketType: null,
    group: null,
    oauth: null,
  };
}
