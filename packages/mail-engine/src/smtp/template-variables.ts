import { plainTextOf, sanitizeReplyHtml, textToHtml } from './reply-body.ts';

/**
 * Variables in agents' texts (issue 16: canned replies now, signatures and acknowledgements
 * next): `{{cliente.nome}}`, or its English alias `{{customer.name}}`, becomes the value for the
 * ticket at hand. One pass, so a value that itself reads like a variable (a customer named
 * "{{agente.email}}") is left as it is; an unknown variable stays as written, for the agent to see.
 */
export interface TemplateContext {
  customer: { name: string | null; email: string };
  ticket: { number: number; subject: string };
  agent: { name: string; email: string; signature?: string | null };
  account: { name: string } | null;
}

const VARIABLES: Record<string, (c: TemplateContext) => string> = {
  'cliente.nome': (c) => c.customer.name || c.customer.email,
  'cliente.email': (c) => c.customer.email,
  'ticket.numero': (c) => String(c.ticket.number),
  'ticket.assunto': (c) => c.ticket.subject,
  'agente.nome': (c) => c.agent.name,
  'agente.email': (c) => c.agent.email,
  'conta.nome': (c) => c.account?.name ?? '',
  'agente.assinatura': (c) => c.agent.signature ?? '',
};

const ALIASES: Record<string, string> = {
  'customer.name': 'cliente.nome',
  'customer.email': 'cliente.email',
  'ticket.number': 'ticket.numero',
  'ticket.subject': 'ticket.assunto',
  'agent.name': 'agente.nome',
  'agent.email': 'agente.email',
  'account.name': 'conta.nome',
  'agent.signature': 'agente.assinatura',
};

/** Every variable a text may use, Portuguese names first (the SPA lists them). */
export const TEMPLATE_VARIABLES = [...Object.keys(VARIABLES), ...Object.keys(ALIASES)];

const HTML_VALUES = new Set(['agente.assinatura']);

/**
 * `html`: the template is HTML, so each value is escaped — a customer named `<img onerror>` is
 * text — except the agent's own signature, which is HTML already (sanitized when saved).
 */
export function fillTemplate(template: string, context: TemplateContext, options: { html?: boolean } = {}): string {
  return template.replace(/\{\{\s*([A-Za-z]+\.[A-Za-z]+)\s*\}\}/g, (whole, name: string) => {
    const key = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
    const value = VARIABLES[key];
    if (!value) return whole;
    return options.html && !HTML_VALUES.has(key) ? escapeHtml(value(context)) : value(context);
  });
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Tags our rich-text editor writes: `Ana <ana@loja.example>` is text, `<p>Ana</p>` is HTML.
const HTML_TAG = /<\/?(?:p|br|div|span|b|strong|i|em|u|s|a|img|ul|ol|li|table|tbody|tr|td|th|font|h[1-6]|blockquote|hr|code|pre)\b[^>]*>/i;

/**
 * What an agent wrote once to reuse — a signature, a canned reply — made the HTML we keep (issue
 * 16: both are rich text). Text without a single tag (from an API client) keeps its lines; HTML
 * goes through the reply sanitizer, so nothing in it can run in a mail client or the SPA.
 */
export function agentHtmlOf(input: string | null | undefined): string | null {
  const trimmed = input?.trim();
  if (!trimmed) return null;
  const html = HTML_TAG.test(trimmed) ? sanitizeReplyHtml(trimmed) : textToHtml(trimmed);
  return isBlank(html) ? null : html;
}

/** Nothing a reader would see: no text and no picture. */
function isBlank(html: string): boolean {
  return !plainTextOf(html).trim() && !/<img\b/i.test(html);
}

/** Characters of a signature's HTML: room for formatting, not for a newsletter. */
export const SIGNATURE_MAX = 20_000;

export interface Signature {
  html: string;
  /** The text part's version: what the HTML reads as. */
  text: string;
}

/**
 * The signature a reply from this account carries (issue 16): the account's template, with the
 * agent's own signature where it says {{agente.assinatura}} (that one filled in first, so it
 * may use variables too); without an account template, the agent's own. Both are kept as HTML
 * (`agentHtmlOf`). Null: none.
 */
export function signatureFor(accountTemplate: string | null, agentSignature: string | null, context: TemplateContext): Signature | null {
  const accountHtml = agentHtmlOf(accountTemplate);
  const agentHtml = agentHtmlOf(agentSignature);
  const own = agentHtml ? fillTemplate(agentHtml, { ...context, agent: { ...context.agent, signature: '' } }, { html: true }) : '';
  // The editor puts the variable in a paragraph of its own; the agent's signature brings its own paragraphs.
  const template = accountHtml?.replace(/<p>\s*(\{\{\s*(?:agente\.assinatura|agent\.signature)\s*\}\})\s*<\/p>/gi, '$1');
  const html = template ? fillTemplate(template, { ...context, agent: { ...context.agent, signature: own } }, { html: true }) : own;
  if (isBlank(html)) return null;
  return { html, text: plainTextOf(html) };
}
