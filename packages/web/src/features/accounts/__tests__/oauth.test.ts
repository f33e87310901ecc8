import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { useAccountForm } from '../composables/useAccountForm.ts';
import { emptyForm, formFromAccount, inputFromForm, validateAccountForm, type AccountForm, type StoredAccount } from '../model/account-form.ts';
import {
  DRAFT_KEY,
  DRAFT_MAX_AGE_MS,
  draftOf,
  oauthProviderOf,
  oauthReturnOf,
  parseDraft,
  saveDraft,
  serverChanged,
  takeDraft,
  withOAuthConnection,
  withoutOAuthReturn,
  type OAuthProviderInfo,
  type PresetServers,
} from '../model/oauth.ts';

const microsoft: OAuthProviderInfo = {
  provider: 'MICROSOFT',
  configured: true,
  missingSettings: [],
  incomingHost: 'outlook.office365.com',
  incomingPort: 993,
  outgoingHost: 'smtp.office365.com',
  outgoingPort: 587,
};
const outlookPreset: PresetServers = {
  incoming: [
    { host: 'outlook.office365.com', port: 993 },
    { host: 'outlook.office365.com', port: 995 },
  ],
  outgoing: [{ host: 'smtp.office365.com', port: 587 }],
};
const connection = { id: '5b0c5a52-2f4e-4b7e-9a55-0d6f1c1b2a11', provider: 'MICROSOFT' as const, identity: 'ana@acme.onmicrosoft.com' };

/** The form as the admin leaves it for the provider: Microsoft 365 preset, name typed. */
function outlookDraft(): AccountForm {
  const form = emptyForm();
  form.name = 'Suporte Acme';
  form.providerId = 'outlook';
  form.incoming.host = 'outlook.office365.com';
  form.incoming.port = 993;
  form.outgoing.host = 'smtp.office365.com';
  form.outgoing.port = 587;
  form.outgoing.encryption = 'STARTTLS';
  return form;
}

const memoryStorage = () => {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
};

describe('OAuth presets', () => {
  it('offers Connect for the Google and Microsoft 365 presets only', () => {
    expect(oauthProviderOf('gmail')).toBe('GOOGLE');
    expect(oauthProviderOf('outlook')).toBe('MICROSOFT');
    expect(oauthProviderOf('yahoo')).toBeNull();
    expect(oauthProviderOf('')).toBeNull();
    expect(oauthProviderOf(null)).toBeNull();
  });
});

describe('the form draft over the round trip through the provider', () => {
  it('keeps everything typed but the secrets, and is read once', () => {
    const form = outlookDraft();
    form.incoming.password = 'app-password';
    form.outgoing.password = 'smtp-password';
    form.outgoing.accessToken = 'token';
    form.brand.name = 'Acme';
    const storage = memoryStorage();
    expect(saveDraft(storage, draftOf(form, { incoming: false, outgoing: true }, 1_000))).toBe(true);
    expect(storage.items.get(DRAFT_KEY)).not.toMatch(/app-password|smtp-password|token/);

    const draft = takeDraft(storage, 2_000);
    expect(draft?.form).toEqual({ ...form, incoming: { ...form.incoming, password: '' }, outgoing: { ...form.outgoing, password: '', accessToken: '' } });
    expect(draft?.portTyped).toEqual({ incoming: false, outgoing: true });
    expect(takeDraft(storage, 2_000)).toBeNull();
  });

  it('forgets a stale, foreign or broken draft', () => {
    const raw = JSON.stringify(draftOf(outlookDraft(), { incoming: false, outgoing: false }, 0));
    expect(parseDraft(raw, DRAFT_MAX_AGE_MS - 1)).not.toBeNull();
    expect(parseDraft(raw, DRAFT_MAX_AGE_MS + 1)).toBeNull();
    expect(parseDraft('{"v":2,"savedAt":0,"form":{}}', 0)).toBeNull();
    expect(parseDraft('{"v":1,"savedAt":0,"form":{"kind":"SOMETHING"}}', 0)).toBeNull();
    expect(parseDraft('not json', 0)).toBeNull();
    expect(parseDraft(null, 0)).toBeNull();
  });

  it('fills what an older draft lacks from the empty form', () => {
    const draft = parseDraft(JSON.stringify({ v: 1, savedAt: 0, form: { kind: 'EXTERNAL', name: 'Old', incoming: { host: 'imap.x' } } }), 0);
    expect(draft?.form.name).toBe('Old');
    expect(draft?.form.incoming.host).toBe('imap.x');
    expect(draft?.form.incoming.folder).toBe('INBOX');
    expect(draft?.form.outgoing).toEqual(emptyForm().outgoing);
    expect(draft?.form.oauth).toBeNull();
  });

  it('survives a browser that refuses storage', () => {
    const refusing = {
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      getItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => undefined,
    };
    expect(saveDraft(refusing, draftOf(emptyForm(), { incoming: false, outgoing: false }))).toBe(false);
    expect(takeDraft(refusing)).toBeNull();
  });
});

