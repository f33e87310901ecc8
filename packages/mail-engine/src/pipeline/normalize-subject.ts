import { clip } from './clean-text.ts';

// Reply/forward markers written by mail clients in the languages our users meet: Re/RES/Fwd/FW/ENC (en, pt),
// TR (fr), AW/WG (de), SV/VS (nordic), R/RIF (it), Antw (nl), Ynt (tr), 回复 (zh). Clients add counters
// (`Re[2]:`, `Re(2):`) and French-style spacing (`RE :`); Chinese clients may use a full-width colon.
const REPLY_PREFIX = /^\s*(?:re|res|fwd?|enc|tr|aw|wg|sv|vs|r|rif|antw|ynt|回复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]/iu;

// Tags that gateways and mailing lists put in front (`[EXTERNAL]`, `[Externo]`, `[acme-users]`): words only, so
// a subject that really starts with bracketed content such as `[Pedido 123]` or `[1/2]` keeps it.
const LEADING_BRACKET_TAG = /^\s*\[[\p{L}][\p{L} _-]{0,39}\]/u;

const TICKET_TAG = /\[\s*#\s*(\d{1,15})\s*\]/;
const TICKET_TAGS = new RegExp(TICKET_TAG.source, 'g');

const EDGE_NOISE = /^[\s\-–—:;,.!?*_~|>]+|[\s\-–—:;,.!?*_~|>]+$/g;

/** The tag Correio puts in the subject of every outgoing mail, so that replies find their ticket without headers. */
export function formatTicketTag(ticketNumber: number): string {
  return `[#${ticketNumber}]`;
}

/** The ticket number of the first Correio tag (`[#123]`, `[ # 123 ]`) in a subject; a bare `#123` is not a tag. */
export function extractTicketNumber(subject: string): number | null {
  const digits = TICKET_TAG.exec(subject)?.[1];
  if (digits === undefined) return null;
  const ticketNumber = Number(digits);
  return Number.isSafeInteger(ticketNumber) && ticketNumber > 0 ? ticketNumber : null;
}

/**
 * The comparable core of a subject, used to recognize a thread when the mail lost its References/In-Reply-To:
 * prefixes, tags, case and spacing differ between the messages of one conversation while the core does not.
 */
export function normalizeSubject(subject: string): string {
  // NFC: the same accented subject can arrive composed from one client and decomposed from another.
  const core = stripLeading(subject.normalize('NFC').replace(TICKET_TAGS, ' '), [REPLY_PREFIX, LEADING_BRACKET_TAG]);
  // A key of the threading index: bounded so a subject of kilobytes still fits an index entry.
  return clip(fold(core.toLowerCase().replace(EDGE_NOISE, '')), 500);
}

/**
 * The subject of an outgoing reply: `Re: <original subject> [#123]`. Earlier reply prefixes and every ticket tag
 * are removed first, so the result carries exactly one tag and it is this ticket's, even when the customer's
 * subject quoted another ticket's tag (a reply must never be routed to that other ticket).
 */
export function subjectWithTag(subject: string, ticketNumber: number, options: { reply?: boolean } = {}): string {
  const rest = stripLeading(subject.replace(TICKET_TAGS, ' '), [REPLY_PREFIX]);
  const tag = formatTicketTag(ticketNumber);
  // The first message of a conversation Correio starts (issue 16) answers nothing: no "Re:".
  const prefix = options.reply === false ? '' : 'Re: ';
  return rest === '' ? `${prefix}${tag}` : `${prefix}${rest} ${tag}`;
}

/** Removes any run of the patterns from the front, in any order (`Re: [EXTERNAL] RES: Fwd: …`), and folds spaces. */
/** A subject without reply/forward prefixes, case kept: Outlook's Thread-Topic. */
export function threadTopicOf(subject: string): string {
  return stripLeading(subject.normalize('NFC').replace(TICKET_TAGS, ' '), [REPLY_PREFIX]);
}

function stripLeading(text: string, patterns: readonly RegExp[]): string {
  let rest = fold(text);
  for (;;) {
    const stripped = fold(patterns.reduce((s, pattern) => s.replace(pattern, ''), rest));
    if (stripped === rest) return rest;
    rest = stripped;
  }
}

function fold(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
