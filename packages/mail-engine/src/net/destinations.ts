import { canonicalAddress, canonicalHost, isIpLiteral, isPrivateDestinationAllowed, nonPublicRange, type PrivateHostsPolicy } from '@correio/core';
import { text, type ServerText } from '@correio/texts';
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

// Ranges with words of their own; any other non-public range is named by ipaddr.js's identifier.
const NAMED_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat', 'multicast', 'unspecified', 'broadcast', 'ipv4Mapped', 'reserved'] as const);
type NamedRange = typeof NAMED_RANGES extends Set<infer R> ? R : never;
const isNamedRange = (range: string): range is NamedRange => NAMED_RANGES.has(range as NamedRange);

/** Why a destination is refused, by how the admin gave it (an IP literal or a name) and the kind of range. */
function privateAddressText(literal: boolean, typedHost: string, host: string, address: string, range: string): ServerText {
  if (literal) return isNamedRange(range) ? text(`mail.PRIVATE_ADDRESS.literal.${range}`, { host: typedHost }) : text('mail.PRIVATE_ADDRESS.literal.other', { host: typedHost, range });
  return isNamedRange(range) ? text(`mail.PRIVATE_ADDRESS.resolved.${range}`, { host, address }) : text('mail.PRIVATE_ADDRESS.resolved.other', { host, address, range });
}

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
        throw new MailError('PRIVATE_ADDRESS', 'DNS', { text: privateAddressText(literal, typedHost.trim(), host, address, range) });
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
      if (toMailError(err, 'DNS').code === 'HOST_NOT_FOUND') throw new MailError('HOST_NOT_FOUND', 'DNS', { text: text('mail.HOST_NOT_FOUND.noSuchName', { host }), cause: err });
      const reason = (err as { code?: unknown }).code;
      throw new MailError('DNS_FAILED', 'DNS', {
        text: typeof reason === 'string' && reason ? text('mail.DNS_FAILED.lookup', { host, reason }) : text('mail.DNS_FAILED.lookupFailed', { host }, err instanceof Error ? err.message : String(err)),
        cause: err,
      });
    }
    if (!found.length) throw new MailError('HOST_NOT_FOUND', 'DNS', { text: text('mail.HOST_NOT_FOUND.noAddress', { host }) });
    return found.map((f) => f.address);
  }
}
