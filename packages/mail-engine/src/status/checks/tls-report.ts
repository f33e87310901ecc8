import type { PeerCertificate, TLSSocket } from 'node:tls';
import { text, type ServerText } from '@correio/texts';
import { MailError } from '../../errors.ts';

const EXPIRY_WARNING_DAYS = 14;
// What a certificate leaves out (no name, no issuer, no dates) is shown as this, in every language.
const MISSING = '?';

/** What a trusted certificate says, for the TLS phase's line. */
export interface CertificateFacts {
  /** TLSv1.3 … */
  protocol: string;
  names: string;
  issuer: string;
  /** YYYY-MM-DD; null when the certificate gives no end date. */
  validUntil: string | null;
  /** Days left when fewer than two weeks: the line asks for a renewal. */
  expiresInDays: number | null;
}

/**
 * Judges a finished TLS handshake the way a mail client would (trusted chain, right host name,
 * in its validity period), but in words: which name the certificate is for, who issued it, until
 * when — so "certificate invalid" comes with the reason an admin can act on.
 */
export function judgeTls(socket: TLSSocket, host: string, now = new Date()): CertificateFacts {
  const cert = socket.getPeerCertificate();
  const names = certificateNames(cert);
  const issuedBy = cert.issuer?.O ?? cert.issuer?.CN;
  const issuer = issuedBy ? [issuedBy].flat().join(', ') : MISSING;
  const validTo = cert.valid_to ? new Date(cert.valid_to) : null;
  if (!socket.authorized) {
    const about = { names: names.join(', ') || MISSING, issuer, date: validTo ? day(validTo) : MISSING };
    throw new MailError('CERT_INVALID', 'TLS', { text: untrusted(authorizationCode(socket), host, about) });
  }
  const days = validTo ? Math.floor((validTo.getTime() - now.getTime()) / 86_400_000) : null;
  return {
    protocol: socket.getProtocol() ?? 'TLS',
    names: `${names.slice(0, 3).join(', ')}${names.length > 3 ? '…' : ''}`,
    issuer,
    validUntil: validTo ? day(validTo) : null,
    expiresInDays: days !== null && days < EXPIRY_WARNING_DAYS ? days : null,
  };
}

/**
 * The TLS phase's line: the certificate, after "STARTTLS: " on an upgraded connection, and then
 * what the server offers once encrypted (SMTP's EHLO keywords), when it says.
 */
export function certificateText(facts: CertificateFacts, options: { starttls?: boolean; extensions?: string | null } = {}): ServerText {
  const base = { tls: options.starttls ? `STARTTLS: ${facts.protocol}` : facts.protocol, names: facts.names, issuer: facts.issuer };
  const extensions = options.extensions || null;
  if (facts.validUntil === null) return extensions ? text('check.tls.certificateNoDateThenOffers', { ...base, extensions }) : text('check.tls.certificateNoDate', base);
  const dated = { ...base, date: facts.validUntil };
  if (facts.expiresInDays === null) return extensions ? text('check.tls.certificateThenOffers', { ...dated, extensions }) : text('check.tls.certificate', dated);
  if (facts.expiresInDays === 1) return extensions ? text('check.tls.expiringOneDayThenOffers', { ...dated, extensions }) : text('check.tls.expiringOneDay', dated);
  const expiring = { ...dated, days: facts.expiresInDays };
  return extensions ? text('check.tls.expiringThenOffers', { ...expiring, extensions }) : text('check.tls.expiring', expiring);
}

function authorizationCode(socket: TLSSocket): string {
  const raw = socket.authorizationError as unknown;
  if (!raw) return '';
  if (typeof raw === 'string') return raw;
  return (raw as { code?: string }).code ?? String((raw as Error).message ?? raw);
}

function untrusted(code: string, host: string, about: { names: string; issuer: string; date: string }): ServerText {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return text('mail.CERT_INVALID.selfSigned', about);
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return text('mail.CERT_INVALID.selfSignedChain', about);
    case 'CERT_HAS_EXPIRED':
      return text('mail.CERT_INVALID.expired', about);
    case 'CERT_NOT_YET_VALID':
      return text('mail.CERT_INVALID.notYetValid', about);
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return text('mail.CERT_INVALID.wrongName', { ...about, host });
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return text('mail.CERT_INVALID.untrustedIssuer', about);
    case 'CERT_REVOKED':
      return text('mail.CERT_INVALID.revoked', about);
    default:
      return code ? text('mail.CERT_INVALID.failedCode', { ...about, reason: code }) : text('mail.CERT_INVALID.failed', { ...about, host });
  }
}

function certificateNames(cert: PeerCertificate): string[] {
  const san = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  const cn = cert.subject?.CN;
  const names = san.length ? san : cn ? [String(cn)] : [];
  return [...new Set(names)];
}

function day(d: Date): string {
  return Number.isNaN(d.getTime()) ? MISSING : d.toISOString().slice(0, 10);
}
