import type { Readable } from 'node:stream';
import type { AuthenticationResult, AuthenticationResults } from '@correio/core';
// mailauth (by the author of nodemailer, imapflow and mailparser): SPF, DKIM, DMARC and ARC.
import { arc, authenticate, dkimVerify, dmarc, type DNSResolver } from 'mailauth';
import { parseAuthenticationResults, type ParsedAuthResults } from './authentication-results-header.ts';
import type { TxtResolver } from './dns-cache.ts';
import { aligned, senderVerdict, type SenderVerdict } from './verdict.ts';
import { markControls } from '../clean-text.ts';

/** How a message reached Correio: the SMTP session of Correio's receiver, or a mailbox (IMAP/POP3). */
export interface ArrivalFacts {
  /** Set by Correio's own SMTP receiver: the connecting client. */
  smtp?: { ip: string; helo: string | null; mailFrom: string | null };
  /** For mail fetched from a mailbox: the authserv-id whose Authentication-Results header to trust. */
  trustedAuthservId?: string | null;
  /** Checked when it first arrived (a held message an admin releases): those results stand. */
  verified?: AuthenticationResults;
}

export interface SenderVerification {
  verdict: SenderVerdict;
  results: AuthenticationResults;
}

/**
 * W9: who really sent a message. Mail that came through Correio's receiver is checked from the
 * connecting IP (SPF), its signatures (DKIM, ARC) and the From domain's policy (DMARC). Mail
 * fetched from a mailbox was received by someone else: their Authentication-Results header is
 * trusted when its authserv-id is the one the account names; otherwise only what can be checked
 * without the connection is (signatures, then DMARC on them).
 */
/**
 * A message to verify: a Buffer, or (for a large message kept in the blob store) a way to stream
 * it and its first bytes, so a 30 MB attachment is hashed, never held whole.
 */
export type VerifiableMessage = Buffer | { open(): Readable; head: Buffer };

/** The header block is read from at most this much of the message. */
export const HEAD_BYTES = 256 * 1024;

export async function verifySender(message: VerifiableMessage, arrival: ArrivalFacts, resolver: TxtResolver): Promise<SenderVerification> {
  const raw = Buffer.isBuffer(message) ? message : message.open();
  const head = Buffer.isBuffer(message) ? message.subarray(0, HEAD_BYTES) : message.head;
  if (arrival.verified) return { verdict: senderVerdict(arrival.verified, arrival.verified.fromDomain).verdict, results: arrival.verified };
  if (arrival.smtp) return fromCorreio(raw, arrival.smtp, resolver);
  const trusted = arrival.trustedAuthservId ? trustedHeader(head, arrival.trustedAuthservId) : null;
  if (trusted) {
    if (!Buffer.isBuffer(raw)) raw.destroy();
    return fromTrustedHeader(trusted, head, resolver);
  }
  return fromSignatures(raw, resolver);
}

async function fromCorreio(raw: Buffer | Readable, smtp: NonNullable<ArrivalFacts['smtp']>, resolver: TxtResolver): Promise<SenderVerification> {
  const result = (await authenticate(raw, { ip: smtp.ip, ...(smtp.helo ? { helo: smtp.helo } : {}), ...(smtp.mailFrom ? { sender: smtp.mailFrom } : {}), mta: 'correio', resolver: resolver as DNSResolver, disableBimi: true })) as unknown as MailauthResult;
  return verification('CORREIO', null, domainOf(result.dkim.headerFrom), {
    spf: result.spf ? { result: result.spf.status.result, domain: result.spf.domain ?? null, detail: text(result.spf.status.comment) } : null,
    dkim: dkimOf(result.dkim),
    dmarc: dmarcOf(result.dmarc),
    arc: arcOf(result.arc),
  });
}

async function fromSignatures(raw: Buffer | Readable, resolver: TxtResolver): Promise<SenderVerification> {
  const dkimResult = (await dkimVerify(raw, { resolver: resolver as DNSResolver })) as unknown as MailauthResult['dkim'];
  const arcResult = (await arc(dkimResult.arc as never, { resolver: resolver as DNSResolver })) as unknown as MailauthResult['arc'];
  const headerFrom = dkimResult.headerFrom;
  const dmarcResult = headerFrom?.length
    ? ((await dmarc({ headerFrom, spfDomains: [], dkimDomains: passingDkim(dkimResult), arcResult: arcResult as never, resolver: resolver as DNSResolver } as never)) as unknown as MailauthResult['dmarc'])
    : false;
  return verification('DKIM_ONLY', null, domainOf(headerFrom), { spf: null, dkim: dkimOf(dkimResult), dmarc: dmarcOf(dmarcResult), arc: arcOf(arcResult) });
}

