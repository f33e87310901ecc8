import { renderText, type ServerText } from '@correio/texts';
import { builder } from '../builder.ts';
import { LocalizedTextRef } from './localized-text.ts';
import type { AccountStatusView, CheckPhaseView, ConnectionErrorRow, ConnectionStatusView } from '../services/status-service.ts';
import { ConnectionStateEnum, DirectionEnum } from './enums.ts';

const CheckPhaseResultRef = builder.objectRef<CheckPhaseView>('CheckPhaseResult').implement({
  description: 'One step of a connection check, as “Save and test” shows it inline (A8, A9).',
  fields: (t) => ({
    phase: t.exposeString('phase', { description: 'CONFIG, OAUTH, DNS, CONNECT, TLS, GREETING, AUTH or MAILBOX.' }),
    ok: t.exposeBoolean('ok', { description: 'Whether this step succeeded; a check stops at the first failed step.' }),
    ms: t.exposeInt('ms', { description: 'How long the step took, in milliseconds.' }),
    detail: t.string({ description: 'What was found (e.g. the certificate and its expiry, the folder’s message count) or what went wrong, in the request’s language.', resolve: (p, _a, ctx) => worded(p.detailText, p.detail, ctx.locale) ?? p.detail }),
    detailText: t.field({ type: LocalizedTextRef, nullable: true, description: '`detail` as a text code.', resolve: (p) => p.detailText }),
    code: t.exposeString('code', { nullable: true, description: 'Error code of a failed step, e.g. CERT_INVALID.' }),
    serverResponse: t.exposeString('serverResponse', { nullable: true, description: 'The server’s own response line for a failed step, when there was one.' }),
    transient: t.exposeBoolean('transient', { nullable: true, description: 'For a failed step: whether the problem may clear by itself.' }),
    hint: t.string({ nullable: true, description: 'For a failed step: what an admin can do about it, in the request’s language.', resolve: (p, _a, ctx) => worded(p.hintText, p.hint, ctx.locale) }),
    hintText: t.field({ type: LocalizedTextRef, nullable: true, description: '`hint` as a text code.', resolve: (p) => p.hintText }),
  }),
});

const ConnectionStatusRef = builder.objectRef<ConnectionStatusView>('ConnectionStatus').implement({
  description: 'State of one direction of an account.',
  fields: (t) => ({
    state: t.expose('state', { type: ConnectionStateEnum, description: 'OK, INTERMITTENT, ERROR, CHECKING, DISABLED or UNKNOWN.' }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', nullable: true, description: 'When the last check or sync finished.' }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'Since when the account has been in this state.' }),
    message: t.string({ nullable: true, authScopes: { admin: true }, description: 'Human explanation of the state (the latest error’s message while not OK), in the request’s language. Admins only.', resolve: (s, _a, ctx) => worded(s.messageText, s.message, ctx.locale) }),
    messageText: t.field({ type: LocalizedTextRef, nullable: true, authScopes: { admin: true }, description: '`message` as a text code. Admins only.', resolve: (s) => s.messageText ?? null }),
    code: t.exposeString('code', { nullable: true, authScopes: { admin: true }, description: 'Error code of the latest problem (e.g. AUTH_FAILED) while not OK. Admins only.' }),
    hint: t.string({ nullable: true, authScopes: { admin: true }, description: 'What an admin can do about the latest problem, in the request’s language. Admins only.', resolve: (s, _a, ctx) => worded(s.hintText, s.hint, ctx.locale) }),
    hintText: t.field({ type: LocalizedTextRef, nullable: true, authScopes: { admin: true }, description: '`hint` as a text code. Admins only.', resolve: (s) => s.hintText ?? null }),
    checks: t.field({
      type: [CheckPhaseResultRef],
      authScopes: { admin: true },
      description: 'Each step of the last check of this direction (test, “save and test” or refresh); empty before the first check. Admins only.',
      resolve: (s) => s.checks,
    }),
    lastCheckAt: t.expose('lastCheckAt', { type: 'DateTime', nullable: true, description: 'When the last check of this direction started (live traffic updates `checkedAt`, not this).' }),
  }),
});

export const AccountStatusRef = builder.objectRef<AccountStatusView>('AccountStatus').implement({
  description: 'Incoming and outgoing connection status of an account (A10).',
  fields: (t) => ({
    incoming: t.field({ type: ConnectionStatusRef, description: 'Receiving side.', resolve: (s) => s.incoming }),
    outgoing: t.field({ type: ConnectionStatusRef, description: 'Sending side.', resolve: (s) => s.outgoing }),
    overall: t.expose('overall', { type: ConnectionStateEnum, description: 'The worse of the two (DISABLED sides ignored).' }),
  }),
});

export const ConnectionErrorRef = builder.objectRef<ConnectionErrorRow>('ConnectionError').implement({
  description: 'One failed check or sync, in full detail (A9 “Show last errors”).',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    direction: t.expose('direction', { type: DirectionEnum, description: 'Incoming or outgoing.' }),
    phase: t.exposeString('phase', { description: 'Where it failed: OAUTH, DNS, CONNECT, TLS, GREETING, AUTH, MAILBOX, FETCH, SEND.' }),
    code: t.exposeString('code', { description: 'Stable error code, e.g. AUTH_FAILED, HOST_NOT_FOUND, TIMEOUT.' }),
    message: t.string({ description: 'What went wrong, in words, in the request’s language.', resolve: (e, _a, ctx) => worded(e.messageText, e.message, ctx.locale) ?? e.message }),
    messageText: t.field({ type: LocalizedTextRef, nullable: true, description: '`message` as a text code (null for errors recorded before texts had codes).', resolve: (e) => e.messageText }),
    serverResponse: t.exposeString('serverResponse', { nullable: true, description: 'The server’s own response line, when there was one.' }),
    transient: t.exposeBoolean('transient', { description: 'Whether it may clear by itself (timeouts, throttling, 4xx).' }),
    hint: t.string({ nullable: true, description: 'What to do about it, in the request’s language.', resolve: (e, _a, ctx) => worded(e.hintText, e.hint, ctx.locale) }),
    hintText: t.field({ type: LocalizedTextRef, nullable: true, description: '`hint` as a text code.', resolve: (e) => e.hintText }),
  }),
});

/** A stored text in the reader's language; the English column when the row predates text codes. */
function worded(value: ServerText | null | undefined, english: string | null, locale: Parameters<typeof renderText>[1]): string | null {
  return value ? renderText(value, locale) : english;
}
