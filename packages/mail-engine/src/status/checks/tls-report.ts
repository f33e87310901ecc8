import type { PeerCertificate, TLSSocket } from 'node:tls';
import { MailError } from '../../errors.ts';

const EXPIRY_WARNING_DAYS = 14;

/**
 * Judges a finished TLS handshake the way a mail client would (trusted chain, right host name,
 * in its validity period), but in words: which name the certificate is for, who issued it, until
 * when — so "certificate invalid" comes with the reason an admin can act on.
 */
export function judgeTls(socket: TLSSocket, host: string, now = new Date()): { detail: string } {
  const cert = socket.getPeerCertificate();
  const names = certificateNames(cert);
  const issuer = cert.issuer ? (cert.issuer.O ?? cert.issuer.CN ?? 'an unknown issuer') : 'an unknown issuer';
  const validTo = cert.valid_to ? new Date(cert.valid_to) : null;
  const reasonCode = authorizationCode(socket);
  if (!socket.authorized) {
    const reason = describeReason(reasonCode, host, names, validTo);
    throw new MailError('CERT_INVALID', 'TLS', {
      message: `The server’s certificate is not trusted: ${reason} (issued to ${names.join(', ') || 'no name'} by ${issuer}${validTo ? `, valid until ${day(validTo)}` : ''}).`,
    });
  }
  const protocol = socket.getProtocol() ?? 'TLS';
  let detail = `${protocol}; certificate for ${names.slice(0, 3).join(', ')}${names.length > 3 ? '…' : ''} issued by ${issuer}`;
  if (validTo) {
    const days = Math.floor((validTo.getTime() - now.getTime()) / 86_400_000);
    detail += `, valid until ${day(validTo)}`;
    if (days < EXPIRY_WARNING_DAYS) detail += ` — expires in ${days} day${days === 1 ? '' : 's'}, ask the provider to renew it`;
  }
  return { detail: `${detail}.` };
}

function authorizationCode(socket: TLSSocket): string {
  const raw = socket.authorizationError as unknown;
  if (!raw) return '';
  if (typeof raw === 'string') return raw;
  return (raw as { code?: string }).code ?? String((raw as Error).message ?? raw);
}

function describeReason(code: string, host: string, names: string[], validTo: Date | null): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'it is self-signed';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'its chain ends in a self-signed certificate nobody trusts';
    case 'CERT_HAS_EXPIRED':
      return `it expired${validTo ? ` on ${day(validTo)}` : ''}`;
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet (check the server’s clock)';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `it is for ${names.join(', ') || 'another name'}, not ${host}`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'its issuer is not a trusted authority, or the server does not send the intermediate certificate';
    case 'CERT_REVOKED':
      return 'it was revoked';
    default:
      return code ? `verification failed (${code})` : `verification failed for ${host}`;
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
  return Number.isNaN(d.getTime()) ? 'an unknown date' : d.toISOString().slice(0, 10);
}
