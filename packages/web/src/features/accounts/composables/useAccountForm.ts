import { defaultIncomingPort, defaultOutgoingPort } from '@correio/mail-settings';
import { computed, inject, onScopeDispose, provide, reactive, ref, watch, type InjectionKey, type Ref } from 'vue';
import type { ResultOf } from '#graphql/graphql.ts';
import { looksLikeEmail } from '#shared/utils/email.ts';
import type { DetectEmailProviderQuery } from '../graphql/account-status.ts';
import { emptyForm, formFromAccount, presetHost, validateAccountForm, type AccountForm, type AccountFormProblem, type Provider, type StoredAccount } from '../model/account-form.ts';
import { oauthProviderOf } from '../model/oauth.ts';

export type ProviderDetection = ResultOf<typeof DetectEmailProviderQuery>['detectEmailProvider'];
type Preset = Provider['incoming'][number];
/** The two servers of an external account; both have host, encryption and port. */
export type ServerSide = 'incoming' | 'outgoing';

export interface AccountFormOptions {
  /** Editing a stored account: empty passwords keep the stored ones. */
  editing: Ref<boolean>;
  /** The provider presets (`emailProviders`). */
  providers: Ref<Provider[]>;
  /** Asks the API which provider serves an address, by its domain or its MX records. */
  detectProvider: (address: string) => Promise<ProviderDetection | null>;
  /** How long the address must rest before it is looked up. */
  detectDelayMs?: number;
}

/**
 * The account form's state and its rules, without the screen: ports that fill themselves from
 * protocol and encryption until typed by hand (A2), provider detection from the address,
 * provider presets, local validation, and field errors that go away once their field changes.
 */
