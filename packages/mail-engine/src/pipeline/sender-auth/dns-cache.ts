import { promises as dns } from 'node:dns';

export type TxtResolver = (name: string, rrtype: string) => Promise<unknown>;

/**
 * The resolver sender verification asks (SPF, DKIM keys, DMARC, ARC): CORREIO_DNS_SERVERS when
 * set (tests run a DNS server on loopback), else the system's; bounded in time and cached, so a
 * batch from one domain costs one lookup per record and a dead resolver never stalls an import.
 */
export function cachedResolver(servers: string[] | null, options: { timeoutMs?: number; ttlMs?: number } = {}): TxtResolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 });
  if (servers?.length) resolver.setServers(servers);
  const ttl = options.ttlMs ?? 5 * 60_000;
  const cache = new Map<string, { at: number; answer: Promise<unknown> }>();
  return (name, rrtype) => {
    const key = `${rrtype}:${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttl) return hit.answer;
    const answer = resolver.resolve(name, rrtype as 'TXT');
    cache.set(key, { at: Date.now(), answer });
    // "No such record" is an answer worth keeping; a timeout or SERVFAIL is asked again next time.
    answer.catch((err: { code?: string }) => {
      if (err.code !== 'ENOTFOUND' && err.code !== 'ENODATA' && cache.get(key)?.answer === answer) cache.delete(key);
    });
    if (cache.size > 10_000) for (const [k, v] of cache) if (Date.now() - v.at >= ttl) cache.delete(k);
    return answer;
  };
}
