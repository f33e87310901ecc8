import { canonicalAddress, canonicalHost, isIpLiteral, isPrivateDestinationAllowed, nonPublicRange, type PrivateHostsPolicy } from '@correio/core';
import { MailError } from '../errors.ts';
import { toMailError } from '../mail-error-rules.ts';
import type { DnsResolver } from '../util/dns-resolver.ts';

/** Where a connection may go: the addresses a host resolved to, every one of them checked. */
export interface Destination {
  /** The host as the admin typed it, normalized (brackets and trailing dot removed). */
  host: string;
  port: number;
  /** Checked addresses, in the order the system resolver gave them; connect to these, never to `host`. */
  addresses: string[];
  /** The name certificates are checked against; undefined for an IP literal. */
  servername: string | undefined;
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback (this machine) address',
  private: 'a private network address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a private (unique local) IPv6 address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  reserved: 'a reserved address',
};

/**
 * Every connection Correio's engine opens starts here (N5): the host is resolved once, every
 * address it resolved to is checked against the private-network policy, and the caller connects
 * to those addresses (with `servername` for TLS) — so a DNS answer cannot change between the
 * check and the connection, and a refused destination never sees a single TCP packet.
 */
export class Destinations {
  constructor(
    private readonly policy: PrivateHostsPolicy,
    /** Replaceable so tests answer DNS without a network. */
    public resolver: DnsResolver,
  ) {}

  async resolve(typedHost: string, port: number): Promise<Destination> {
    const host = canonicalHost(typedHost) || typedHost.trim().toLowerCase();
    const literal = isIpLiteral(host);
    const addresses = literal ? [canonicalAddress(host)] : await this.lookup(host);
    for (const address of addresses) {
      const range = nonPublicRange(address);
      if (range && !isPrivateDestinationAllowed(this.policy, { host, port, address })) {
        const what = RANGE_WORDS[range] ?? `a non-public (${range}) address`;
        throw new MailError('PRIVATE_ADDRESS', 'DNS', {
          message: literal ? `${typedHost.trim()} is ${what}; Correio does not connect to private networks.` : `“${host}” resolves to ${address}, ${what}; Correio does not connect to private networks.`,
        });
      }
    }
    return { host, port, addresses, servername: literal ? undefined : host };
  }

  private async lookup(host: string): Promise<string[]> {
    let found: Array<{ address: string; family: number }>;
    try {
      found = await this.resolver.lookup(host);
    } catch (err) {
      // The one rule table says whether the name does not exist; any other lookup failure may pass.
      if (toMailError(err, 'DNS').code === 'HOST_NOT_FOUND') throw new MailError('HOST_NOT_FOUND', 'DNS', { message: `“${host}” does not exist in DNS.`, cause: err });
      throw new MailError('DNS_FAILED', 'DNS', { message: `Could not look up “${host}” (${(err as { code?: string }).code || (err as Error).message}).`, cause: err });
    }
    if (!found.length) throw new MailError('HOST_NOT_FOUND', 'DNS', { message: `“${host}” has no address.` });
    return found.map((f) => f.address);
  }
}
