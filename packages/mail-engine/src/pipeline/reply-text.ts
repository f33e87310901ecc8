import { randomBytes } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';

export interface ReplyText {
  /** The new content of the mail, with quoted history and signature folded away. */
  visible: string;
  /** Whether anything was folded away, i.e. whether the UI has more to show on demand. */
  quoted: boolean;
}

// email-reply-parser knows `>` quotes, `-- ` signatures, "Sent from my …" and single-line attributions in a
// dozen languages. It misses what our pt-BR users' clients write, so those quote starts are found here first and
// the text below them never reaches the library.

/**
 * `Em seg., 3 de nov. de 2026 às 10:00, Fulano <x@y.com> escreveu:` (Gmail, Apple Mail, Thunderbird
 * in pt-BR), `On …, Fulano <x@y.com> wrote:`, `El lun, 3 nov 2026 a las 10:00, Fulano (<x@y.com>) escribió:`.
 */
const ATTRIBUTION_START = /^(?:Em|On|El)\s/;
const ATTRIBUTION_END = /\s(?:escreveu|wrote|escribió)\s*:$/;
// A client always writes a time or the address; prose like "Em anexo o que o técnico escreveu:" has neither.
const ATTRIBUTION_EVIDENCE = /\d{1,2}:\d{2}|<[^<>\s]+@[^<>\s]+>/;
// Gmail wraps a long attribution over two or three lines, typically right after the `<` of the address.
const ATTRIBUTION_MAX_LINES = 3;

const SEPARATOR =
  /^-{2,}\s*(?:original message|mensagem original|mensaje original|forwarded message|mensagem encaminhada|mensaje reenviado)\s*-{2,}$|^(?:begin forwarded message|in[ií]cio da mensagem encaminhada|inicio del mensaje reenviado):$/i;

/** Outlook's block starts with From/De and always holds a date and a subject within the next few lines. */
const OUTLOOK_FROM = /^\*?(?:From|De)\s*:/i;
const OUTLOOK_DATE = /^\*?(?:Sent|Date|Enviad[oa](?: em| el)?|Data|Fecha)\s*:/i;
const OUTLOOK_SUBJECT = /^\*?(?:Subject|Assunto|Asunto)\s*:/i;
/** Outlook on the web and mobile, when the header block was flattened onto one line. */
const OUTLOOK_ONE_LINE = /^\*?(?:From|De)\s*:.+\s\*?(?:Sent|Date|Enviad[oa](?: em| el)?|Data|Fecha)\s*:.+\s\*?(?:Subject|Assunto|Asunto)\s*:/i;
// Long To/Cc lists wrap, so the subject can sit several lines below From.
const OUTLOOK_BLOCK_MAX_LINES = 12;

/** Mobile signatures in Portuguese; the English ones are in email-reply-parser's list. */
const MOBILE_SIGNATURE = /^(?:Enviad[oa] (?:do|de|pelo|pela) (?:meu|minha) .{1,60}|Enviado desde mi .{1,60}|Obter o Outlook para (?:Android|iOS)\b.*|Obtener Outlook para (?:Android|iOS)\b.*)$/i;

const OUTLOOK_RULE = /^_{5,}$/;

// A stranger's mail is hostile until checked: email-reply-parser's quote-header patterns
// (`On\s.+\s.+\n?wrote:`) backtrack quadratically on a long line — one 200 KB line starting
// with "On " held a parser thread for 7 s, and a 5 MB body would hold it for hours, stalling every
// mailbox's import. No attribution, header or signature line is that long (the longest real one
// is Outlook's header block flattened onto one line with its recipient list, a few hundred
// characters), so longer lines are never tested as one (ours) and reach the library as an opaque
// placeholder (theirs); past REPLY_PARSE_CHARS the library is not asked at all and the text is
// shown whole. Worst case within these bounds: ~50 ms for 128 KB, ~0.4 s for a 5 MB body.
const MAX_MARKER_LINE = 2000;
const REPLY_PARSE_CHARS = 128 * 1024;