async function fromTrustedHeader(header: ParsedAuthResults, head: Buffer, resolver: TxtResolver): Promise<SenderVerification> {
  const method = (name: string) => header.methods.filter((m) => m.method === name);
  const fromDomain = headerFromDomain(head);
  const spf = method('spf')[0];
  const dmarcRow = method('dmarc')[0];
  let policy = dmarcRow ? (/\bp=([a-z]+)/i.exec(dmarcRow.comment ?? '')?.[1] ?? dmarcRow.properties['policy.dmarc'] ?? null) : null;
  if (dmarcRow?.result === 'fail' && !policy && fromDomain) {
    // The receiving server said "fail" but not the policy: ask the domain.
    const checked = (await dmarc({ headerFrom: fromDomain, spfDomains: [], dkimDomains: [], resolver: resolver as DNSResolver } as never).catch(() => null)) as unknown as MailauthResult['dmarc'] | null;
    policy = checked ? (checked.policy ?? null) : null;
  }
  const arcRow = method('arc')[0];
  return verification('TRUSTED_HEADER', header.authservId, fromDomain, {
    spf: spf ? { result: spf.result, domain: spf.properties['smtp.mailfrom']?.split('@').pop() ?? null, detail: spf.comment } : null,
    dkim: method('dkim').map((d) => ({ result: d.result, domain: (d.properties['header.d'] ?? d.properties['header.i']?.split('@').pop() ?? null)?.toLowerCase() ?? null, detail: d.comment })),
    dmarc: dmarcRow ? { result: dmarcRow.result, domain: (dmarcRow.properties['header.from'] ?? fromDomain)?.toLowerCase() ?? null, detail: dmarcRow.comment, policy: policy?.toLowerCase() ?? null } : null,
    arc: arcRow ? { result: arcRow.result, domain: null, detail: arcRow.comment } : null,
  });
}

function verification(source: AuthenticationResults['source'], authservIdRead: string | null, fromDomain: string | null | undefined, checksRead: Omit<AuthenticationResults, 'source' | 'authservId' | 'reason' | 'reasonCode' | 'reasonText' | 'fromDomain'>): SenderVerification {
  // Domains and comments come from the message's own headers (a d= tag, a From): a NUL there
  // would fail the jsonb insert, and the import with it.
  const checks = markControls(checksRead);
  const authservId = markControls(authservIdRead);
  const from = markControls(fromDomain?.toLowerCase() ?? null);
  // A DKIM pass that is not the From domain's says nothing about the From address.
  const dkim = checks.dkim.map((d) => ({ ...d, detail: d.detail ?? (d.domain && from && !aligned(d.domain, from) ? `signed by ${d.domain}, not by ${from}` : null) }));
  const { verdict, reasonCode, reason, reasonText } = senderVerdict({ source, authservId, ...checks, dkim }, from);
  return { verdict, results: { source, authservId, ...checks, dkim, fromDomain: from, reasonCode, reason, reasonText } };
}

/** The first Authentication-Results header (the newest, added on top) from the trusted server. */
function trustedHeader(head: Buffer, authservId: string): ParsedAuthResults | null {
  for (const value of headerValues(head, 'authentication-results')) {
    const parsed = parseAuthenticationResults(value);
    if (parsed && parsed.authservId === authservId.toLowerCase()) return parsed;
  }
  return null;
}

function headerFromDomain(head: Buffer): string | null {
  const from = headerValues(head, 'from')[0] ?? '';
  return /@([a-z0-9.-]+)/i.exec(from)?.[1]?.toLowerCase() ?? null;
}

function headerValues(bytes: Buffer, name: string): string[] {
  const head = bytes.toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  return block
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(`${name}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

// mailauth's results, as far as Correio reads them.
interface MailauthStatus {
  result: string;
  comment?: unknown;
}
interface MailauthResult {
  dkim: { headerFrom?: string[]; arc?: unknown; results?: Array<{ signingDomain?: string; status: MailauthStatus & { aligned?: string | false } }> };
  spf: false | { domain?: string; status: MailauthStatus };
  dmarc: false | { domain?: string; policy?: string; status: MailauthStatus };
  arc: false | { status: MailauthStatus; signature?: { signingDomain?: string } };
}

function dkimOf(result: MailauthResult['dkim']): AuthenticationResult[] {
  // mailauth reports an unsigned message as one "none" row: that is no signature, not a result.
  return (result.results ?? []).filter((r) => r.signingDomain || r.status.result !== 'none').map((r) => ({ result: r.status.result, domain: r.signingDomain?.toLowerCase() ?? null, detail: text(r.status.comment) }));
}

function passingDkim(result: MailauthResult['dkim']) {
  return (result.results ?? []).filter((r) => r.status.result === 'pass').map((r) => ({ domain: r.signingDomain, aligned: r.status.aligned }));
}

function dmarcOf(result: MailauthResult['dmarc']): AuthenticationResults['dmarc'] {
  return result ? { result: result.status.result, domain: result.domain?.toLowerCase() ?? null, detail: text(result.status.comment), policy: result.policy?.toLowerCase() ?? null } : null;
}

function arcOf(result: MailauthResult['arc']): AuthenticationResult | null {
  if (!result || result.status.result === 'none') return null;
  return { result: result.status.result, domain: result.signature?.signingDomain?.toLowerCase() ?? null, detail: text(result.status.comment) };
}

function domainOf(headerFrom: string[] | undefined): string | null {
  return headerFrom?.[0] ? (/@([^@>\s]+)>?\s*$/.exec(headerFrom[0])?.[1]?.toLowerCase() ?? headerFrom[0].toLowerCase()) : null;
}

function text(comment: unknown): string | null {
  return typeof comment === 'string' && comment ? comment : null;
}
