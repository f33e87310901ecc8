import { describe, expect, it } from 'vitest';
import type { DnsResolver } from '../util/dns-resolver.ts';
import { detectProvider } from './detect-provider.ts';

/** DNS answers from a table; unknown names fail like a real NXDOMAIN. */
function fakeDns(mx: Record<string, Array<{ exchange: string; priority: number }> | Error>): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup: async () => [],
    resolveMx: async (domain) => {
      asked.push(domain);
      const answer = mx[domain];
      if (answer instanceof Error) throw answer;
      if (!answer) throw Object.assign(new Error(`queryMx ENOTFOUND ${domain}`), { code: 'ENOTFOUND' });
      return answer;
    },
  };
}

describe('detectProvider', () => {
  it('knows a provider’s own domain without asking DNS', async () => {
    const dns = fakeDns({});
    const d = await detectProvider('Ana@GMAIL.com', dns);
    expect(d).toMatchObject({ domain: 'gmail.com', source: 'DOMAIN', provider: { id: 'gmail' } });
    expect(d.incoming[0]).toEqual({ protocol: 'IMAP', host: 'imap.gmail.com', port: 993, encryption: 'SSL_TLS' });
    expect(dns.asked).toEqual([]);
  });

  it('recognizes a hosted company domain by its best MX record', async () => {
    const dns = fakeDns({
      'acme.com.br': [
        { exchange: 'alt1.aspmx.l.google.com.', priority: 20 },
        { exchange: 'aspmx.l.google.com.', priority: 10 },
      ],
      'loja.com.br': [{ exchange: 'mx.a.locaweb.com.br', priority: 10 }],
      'empresa.com.br': [{ exchange: 'empresa-com-br.mail.protection.outlook.com', priority: 0 }],
    });
    expect(await detectProvider('suporte@acme.com.br', dns)).toMatchObject({ source: 'MX', provider: { id: 'gmail' }, mxHosts: ['aspmx.l.google.com', 'alt1.aspmx.l.google.com'] });
    expect((await detectProvider('contato@loja.com.br', dns)).provider?.id).toBe('locaweb');
    expect((await detectProvider('sac@empresa.com.br', dns)).provider?.id).toBe('outlook');
  });

  it('fills {domain} into per-domain hosts (HostGator)', async () => {
    const dns = fakeDns({ 'padaria.com.br': [{ exchange: 'mx.hostgator.com.br', priority: 0 }] });
    const d = await detectProvider('oi@padaria.com.br', dns);
    expect(d.provider?.id).toBe('hostgator-br');
    expect(d.incoming[0]?.host).toBe('mail.padaria.com.br');
  });

  it('answers NONE, with a reason, for unknown hosts, missing MX, failing DNS and non-addresses', async () => {
    const dns = fakeDns({ 'own.example': [{ exchange: 'mail.own.example', priority: 5 }], 'slow.example': Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }) });
    expect(await detectProvider('a@own.example', dns)).toMatchObject({ source: 'NONE', provider: null, mxHosts: ['mail.own.example'], incoming: [] });
    expect((await detectProvider('a@nothing.invalid', dns)).message).toMatch(/no MX records/);
    expect((await detectProvider('a@slow.example', dns)).message).toMatch(/Could not look up/);
    const partial = await detectProvider('ana@', dns);
    expect(partial).toMatchObject({ source: 'NONE', domain: '' });
    expect(dns.asked).toEqual(['own.example', 'nothing.invalid', 'slow.example']);
  });
});
