import type { OAuthProvider } from '#graphql/enums.ts';
import type { ResultOf } from '#graphql/graphql.ts';
import type { AccountFormOptionsQuery } from '../graphql/accounts.ts';
import type { OAuthConnectionQuery } from '../graphql/oauth.ts';
import { emptyForm, presetHost, type AccountForm } from './account-form.ts';

// "Connect with Google / Microsoft" (issue 13) without the screen: which presets offer it, the
// form draft that survives the round trip through the provider, and the form filled from the
// consent that came back.

export type OAuthProviderInfo = ResultOf<typeof AccountFormOptionsQuery>['oauthProviders'][number];
export type OAuthConnection = NonNullable<ResultOf<typeof OAuthConnectionQuery>['oauthConnection']>;
type Side = 'incoming' | 'outgoing';

/** The provider presets (`emailProviders` ids) whose mailboxes can be connected with OAuth. */
const PRESET_PROVIDER: Readonly<Record<string, OAuthProvider>> = { gmail: 'GOOGLE', outlook: 'MICROSOFT' };
const PROVIDER_PRESET: Readonly<Record<OAuthProvider, string>> = { GOOGLE: 'gmail', MICROSOFT: 'outlook' };

/** The OAuth provider behind a preset, or null when the preset (or manual settings) has none. */
export function oauthProviderOf(providerId: string | null | undefined): OAuthProvider | null {
  return (providerId && PRESET_PROVIDER[providerId]) || null;
}

/** The preset (`emailProviders` id) of an OAuth provider. */
export function presetIdOf(provider: OAuthProvider): string {
  return PROVIDER_PRESET[provider];
}

// --- The draft kept in sessionStorage while the admin is at the provider.

export const DRAFT_KEY = 'correio.accountDraft';
/** A draft older than this is stale (a consent must come back within 10 minutes anyway). */
export const DRAFT_MAX_AGE_MS = 30 * 60_000;

export interface AccountDraft {
  v: 1;
  savedAt: number;
  form: AccountForm;
  /** Which ports were typed by hand (they stay when protocol or encryption change). */
  portTyped: Record<Side, boolean>;
}

/** The form as a draft, without any password or token: secrets never go to browser storage. */
export function draftOf(form: AccountForm, portTyped: Record<Side, boolean>, now = Date.now()): AccountDraft {
  const copy = JSON.parse(JSON.stringify(form)) as AccountForm;
  copy.incoming.password = '';
  copy.outgoing.password = '';
  copy.outgoing.accessToken = '';
  return { v: 1, savedAt: now, form: copy, portTyped: { incoming: portTyped.incoming, outgoing: portTyped.outgoing } };
}

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * A stored draft, or null when there is none, it is stale, or it is not one of ours. Fields a
 * draft lacks (written by an older version of the app) take their empty-form values.
 */
export function parseDraft(raw: string | null, now = Date.now()): AccountDraft | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(value) || value['v'] !== 1 || typeof value['savedAt'] !== 'number' || !isObject(value['form'])) return null;
  if (now - value['savedAt'] > DRAFT_MAX_AGE_MS || value['savedAt'] > now + 60_000) return null;
  const stored = value['form'];
  if (stored['kind'] !== 'EXTERNAL' && stored['kind'] !== 'BUILTIN') return null;
  const base = emptyForm();
  const part = <K extends 'incoming' | 'outgoing' | 'brand'>(key: K): AccountForm[K] => ({ ...base[key], ...(isObject(stored[key]) ? stored[key] : {}) }) as AccountForm[K];
  const form: AccountForm = { ...base, ...stored, incoming: part('incoming'), outgoing: part('outgoing'), brand: part('brand') } as AccountForm;
  const typed = isObject(value['portTyped']) ? value['portTyped'] : {};
  return { v: 1, savedAt: value['savedAt'], form, portTyped: { incoming: typed['incoming'] === true, outgoing: typed['outgoing'] === true } };
}

/** Keeps the draft; false when the browser refuses (storage full or disabled). */
export function saveDraft(storage: Pick<Storage, 'setItem'>, draft: AccountDraft): boolean {
  try {
    storage.setItem(DRAFT_KEY, JSON.stringify(draft));
    return true;
  } catch {
    return false;
  }
}

/** Reads the draft once: it is removed, so a later visit to the form starts empty. */
export function takeDraft(storage: Pick<Storage, 'getItem' | 'removeItem'>, now = Date.now()): AccountDraft | null {
  try {
    const raw = storage.getItem(DRAFT_KEY);
    storage.removeItem(DRAFT_KEY);
    return parseDraft(raw, now);
  } catch {
    return null;
  }
}

