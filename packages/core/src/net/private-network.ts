import ipaddr from 'ipaddr.js';

/**
 * Which private-network destinations an install allows anyway (CORREIO_PRIVATE_HOSTS_ALLOWED, N5).
 * Everything else that is not a public unicast address — loopback, RFC 1918, link-local, CGNAT,
 * multicast, unspecified, IPv4-mapped IPv6, documentation and benchmarking ranges — is refused
 * before a socket is opened, because any signed-up admin can type a host name into an account.
 */
export interface PrivateHostsPolicy {
  /** `*`: a single-company install whose mail server is on its own LAN. */
  allowAll: boolean;
  /** Host names (lower-case) and canonical IP addresses allowed on any port. */
  hosts: ReadonlySet<string>;
  /** `host:port` (IPv6 as `[addr]:port`) allowed on that port only. */
  hostPorts: ReadonlySet<string>;
  cidrs: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  /** The entries as given, for logs and messages. */
  entries: readonly string[];
}

export const NO_PRIVATE_HOSTS: PrivateHostsPolicy = { allowAll: false, hosts: new Set(), hostPorts: new Set(), cidrs: [], entries: [] };

/** Parses the setting; throws with the offending entry so start-up can name it. */
export function parsePrivateHostsAllowed(raw: string | undefined): PrivateHostsPolicy {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const hosts = new Set<string>();
  const hostPorts = new Set<string>();
  const cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  let allowAll = false;
  for (const entry of entries) {
    if (entry === '*') {
      allowAll = true;
      continue;
    }
    if (entry.includes('/')) {
      try {
        const [range, bits] = ipaddr.parseCIDR(entry);
        // ::ffff:10.0.0.0/104 means 10.0.0.0/8: addresses are compared in their IPv4 form.
        const mapped = range instanceof ipaddr.IPv6 && range.isIPv4MappedAddress();
        cidrs.push(mapped ? [range.toIPv4Address(), bits - 96] : [range, bits]);
      } catch {
        throw new Error(`“${entry}” is not a CIDR range such as 10.0.0.0/8`);
      }
      continue;
    }
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : hostPort ? [hostPort[1]!, hostPort[2]] : [entry, undefined];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) throw new Error(`“${entry}” has a port outside 1–65535`);
    const name = canonicalHost(host);
    if (!name) throw new Error(`“${entry}” is not a host name, IP address, host:port or CIDR range`);
    if (port === undefined) hosts.add(name);
    else hostPorts.add(hostPortKey(name, Number(port)));
  }
  return { allowAll, hosts, hostPorts, cidrs, entries };
}

/** A host as typed by an admin, normalized: brackets and a trailing dot removed, IP literals canonical. */
export function canonicalHost(host: string): string {
  const trimmed = host.trim().replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (!trimmed) return '';
  if (ipaddr.isValid(trimmed)) return canonicalAddress(trimmed);
  return /^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/.test(trimmed) ? trimmed : '';
}

/**
 * True when `value` is an IP address in any spelling the system resolver accepts — decimal,
 * hexadecimal, octal and short IPv4 forms (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) included.
 */
export function isIpLiteral(value: string): boolean {
  return ipaddr.isValid(value.replace(/^\[|\]$/g, ''));
}

/** One spelling per address: `0x7f.1` → `127.0.0.1`, `::ffff:7f00:1` → `127.0.0.1`. */
export function canonicalAddress(address: string): string {
  return ipaddr.process(address.replace(/^\[|\]$/g, '')).toString();
}

/**
 * The range an address belongs to in words (`loopback`, `private`, `linkLocal`, `ipv4Mapped` …),
 * or null for a public unicast address.
 */
export function nonPublicRange(address: string): string | null {
  const parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** Whether the policy lets Correio connect to `address` (resolved from `host`) on `port`. */
export function isPrivateDestinationAllowed(policy: PrivateHostsPolicy, destination: { host: string; port: number; address: string }): boolean {
  if (policy.allowAll) return true;
  const host = canonicalHost(destination.host);
  const address = canonicalAddress(destination.address);
  if (policy.hosts.has(host) || policy.hosts.has(address)) return true;
  if (policy.hostPorts.has(hostPortKey(host, destination.port)) || policy.hostPorts.has(hostPortKey(address, destination.port))) return true;
  const parsed = ipaddr.process(address);
  return policy.cidrs.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
}

function hostPortKey(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
