import { convert as htmlToText } from 'html-to-text';
import { sanitizeEmailHtml } from '../pipeline/sanitize-html.ts';

/**
 * The bodies of an outgoing reply: the agent's text (and HTML, sanitized, or HTML made from the
 * text) plus the account's brand footer (A6). Pure string work; the composer adds the images.
 */

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Paragraphs at blank lines, `<br>` at single line breaks, links made clickable. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '');
  return paragraphs.map((p) => `<p>${linkify(p).split('\n').join('<br>\n')}</p>`).join('\n');
}

function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    out += escapeHtml(text.slice(last, match.index));
    const url = escapeHtml(match[0]);
    out += `<a href="${url}">${url}</a>`;
    last = match.index + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/**
 * HTML written by an agent goes through the same sanitizer as inbound mail: what reaches a
 * customer's mail client is what the agent's own screen shows, and nothing that could run.
 */
export function sanitizeReplyHtml(html: string): string {
  return sanitizeEmailHtml(html, { cidMap: new Map(), allowRemoteImages: true }).html;
}

export function plainTextOf(html: string): string {
  return htmlToText(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] }).trim();
}

export interface BrandInput {
  name: string | null;
  url: string | null;
  /** `cid:` of the logo (or agent avatar) part, or a remote https URL, or null. */
  imageSrc: string | null;
  imageAlt: string;
}

export interface Footer {
  html: string;
  text: string;
}

/** Company name and link (A6), with the logo — or, without one, the agent's picture — beside them. */
export function brandFooter(brand: BrandInput): Footer | null {
  const name = brand.name?.trim() || null;
  const url = brand.url?.trim() || null;
  if (!name && !url && !brand.imageSrc) return null;
  const label = name ?? (url ? displayUrl(url) : '');
  const link = url ? `<a href="${escapeHtml(url)}" style="color:#555555;text-decoration:none;font-weight:bold">${escapeHtml(label)}</a>` : `<span style="font-weight:bold">${escapeHtml(label)}</span>`;
  const image = brand.imageSrc
    ? `<td style="padding-right:12px;vertical-align:middle"><img src="${escapeHtml(brand.imageSrc)}" alt="${escapeHtml(brand.imageAlt)}" height="40" style="height:40px;max-width:160px;display:block;border:0"></td>`
    : '';
  const html =
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin-top:24px;border-top:1px solid #dddddd;padding-top:12px;font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#555555">` +
    `<tr>${image}<td style="vertical-align:middle">${label ? link : ''}</td></tr></table>`;
  // "-- " is the signature separator mail clients (and Correio's own reply folding) recognise.
  const textLines = [name, url].filter((l): l is string => !!l);
  return { html, text: textLines.length ? `-- \n${textLines.join('\n')}` : '' };
}

function displayUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The full HTML document of the message: the agent's body, then the footer. */
export function htmlDocument(bodyHtml: string, footer: Footer | null): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>' +
    `<body><div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#222222">${bodyHtml}</div>${footer?.html ?? ''}</body></html>`
  );
}

export function textDocument(text: string, footer: Footer | null): string {
  const body = text.replace(/\r\n?/g, '\n').trimEnd();
  if (!footer?.text) return `${body}\n`;
  // A body that already has its "-- " line (a signature, issue 16) keeps the one: the footer
  // follows the signature, inside what clients fold away as signature.
  const footerText = /(^|\n)-- \n/.test(body) ? footer.text.replace(/^-- \n/, '') : footer.text;
  return `${body}\n\n${footerText}\n`;
}

export interface DataImage {
  cid: string;
  contentType: string;
  content: Buffer;
}

const DATA_IMAGE_SRC = /(<img\b[^>]*?\ssrc=")data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)"/g;

/**
 * Pasted images arrive as `data:` URLs, which Gmail and Outlook refuse to show: they travel as
 * inline `cid:` parts instead.
 */
export function extractDataImages(html: string, cidFor: (index: number) => string): { html: string; images: DataImage[] } {
  const images: DataImage[] = [];
  const out = html.replace(DATA_IMAGE_SRC, (_m, before: string, contentType: string, data: string) => {
    const cid = cidFor(images.length);
    images.push({ cid, contentType, content: Buffer.from(data.replace(/\s+/g, ''), 'base64') });
    return `${before}cid:${cid}"`;
  });
  return { html: out, images };
}