// --- Filling the form from the consent that came back.

type Server = { host: string; port: number };
/** Servers of the chosen provider preset (`emailProviders`), to tell a preset server from one the admin typed. */
export interface PresetServers {
  incoming: readonly Server[];
  outgoing: readonly Server[];
}

/**
 * Whether the admin changed a server away from the provider's: a host that is none of the
 * provider's, or a port that is none of that host's. An empty host is not a change.
 */
export function serverChanged(host: string, port: number | null, known: readonly Server[], address: string): boolean {
  const typed = host.trim().toLowerCase();
  if (!typed) return false;
  const same = known.filter((s) => presetHost(s.host, address).toLowerCase() === typed);
  if (!same.length) return true;
  return port !== null && !same.some((s) => s.port === port);
}

export interface FilledFromConnection {
  form: AccountForm;
  /** The sides whose servers the admin had changed and were kept as they were. */
  kept: Record<Side, boolean>;
}

/**
 * The form once the consent came back: the account signs in as `connection` with OAuth, its
 * address is the shared mailbox the admin typed (else who signed in), the user name is that
 * address, and the servers are the provider's — IMAP 993 SSL/TLS and SMTP 587 STARTTLS — except
 * a side whose servers the admin had changed from the preset, which stays as it was.
 */
export function withOAuthConnection(draft: AccountForm, connection: OAuthConnection, info: OAuthProviderInfo | undefined, preset: PresetServers | undefined, sharedAddress: string | null): FilledFromConnection {
  const form = JSON.parse(JSON.stringify(draft)) as AccountForm;
  form.kind = 'EXTERNAL';
  if (oauthProviderOf(form.providerId) !== connection.provider) form.providerId = PROVIDER_PRESET[connection.provider];
  const address = sharedAddress?.trim().toLowerCase() || connection.identity;
  form.address = address;
  form.oauth = { provider: connection.provider, identity: connection.identity, connectionId: connection.id, needsReconnect: false };

  const known = (side: Side): Server[] => [
    ...(preset?.[side] ?? []),
    ...(info ? [side === 'incoming' ? { host: info.incomingHost, port: info.incomingPort } : { host: info.outgoingHost, port: info.outgoingPort }] : []),
  ];
  const kept = {
    incoming: serverChanged(form.incoming.host, form.incoming.port, known('incoming'), address),
    outgoing: serverChanged(form.outgoing.host, form.outgoing.port, known('outgoing'), address),
  };
  if (!kept.incoming && info) {
    form.incoming.protocol = 'IMAP';
    form.incoming.host = info.incomingHost;
    form.incoming.port = info.incomingPort;
    form.incoming.encryption = 'SSL_TLS';
  }
  if (!kept.outgoing && info) {
    form.outgoing.host = info.outgoingHost;
    form.outgoing.port = info.outgoingPort;
    form.outgoing.encryption = 'STARTTLS';
  }
  form.incoming.username = address;
  form.incoming.password = '';
  form.outgoing.requiresAuth = true;
  form.outgoing.authMechanism = 'XOAUTH2';
  form.outgoing.useSeparateIdentity = false;
  form.outgoing.username = '';
  form.outgoing.password = '';
  form.outgoing.accessToken = '';
  return { form, kept };
}

/** The callback's outcome, read from the query it redirected to. */
export type OAuthReturn =
  | { kind: 'connected'; connectionId: string; address: string | null }
  | { kind: 'reconnected'; accountId: string }
  | { kind: 'error'; code: string; detail: string | null; accountId: string | null }
  | null;

export function oauthReturnOf(query: Record<string, unknown>): OAuthReturn {
  const one = (key: string): string | null => {
    const value = query[key];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' && first ? first : null;
  };
  const error = one('oauthError');
  if (error) return { kind: 'error', code: error, detail: one('oauthDetail'), accountId: one('account') };
  const connection = one('oauthConnection');
  if (connection) return { kind: 'connected', connectionId: connection, address: one('address') };
  const reconnected = one('oauthReconnected');
  if (reconnected) return { kind: 'reconnected', accountId: reconnected };
  return null;
}

/** The query without the callback's parameters, for `router.replace` once they were handled. */
export function withoutOAuthReturn<Q extends Record<string, unknown>>(query: Q): Q {
  const rest = { ...query };
  for (const key of ['oauthError', 'oauthDetail', 'account', 'oauthConnection', 'address', 'oauthReconnected']) delete rest[key];
  return rest;
}
