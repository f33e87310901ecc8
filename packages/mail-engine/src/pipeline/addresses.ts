import type { AddressObject, EmailAddress, HeaderValue } from 'mailparser';
import { cleanLine } from './clean-text.ts';

export interface ParsedAddress {
  address: string;
  name: string | null;
}

export interface HeaderLine {
  key: string;
  line: string;
}

/** An address a reply can be sent to: something@domain.tld, the local part possibly quoted. */
const DELIVERABLE = /^(?:"[^"\r\n]+"|[^\s@"<>(),;:]+)@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;
/** RFC 5321's limit for an address: a longer one cannot be delivered, nor be a customer's key. */
const MAX_ADDRESS_CHARS = 254;

function flatten(list: EmailAddress[]): ParsedAddress[] {
  const out: ParsedAddress[] = [];
  for (const entry of list) {
    if (entry.group) out.push(...flatten(entry.group));
    else if (entry.address) out.push({ address: cleanLine(entry.address).toLowerCase(), name: cleanLine(entry.name ?? '') || null });
  }
  return out;
}

/** The distinct addresses of an address header, as mailparser read them. */
export function addresses(value: HeaderValue | undefined): ParsedAddress[] {
  if (!value || typeof value !== 'object') return [];
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[];
  const all = objects.flatMap((o) => (o && 'value' in o && Array.isArray(o.value) ? flatten(o.value) : []));
  const seen = new Set<string>();
  // A 1,000-recipient header is legal; a ticket keeps the first 200 distinct addresses.
  return all.filter((a) => !seen.has(a.address) && seen.add(a.address)).slice(0, 200);
}

/**
 * The one address of a sender header, read as mail clients read it: what stands between the
 * angle brackets is the address, all of it — `"x" <power quadrant system@example.com>` is
 * `"power quadrant system"@example.com` (quoted, so a reply can be sent), where a strict parser
 * keeps only `system@example.com` and the reply would reach a stranger.
 */
export function senderAddress(value: HeaderValue | undefined, rawLine: string | undefined): ParsedAddress | null {
  const parsed = addresses(value)[0] ?? null;
  const raw = rawLine ? angleAddress(rawLine) : null;
  // Only where the strict parser lost something: a local part with spaces, or nothing found.
  if (raw && (!parsed || raw.address.startsWith('"'))) return raw.address.length > MAX_ADDRESS_CHARS ? null : { address: raw.address, name: parsed && raw.address.startsWith('"') ? raw.name : (parsed?.name ?? raw.name) };
  return parsed && parsed.address.length <= MAX_ADDRESS_CHARS && DELIVERABLE.test(parsed.address) ? parsed : null;
}

function angleAddress(line: string): ParsedAddress | null {
  const value = line.replace(/^[^:]*:/, '').replace(/\r?\n[ \t]+/g, ' ');
  if ((value.match(/</g) ?? []).length !== 1) return null;
  const match = /^(.*)<([^<>]*@[^<>]*)>\s*$/.exec(value.trim());
  if (!match) return null;
  const inner = match[2]!.trim();
  const at = inner.lastIndexOf('@');
  const local = inner.slice(0, at).trim();
  const domain = inner.slice(at + 1).trim().toLowerCase();
  if (!local || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain)) return null;
  const quoted = /^[^\s@"<>(),;:]+$/.test(local) ? local : `"${local.replace(/^"|"$/g, '').replace(/"/g, '')}"`;
  const name = match[1]!.trim().replace(/^"|"$/g, '').trim();
  return { address: `${quoted.toLowerCase()}@${domain}`, name: name || null };
}

const SENDER_HEADERS = ['from', 'reply-to', 'sender', 'return-path'] as const;

/**
 * Who a ticket is from (W8): From, else Reply-To, else Sender, else Return-Path (a `<>` null
 * sender is nobody). Null only when none of them names someone a reply can reach.
 */
export function senderOf(headers: Map<string, HeaderValue>, lines: HeaderLine[]): { address: ParsedAddress; header: (typeof SENDER_HEADERS)[number] } | null {
  for (const header of SENDER_HEADERS) {
    const line = lines.find((l) => l.key === header)?.line;
    const value = header === 'return-path' ? returnPath(headers.get(header), line) : headers.get(header);
    const address = senderAddress(value, header === 'return-path' ? undefined : line);
    if (address) return { address, header };
  }
  return null;
}

function returnPath(value: HeaderValue | undefined, line: string | undefined): HeaderValue | undefined {
  // mailparser keeps Return-Path as text: `<bounce@example.com>`.
  const text = typeof value === 'string' ? value : (line?.replace(/^[^:]*:/, '') ?? '');
  const address = /<([^<>@\s]+@[^<>\s]+)>/.exec(text)?.[1] ?? /^\s*([^<>@\s]+@[^<>\s]+)\s*$/.exec(text)?.[1];
  return address ? ({ value: [{ address, name: '' }], html: '', text: address } as AddressObject) : undefined;
}