describe('the form filled from the consent that came back', () => {
  it('uses the provider’s servers (IMAP 993 SSL/TLS, SMTP 587 STARTTLS) and signs in as who consented', () => {
    const draft = outlookDraft();
    draft.incoming.protocol = 'POP3';
    draft.incoming.port = 995;
    draft.incoming.password = 'left over';
    draft.outgoing.useSeparateIdentity = true;
    draft.outgoing.username = 'other';
    const { form, kept } = withOAuthConnection(draft, connection, microsoft, outlookPreset, null);
    expect(kept).toEqual({ incoming: false, outgoing: false });
    expect(form.address).toBe('ana@acme.onmicrosoft.com');
    expect(form.name).toBe('Suporte Acme');
    expect(form.incoming).toMatchObject({ protocol: 'IMAP', host: 'outlook.office365.com', port: 993, encryption: 'SSL_TLS', username: 'ana@acme.onmicrosoft.com', password: '' });
    expect(form.outgoing).toMatchObject({ host: 'smtp.office365.com', port: 587, encryption: 'STARTTLS', requiresAuth: true, authMechanism: 'XOAUTH2', useSeparateIdentity: false, username: '' });
    expect(form.oauth).toEqual({ provider: 'MICROSOFT', identity: 'ana@acme.onmicrosoft.com', connectionId: connection.id, needsReconnect: false });
    // The draft itself is untouched.
    expect(draft.oauth).toBeNull();
  });

  it('keeps servers the admin changed from the preset (a local test server, an on-premises gateway)', () => {
    const draft = outlookDraft();
    draft.incoming.host = '127.0.0.1';
    draft.incoming.port = 10143;
    draft.incoming.encryption = 'NONE';
    draft.outgoing.port = 2525;
    const { form, kept } = withOAuthConnection(draft, connection, microsoft, outlookPreset, null);
    expect(kept).toEqual({ incoming: true, outgoing: true });
    expect(form.incoming).toMatchObject({ host: '127.0.0.1', port: 10143, encryption: 'NONE' });
    expect(form.outgoing).toMatchObject({ host: 'smtp.office365.com', port: 2525, encryption: 'STARTTLS', authMechanism: 'XOAUTH2' });
  });

  it('uses the shared mailbox’s address the admin typed, and fills an empty form with the provider', () => {
    const { form } = withOAuthConnection(emptyForm(), connection, microsoft, outlookPreset, ' Suporte@Acme.com.br ');
    expect(form.address).toBe('suporte@acme.com.br');
    expect(form.incoming.username).toBe('suporte@acme.com.br');
    expect(form.oauth?.identity).toBe('ana@acme.onmicrosoft.com');
    expect(form.providerId).toBe('outlook');
    expect(form.kind).toBe('EXTERNAL');
    expect(form.incoming.host).toBe('outlook.office365.com');
  });

  it('tells a preset server from a changed one', () => {
    expect(serverChanged('', null, outlookPreset.incoming, 'a@b.c')).toBe(false);
    expect(serverChanged('Outlook.Office365.com', 995, outlookPreset.incoming, 'a@b.c')).toBe(false);
    expect(serverChanged('outlook.office365.com', null, outlookPreset.incoming, 'a@b.c')).toBe(false);
    expect(serverChanged('outlook.office365.com', 143, outlookPreset.incoming, 'a@b.c')).toBe(true);
    expect(serverChanged('mail.acme.com.br', 993, outlookPreset.incoming, 'a@b.c')).toBe(true);
    expect(serverChanged('imap.acme.com.br', 993, [{ host: 'imap.{domain}', port: 993 }], 'x@acme.com.br')).toBe(false);
  });
});

