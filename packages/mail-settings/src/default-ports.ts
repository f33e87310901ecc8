// Pure and dependency-free: the SPA imports this file too, so the form fills ports exactly as the API does.
import type { EncryptionName, IncomingProtocolName } from './enums.ts';

/** IMAP 993/143, POP3 995/110: implicit TLS has its own port, STARTTLS and plain share the clear one. */
export function defaultIncomingPort(protocol: IncomingProtocolName, encryption: EncryptionName): number {
  if (protocol === 'IMAP') return encryption === 'SSL_TLS' ? 993 : 143;
  return encryption === 'SSL_TLS' ? 995 : 110;
}

/** SMTP submission: 465 implicit TLS, 587 STARTTLS, 25 plain. */
export function defaultOutgoingPort(encryption: EncryptionName): number {
  if (encryption === 'SSL_TLS') return 465;
  if (encryption === 'STARTTLS') return 587;
  return 25;
}
