import { promises as dns } from 'node:dns';

/**
 * The DNS questions Correio asks: where a server is (checks) and who receives a domain's mail
 * (provider detection). An interface so tests answer them without a network.
 */
export interface DnsResolver {
  /** Addresses of a host name, in the order the system would try them (getaddrinfo, /etc/hosts included). */
  lookup(host: string): Promise<Array<{ address: string; family: number }>>;
  /** MX records of a mail domain. */
  resolveMx(domain: string): Promise<Array<{ exchange: string; priority: number }>>;
}

/** The machine's resolver. MX lookups use their own bounded resolver: the form waits on them. */
export function systemResolver(options: { mxTimeoutMs?: number } = {}): DnsResolver {
  const mx = new dns.Resolver({ timeout: options.mxTimeoutMs ?? 2000, tries: 2 });
  return {
    lookup: (host) => dns.lookup(host, { all: true }),
    resolveMx: (domain) => mx.resolveMx(domain),
  };
}