export function extractReplyText(text: string): ReplyText {
  const normalized = text.replace(/\r\n?/g, '\n');
  const full = normalized.trim();
  const lines = normalized.split('\n');
  const cut = findQuoteStart(lines);
  const head = cut === null ? lines : dropTrailingRules(lines.slice(0, cut));
  const headText = head.join('\n');
  if (headText.length > REPLY_PARSE_CHARS) return { visible: headText.trim() || full, quoted: cut !== null };
  const { text: shielded, restore } = shieldLongLines(head);
  const fragments = new EmailReplyParser().read(shielded).getFragments();

  const kept = fragments.filter((fragment) => !fragment.isHidden() || isProseMistakenForAttribution(fragment));
  const visible = restore(kept.join('\n')).trim();
  // A message that is only a quote, or a forward with nothing written above it: the "history" is the content.
  if (visible === '') return { visible: full, quoted: false };
  const foldedSomething = cut !== null || fragments.some((fragment) => !kept.includes(fragment) && fragment.getContent().trim() !== '');
  return { visible, quoted: foldedSomething };
}

/** The index of the first line of quoted history that email-reply-parser would not recognize, or null. */
function findQuoteStart(lines: readonly string[]): number | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length > MAX_MARKER_LINE) continue;
    if (SEPARATOR.test(line) || MOBILE_SIGNATURE.test(line) || OUTLOOK_ONE_LINE.test(line) || isAttributionAt(lines, i) || isOutlookBlockAt(lines, i)) return i;
  }
  return null;
}

function isAttributionAt(lines: readonly string[], start: number): boolean {
  if (!ATTRIBUTION_START.test(lines[start]!.trim())) return false;
  let joined = '';
  for (let i = start; i < Math.min(lines.length, start + ATTRIBUTION_MAX_LINES); i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.length > MAX_MARKER_LINE) return false;
    joined = joined === '' ? line : `${joined} ${line}`;
    if (ATTRIBUTION_END.test(joined)) return ATTRIBUTION_EVIDENCE.test(joined);
  }
  return false;
}

function isOutlookBlockAt(lines: readonly string[], start: number): boolean {
  if (!OUTLOOK_FROM.test(lines[start]!.trim())) return false;
  let hasDate = false;
  let hasSubject = false;
  for (let i = start + 1; i < Math.min(lines.length, start + OUTLOOK_BLOCK_MAX_LINES); i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.length > MAX_MARKER_LINE) break;
    hasDate ||= OUTLOOK_DATE.test(line);
    hasSubject ||= OUTLOOK_SUBJECT.test(line);
  }
  return hasDate && hasSubject;
}

/** Outlook draws a rule of underscores above its header block; it belongs to the quote, not to the reply. */
function dropTrailingRules(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1]!.trim() === '' || OUTLOOK_RULE.test(lines[end - 1]!.trim()))) end--;
  return lines.slice(0, end);
}

/**
 * The text for email-reply-parser with every line longer than MAX_MARKER_LINE replaced by a
 * placeholder (its `>` quote marks kept, so a long quoted line still counts as quoted), and the
 * way back. The placeholder carries a per-call nonce, so the mail's own text cannot forge one.
 */
function shieldLongLines(lines: readonly string[]): { text: string; restore: (text: string) => string } {
  const long: string[] = [];
  const nonce = randomBytes(6).toString('hex');
  const text = lines.map((line) => (line.length <= MAX_MARKER_LINE ? line : `${/^[> \t]*/.exec(line)![0]}\uE002${nonce}:${long.push(line) - 1}\uE003`)).join('\n');
  if (!long.length) return { text, restore: (t) => t };
  const placeholder = new RegExp(`^[> \\t]*\uE002${nonce}:(\\d+)\uE003`, 'gm');
  return { text, restore: (t) => t.replace(placeholder, (_whole, index: string) => long[Number(index)] ?? '') };
}

type Fragment = ReturnType<ReturnType<EmailReplyParser['read']>['getFragments']>[number];

/**
 * email-reply-parser takes any paragraph starting with "Em …" and ending in "escreveu:" (or "On … wrote:") for an
 * attribution and hides everything below it. Real attributions were already cut off by findQuoteStart, so one
 * that reaches the library and quotes nothing with `>` is the customer's own prose ("Em anexo o que o técnico
 * escreveu:") and stays visible.
 */
function isProseMistakenForAttribution(fragment: Fragment): boolean {
  const content = fragment.getContent();
  return fragment.isQuoted() && !fragment.isSignature() && ATTRIBUTION_START.test(content.trimStart()) && !/^\s*>/m.test(content);
}
