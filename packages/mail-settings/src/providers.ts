import type { EncryptionName, IncomingProtocolName } from './enums.ts';

export interface ServerPreset {
  protocol: IncomingProtocolName | 'SMTP';
  /** `{domain}` stands for the domain of the account's address (hosts that serve each customer domain). */
  host: string;
  port: number;
  encryption: EncryptionName;
}

export interface EmailProvider {
  id: string;
  name: string;
  /** Address domains that belong to this provider outright. */
  domains: string[];
  /** Suffixes of MX hosts that reveal a custom domain hosted here. */
  mxSuffixes: string[];
  incoming: ServerPreset[];
  outgoing: ServerPreset[];
  /** The authserv-id of the Authentication-Results header the provider adds to received mail (W9). */
  authservId?: string;
}

const imap = (host: string, port = 993, encryption: EncryptionName = 'SSL_TLS'): ServerPreset => ({ protocol: 'IMAP', host, port, encryption });
const pop3 = (host: string, port = 995, encryption: EncryptionName = 'SSL_TLS'): ServerPreset => ({ protocol: 'POP3', host, port, encryption });
const smtp = (host: string, port: number, encryption: EncryptionName): ServerPreset => ({ protocol: 'SMTP', host, port, encryption });

/** A2's presets: the big international providers and the big Brazilian hosts. IMAP first: it is the recommended protocol. */
export const EMAIL_PROVIDERS: readonly EmailProvider[] = [
  {
    id: 'gmail',
    name: 'Gmail / Google Workspace',
    domains: ['gmail.com', 'googlemail.com'],
    mxSuffixes: ['google.com', 'googlemail.com'],
    incoming: [imap('imap.gmail.com'), pop3('pop.gmail.com')],
    outgoing: [smtp('smtp.gmail.com', 465, 'SSL_TLS'), smtp('smtp.gmail.com', 587, 'STARTTLS')],
    authservId: 'mx.google.com',
  },
  {
    id: 'outlook',
    name: 'Outlook / Microsoft 365',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'outlook.com.br', 'hotmail.com.br'],
    mxSuffixes: ['mail.protection.outlook.com', 'olc.protection.outlook.com'],
    incoming: [imap('outlook.office365.com'), pop3('outlook.office365.com')],
    outgoing: [smtp('smtp.office365.com', 587, 'STARTTLS')],
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    domains: ['yahoo.com', 'yahoo.com.br', 'ymail.com', 'rocketmail.com'],
    mxSuffixes: ['yahoodns.net'],
    incoming: [imap('imap.mail.yahoo.com'), pop3('pop.mail.yahoo.com')],
    outgoing: [smtp('smtp.mail.yahoo.com', 465, 'SSL_TLS'), smtp('smtp.mail.yahoo.com', 587, 'STARTTLS')],
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxSuffixes: ['mail.icloud.com'],
    incoming: [imap('imap.mail.me.com')],
    outgoing: [smtp('smtp.mail.me.com', 587, 'STARTTLS')],
  },
  {
    id: 'zoho',
    name: 'Zoho Mail',
    domains: ['zoho.com', 'zohomail.com'],
    mxSuffixes: ['zoho.com', 'zoho.eu', 'zohomail.com'],
    incoming: [imap('imap.zoho.com'), pop3('pop.zoho.com')],
    outgoing: [smtp('smtp.zoho.com', 465, 'SSL_TLS'), smtp('smtp.zoho.com', 587, 'STARTTLS')],
  },
  {
    id: 'uol',
    name: 'UOL',
    domains: ['uol.com.br', 'bol.com.br'],
    mxSuffixes: ['uol.com.br', 'uolhost.com.br'],
    incoming: [imap('imap.uol.com.br'), pop3('pop3.uol.com.br')],
    outgoing: [smtp('smtps.uol.com.br', 587, 'STARTTLS')],
  },
  {
    id: 'locaweb',
    name: 'Locaweb',
    domains: [],
    mxSuffixes: ['locaweb.com.br'],
    incoming: [imap('email-ssl.com.br'), pop3('email-ssl.com.br')],
    outgoing: [smtp('email-ssl.com.br', 465, 'SSL_TLS'), smtp('email-ssl.com.br', 587, 'STARTTLS')],
  },
  {
    id: 'kinghost',
    name: 'KingHost',
    domains: [],
    mxSuffixes: ['kinghost.net', 'kinghost.com.br'],
    incoming: [imap('imap.kinghost.net'), pop3('pop.kinghost.net')],
    outgoing: [smtp('smtp.kinghost.net', 465, 'SSL_TLS'), smtp('smtp.kinghost.net', 587, 'STARTTLS')],
  },
  {
    id: 'hostgator-br',
    name: 'HostGator Brasil',
    domains: [],
    mxSuffixes: ['hostgator.com.br', 'prodns.com.br', 'websitewelcome.com'],
    incoming: [imap('mail.{domain}'), pop3('mail.{domain}')],
    outgoing: [smtp('mail.{domain}', 465, 'SSL_TLS')],
  },
  {
    id: 'terra',
    name: 'Terra',
    domains: ['terra.com.br'],
    mxSuffixes: ['terra.com.br', 'terra.com'],
    incoming: [imap('imap.terra.com.br'), pop3('pop.terra.com.br')],
    outgoing: [smtp('smtp.terra.com.br', 587, 'STARTTLS')],
  },
];

export function findProvider(id: string | null | undefined): EmailProvider | undefined {
  return id ? EMAIL_PROVIDERS.find((p) => p.id === id) : undefined;
}

/** The provider that owns an address's domain outright (gmail.com, uol.com.br, …). */
export function providerForDomain(domain: string): EmailProvider | undefined {
  const d = domain.toLowerCase();
  return EMAIL_PROVIDERS.find((p) => p.domains.includes(d));
}

/** The provider hosting a custom domain, judged from its MX hosts. */
export function providerForMxHosts(mxHosts: string[]): EmailProvider | undefined {
  const hosts = mxHosts.map((h) => h.toLowerCase().replace(/\.$/, ''));
  return EMAIL_PROVIDERS.find((p) => p.mxSuffixes.some((s) => hosts.some((h) => h === s || h.endsWith(`.${s}`))));
}

export function expandHost(host: string, addressDomain: string): string {
  return host.replaceAll('{domain}', addressDomain.toLowerCase());
}
