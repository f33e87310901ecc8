import { describe, expect, it } from 'vitest';
import { defaultIncomingPort, defaultOutgoingPort } from './default-ports.ts';
import { EMAIL_PROVIDERS, expandHost, providerForDomain, providerForMxHosts } from './providers.ts';

describe('default ports', () => {
  it.each([
    ['IMAP', 'SSL_TLS', 993],
    ['IMAP', 'STARTTLS', 143],
    ['IMAP', 'NONE', 143],
    ['POP3', 'SSL_TLS', 995],
    ['POP3', 'STARTTLS', 110],
    ['POP3', 'NONE', 110],
  ] as const)('%s over %s uses %i', (protocol, encryption, port) => {
    expect(defaultIncomingPort(protocol, encryption)).toBe(port);
  });

  it('SMTP uses 465 / 587 / 25', () => {
    expect([defaultOutgoingPort('SSL_TLS'), defaultOutgoingPort('STARTTLS'), defaultOutgoingPort('NONE')]).toEqual([465, 587, 25]);
  });
});

describe('providers', () => {
  it('covers the providers of A2 with an IMAP preset each', () => {
    expect(EMAIL_PROVIDERS.map((p) => p.id)).toEqual(['gmail', 'outlook', 'yahoo', 'icloud', 'zoho', 'uol', 'locaweb', 'kinghost', 'hostgator-br', 'terra']);
    for (const p of EMAIL_PROVIDERS) {
      expect(p.incoming[0]?.protocol, p.id).toBe('IMAP');
      expect(p.outgoing.length, p.id).toBeGreaterThan(0);
    }
  });

  it('recognizes providers by address domain and by MX host', () => {
    expect(providerForDomain('GMAIL.com')?.id).toBe('gmail');
    expect(providerForDomain('uol.com.br')?.id).toBe('uol');
    expect(providerForDomain('acme.com.br')).toBeUndefined();
    expect(providerForMxHosts(['aspmx.l.google.com.'])?.id).toBe('gmail');
    expect(providerForMxHosts(['acme-com-br.mail.protection.outlook.com'])?.id).toBe('outlook');
    expect(providerForMxHosts(['mx.a.locaweb.com.br'])?.id).toBe('locaweb');
    expect(providerForMxHosts(['mail.acme.com.br'])).toBeUndefined();
    // A suffix must match whole labels: notgoogle.com is not Google.
    expect(providerForMxHosts(['mx.notgoogle.com'])).toBeUndefined();
  });

  it('fills the customer domain into per-domain hosts', () => {
    expect(expandHost('mail.{domain}', 'Acme.com.br')).toBe('mail.acme.com.br');
  });
});