export function useAccountForm({ editing, providers, detectProvider, detectDelayMs = 600 }: AccountFormOptions) {
  const form = ref<AccountForm>(emptyForm());
  const errors = ref<Record<string, string>>({});
  /** A port typed by hand is kept; an automatic one follows protocol and encryption. */
  const portTyped = reactive<Record<ServerSide, boolean>>({ incoming: false, outgoing: false });
  const portAuto = computed<Record<ServerSide, number>>(() => ({
    incoming: defaultIncomingPort(form.value.incoming.protocol, form.value.incoming.encryption),
    outgoing: defaultOutgoingPort(form.value.outgoing.encryption),
  }));
  /** Once a provider (or "manual") was chosen, or a stored account loaded, nothing is suggested. */
  const providerTouched = ref(false);
  const provider = computed(() => providers.value.find((p) => p.id === form.value.providerId));

  function load(account: StoredAccount) {
    form.value = formFromAccount(account);
    portTyped.incoming = form.value.incoming.port !== portAuto.value.incoming;
    portTyped.outgoing = form.value.outgoing.port !== portAuto.value.outgoing;
    providerTouched.value = true;
  }

  /**
   * Puts a whole form back (a draft kept over the OAuth round trip, or the form filled from the
   * consent): typed ports stay typed, automatic ones follow protocol and encryption again.
   */
  function restore(value: AccountForm, typed?: Record<ServerSide, boolean>) {
    form.value = value;
    portTyped.incoming = typed?.incoming ?? value.incoming.port !== defaultIncomingPort(value.incoming.protocol, value.incoming.encryption);
    portTyped.outgoing = typed?.outgoing ?? value.outgoing.port !== defaultOutgoingPort(value.outgoing.encryption);
    providerTouched.value = true;
  }

  // --- Ports.
  watch(
    () => [form.value.incoming.protocol, form.value.incoming.encryption] as const,
    ([protocol, encryption]) => {
      if (!portTyped.incoming) form.value.incoming.port = defaultIncomingPort(protocol, encryption);
    },
  );
  watch(
    () => form.value.outgoing.encryption,
    (encryption) => {
      if (!portTyped.outgoing) form.value.outgoing.port = defaultOutgoingPort(encryption);
    },
  );
  /** From the port input: a number is kept as typed, a cleared input (null) fills itself again. */
  function onPortInput(side: ServerSide, value: string | number | null) {
    portTyped[side] = value !== null;
  }

  // --- Provider detection from the address.
  const detection = ref<ProviderDetection | null>(null);
  let detectedFor = '';
  async function detect() {
    const address = form.value.address.trim();
    if (form.value.kind !== 'EXTERNAL' || providerTouched.value || !looksLikeEmail(address) || address === detectedFor) return;
    detectedFor = address;
    const found = await detectProvider(address);
    // An answer for an address that has changed meanwhile is stale.
    if (form.value.address.trim() === address) detection.value = found;
  }
  let detectTimer: ReturnType<typeof setTimeout> | undefined;
  watch(
    () => form.value.address,
    () => {
      clearTimeout(detectTimer);
      detectTimer = setTimeout(() => void detect(), detectDelayMs);
    },
  );
  onScopeDispose(() => clearTimeout(detectTimer));
  const suggestion = computed(() => (providerTouched.value || form.value.providerId ? null : detection.value?.provider ? detection.value : null));

  // --- Provider presets.
  /** Fills servers, ports and encryption from a provider; `presets` when a suggestion brought them. */
  function applyProvider(id: string, presets?: { incoming: Preset[]; outgoing: Preset[] }) {
    const f = form.value;
    f.providerId = id;
    providerTouched.value = true;
    const p = presets ?? providers.value.find((x) => x.id === id);
    if (!p) return;
    const inc = p.incoming.find((s) => s.protocol === f.incoming.protocol) ?? p.incoming[0];
    if (inc) {
      f.incoming.protocol = inc.protocol === 'POP3' ? 'POP3' : 'IMAP';
      f.incoming.host = presetHost(inc.host, f.address);
      f.incoming.encryption = inc.encryption;
      f.incoming.port = inc.port;
      portTyped.incoming = inc.port !== defaultIncomingPort(f.incoming.protocol, inc.encryption);
    }
    const out = p.outgoing[0];
    if (out) {
      f.sending = true;
      f.outgoing.host = presetHost(out.host, f.address);
      f.outgoing.encryption = out.encryption;
      f.outgoing.port = out.port;
      f.outgoing.requiresAuth = true;
      portTyped.outgoing = out.port !== defaultOutgoingPort(out.encryption);
    }
    if (!f.incoming.username) f.incoming.username = f.address.trim();
  }
  /** The provider select: a provider's presets, or '' for manual settings. */
  function chooseProvider(id: string) {
    // A consent of one provider does not sign in to another's servers: choosing another drops it.
    const oauth = form.value.oauth;
    if (oauth && !editing.value && oauthProviderOf(id) !== oauth.provider) form.value.oauth = null;
    if (id) return applyProvider(id);
    form.value.providerId = '';
    providerTouched.value = true;
  }
  function onAddressBlur() {
    const f = form.value;
    if (f.kind === 'EXTERNAL' && !f.incoming.username && f.address.includes('@')) f.incoming.username = f.address.trim();
    void detect();
  }

  // --- Errors. A field's error goes away as soon as that field is changed.
  let errorSnapshot: AccountForm | null = null;
  watch(errors, (value) => {
    errorSnapshot = Object.keys(value).length ? (JSON.parse(JSON.stringify(form.value)) as AccountForm) : null;
  });
  function valueAt(source: unknown, key: string): unknown {
    const path = key === 'address' && form.value.kind === 'BUILTIN' ? ['localPart'] : key.split('.');
    return path.reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), source);
  }
  watch(
    form,
    () => {
      if (!errorSnapshot) return;
      const remaining = Object.fromEntries(Object.entries(errors.value).filter(([key]) => JSON.stringify(valueAt(form.value, key)) === JSON.stringify(valueAt(errorSnapshot, key))));
      if (Object.keys(remaining).length !== Object.keys(errors.value).length) {
        const snapshot = errorSnapshot;
        errors.value = remaining;
        errorSnapshot = Object.keys(remaining).length ? snapshot : null;
      }
    },
    { deep: true },
  );

  /** Checks what can be checked without the server; shows each problem, worded by `words`. */
  function validate(words: (problem: AccountFormProblem) => string): boolean {
    const problems = Object.entries(validateAccountForm(form.value, editing.value));
    errors.value = Object.fromEntries(problems.map(([key, problem]) => [key, words(problem)]));
    return problems.length === 0;
  }

  /** Whether a secret field shows "stored": editing, one is stored, and the field has no error. */
  function keepsStoredSecret(stored: boolean, field: string): boolean {
    return editing.value && stored && !errors.value[field];
  }

  return { form, errors, editing, provider, suggestion, portTyped, portAuto, load, restore, onPortInput, applyProvider, chooseProvider, onAddressBlur, validate, keepsStoredSecret };
}

export type AccountFormState = ReturnType<typeof useAccountForm>;

const ACCOUNT_FORM: InjectionKey<AccountFormState> = Symbol('account form');

/** The form view shares its state with its sections (AccountFormIncoming, AccountFormOutgoing…). */
export function provideAccountForm(state: AccountFormState): void {
  provide(ACCOUNT_FORM, state);
}

export function useAccountFormContext(): AccountFormState {
  const state = inject(ACCOUNT_FORM);
  if (!state) throw new Error('useAccountFormContext() outside AccountFormView');
  return state;
}