describe('an OAuth account ⇄ EmailAccountInput', () => {
  it('is created with its consent, without passwords, signing in to SMTP with XOAUTH2', () => {
    const { form } = withOAuthConnection(outlookDraft(), connection, microsoft, outlookPreset, null);
    form.incoming.password = 'typed anyway';
    const input = inputFromForm(form);
    expect(input.oauthConnectionId).toBe(connection.id);
    expect(input.incoming).not.toHaveProperty('password');
    expect(input.outgoing).toEqual({ host: 'smtp.office365.com', port: 587, encryption: 'STARTTLS', requiresAuth: true, useSeparateIdentity: false, authMechanism: 'XOAUTH2', username: null });
    // Once saved, the consent belongs to the account and is not sent again.
    expect(inputFromForm({ ...form, oauth: { ...form.oauth!, connectionId: null } })).not.toHaveProperty('oauthConnectionId');
  });

  it('needs no password', () => {
    const { form } = withOAuthConnection(outlookDraft(), connection, microsoft, outlookPreset, null);
    expect(validateAccountForm(form, false)).toEqual({});
    expect(validateAccountForm({ ...form, oauth: null }, false)).toEqual({ 'incoming.password': 'required' });
  });

  it('loads a stored OAuth account with who it signs in as', () => {
    const stored: StoredAccount = {
      id: 'a1',
      name: 'SAC',
      kind: 'EXTERNAL',
      address: 'sac@acme.com.br',
      active: true,
      providerId: 'outlook',
      sendSingleMessageToAllRecipients: true,
      signature: null,
  acknowledgement: { enabled: false, subject: null, text: null },
      incoming: null,
      receiving: { enabled: false, newTicketPolicy: 'ANY_SENDER', appendReplies: true, sameSubjectPolicy: 'NEW_TICKET', dmarcFailPolicy: 'FLAG' },
      outgoing: null,
      brand: null,
      ticketType: null,
      group: null,
      oauth: { provider: 'MICROSOFT', identity: 'ana@acme.com.br', needsReconnect: true, failure: 'invalid_grant' },
    };
    expect(formFromAccount(stored).oauth).toEqual({ provider: 'MICROSOFT', identity: 'ana@acme.com.br', connectionId: null, needsReconnect: true });
  });
});

describe('the callback’s answer in the query', () => {
  it('reads a consent, a reconnect and a failure', () => {
    expect(oauthReturnOf({ oauthConnection: 'c1', address: 'suporte@acme.com.br' })).toEqual({ kind: 'connected', connectionId: 'c1', address: 'suporte@acme.com.br' });
    expect(oauthReturnOf({ oauthConnection: 'c1' })).toEqual({ kind: 'connected', connectionId: 'c1', address: null });
    expect(oauthReturnOf({ oauthReconnected: 'a1' })).toEqual({ kind: 'reconnected', accountId: 'a1' });
    expect(oauthReturnOf({ oauthError: 'OAUTH_REAUTH_REQUIRED', oauthDetail: 'access_denied', account: 'a1' })).toEqual({ kind: 'error', code: 'OAUTH_REAUTH_REQUIRED', detail: 'access_denied', accountId: 'a1' });
    expect(oauthReturnOf({ oauthError: ['OAUTH_UNAVAILABLE', 'x'] })).toEqual({ kind: 'error', code: 'OAUTH_UNAVAILABLE', detail: null, accountId: null });
    expect(oauthReturnOf({ tab: 'x' })).toBeNull();
    expect(withoutOAuthReturn({ oauthConnection: 'c1', address: 'a', tab: 'x' })).toEqual({ tab: 'x' });
  });
});

describe('useAccountForm with OAuth', () => {
  it('restores a draft with its typed ports, and drops a consent when another provider is chosen', async () => {
    const scope = effectScope();
    const state = scope.run(() => useAccountForm({ editing: ref(false), providers: ref([]), detectProvider: async () => null }))!;
    const draft = outlookDraft();
    draft.incoming.encryption = 'NONE';
    draft.incoming.port = 10143;
    state.restore(draft, { incoming: true, outgoing: false });
    await nextTick();
    expect(state.form.value.incoming.port).toBe(10143);
    expect(state.portTyped).toEqual({ incoming: true, outgoing: false });

    state.restore(withOAuthConnection(state.form.value, connection, microsoft, outlookPreset, null).form);
    expect(state.portTyped).toEqual({ incoming: true, outgoing: false });
    state.chooseProvider('outlook');
    expect(state.form.value.oauth?.provider).toBe('MICROSOFT');
    state.chooseProvider('');
    expect(state.form.value.oauth).toBeNull();
    scope.stop();
  });
});
