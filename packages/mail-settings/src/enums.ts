// The one place these lists are written. The database enums are built from them (core
// db/schema/enums.ts), GraphQL and validation read them from the database enums' `enumValues`,
// and the web takes them from the generated schema types.
export const INCOMING_PROTOCOLS = ['IMAP', 'POP3'] as const;
export const ENCRYPTIONS = ['SSL_TLS', 'STARTTLS', 'NONE'] as const;
export const SMTP_AUTH_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM_MD5', 'XOAUTH2'] as const;

export type IncomingProtocolName = (typeof INCOMING_PROTOCOLS)[number];
export type EncryptionName = (typeof ENCRYPTIONS)[number];
export type SmtpAuthMechanism = (typeof SMTP_AUTH_MECHANISMS)[number];
