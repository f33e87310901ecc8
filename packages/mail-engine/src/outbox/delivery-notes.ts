import { text, type ServerText } from '@correio/texts';
import type { OutboxPayload } from './payload.ts';
import { formatDuration } from './retry-policy.ts';

// What a reply's action says about its delivery (`deliveryError`), as text codes: a note wraps
// the failure it reports — the failure's code fills the note's `{failureText}` slot, its parameters
// and the server's words travel along — so the whole sentence is worded in the reader's language.

/** Deferred: when the next attempt is, and why. */
export function retryingNote(payload: OutboxPayload, failure: ServerText, attempt: number, waitMs: number): ServerText {
  return forRecipients(payload, around(text('delivery.retrying', { attempt, wait: formatDuration(waitMs), failureText: failure.code }), failure));
}

/** Given up: the failure, for this message's recipients. */
export function failedNote(payload: OutboxPayload | null, failure: ServerText): ServerText {
  return payload ? forRecipients(payload, failure) : failure;
}

/** A failure that kept coming back until the retry window closed. */
export function gaveUpText(failure: ServerText, attempts: number, overMs: number): ServerText {
  const duration = formatDuration(overMs);
  const note = attempts === 1 ? text('delivery.gaveUp.once', { duration, failureText: failure.code }) : text('delivery.gaveUp', { attempts, duration, failureText: failure.code });
  return around(note, failure);
}

/** Sent, but some recipients were refused (with the server's words for each). */
export function partlyDeliveredNote(rejected: ReadonlyArray<{ address: string; response?: string | null | undefined }>): ServerText | null {
  if (!rejected.length) return null;
  return text('delivery.partlyDelivered', { recipients: rejected.map((r) => `${r.address}${r.response ? ` (${r.response})` : ''}`).join(', ') });
}

/** In per-recipient mode each message fails or waits on its own: say whose it is. */
function forRecipients(payload: OutboxPayload, note: ServerText): ServerText {
  return payload.messages > 1 ? around(text('delivery.forRecipients', { recipients: payload.envelope.to.join(', '), noteText: note.code }), note) : note;
}

/** `outer`, whose slot names `inner`'s code, with `inner`'s parameters and foreign words carried along. */
function around(outer: ServerText, inner: ServerText): ServerText {
  return { code: outer.code, params: { ...inner.params, ...outer.params }, ...(inner.detail ? { detail: inner.detail } : {}) };
}
