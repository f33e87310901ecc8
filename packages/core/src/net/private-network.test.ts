import { describe, expect, it } from 'vitest';
import { canonicalAddress, canonicalHost, isIpLiteral, isPrivateDestinationAllowed, nonPublicRange, parsePrivateHostsAllowed } from './private-network.ts';

describe('nonPublicRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'ipv4Mapped'],
    ['::ffff:8.8.8.8', 'ipv4Mapped'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['ff02::1', 'multicast'],
  ])('refuses %s (%s)', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '200.147.67.142', '2001:4860:4860::8888'])('lets the public address %s through', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });

  it('reads every IPv4 spelling the system resolver accepts as the address it means', () => {
    for (const spelling of ['2130706433', '0x7f.1', '0x7f000001', '0177.0.0.1', '127.1', '127.0.1']) {
      expect(isIpLiteral(spelling)).toBe(true);
      expect(canonicalAddress(spelling)).toBe('127.0.0.1');
      expect(nonPublicRange(spelling)).toBe('loopback');
    }
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('imap.example.com')).toBe(false);
  });
});

describe('CORREIO_PRIVATE_HOSTS_ALLOWED', () => {
  const allowed = (raw: string, host: string, port: number, address: string) => isPrivateDestinationAllowed(parsePrivateHostsAllowed(raw), { host, port, address });

  it('allows nothing by default', () => {
    expect(allowed('', 'localhost', 143, '127.0.0.1')).toBe(false);
  });

  it('allows a host name on any port, a host:port on that port only, an address in any spelling', () => {
    expect(allowed('mail.lan', 'MAIL.lan.', 993, '10.0.0.5')).toBe(true);
    expect(allowed('127.0.0.1:1143', '127.0.0.1', 1143, '127.0.0.1')).toBe(true);
    expect(allowed('127.0.0.1:1143', '127.0.0.1', 22, '127.0.0.1')).toBe(false);
    expect(allowed('127.0.0.1:1143', '0x7f.1', 1143, '127.0.0.1')).toBe(true);
    expect(allowed('[::1]:143', '::1', 143, '::1')).toBe(true);
    expect(allowed('10.0.0.5', 'mail.lan', 25, '10.0.0.5')).toBe(true);
  });

  it('matches CIDR ranges against the resolved address, IPv4-mapped ranges included', () => {
    expect(allowed('10.0.0.0/8', 'mail.lan', 993, '10.20.30.40')).toBe(true);
    expect(allowed('10.0.0.0/8', 'mail.lan', 993, '192.168.0.1')).toBe(false);
    expect(allowed('::ffff:10.0.0.0/104', 'x', 1, '10.9.9.9')).toBe(true);
    expect(allowed('fd00::/8', 'x', 1, 'fd12::1')).toBe(true);
  });

  it('allows everything with *', () => {
    expect(allowed('*', 'localhost', 22, '127.0.0.1')).toBe(true);
  });

  it('names an entry it cannot read', () => {
    expect(() => parsePrivateHostsAllowed('mail.lan, http://x/')).toThrow(/http:\/\/x\//);
    expect(() => parsePrivateHostsAllowed('10.0.0.0/99')).toThrow(/CIDR/);
    expect(() => parsePrivateHostsAllowed('host:70000')).toThrow(/port/);
  });

  it('normalizes hosts the way they are compared', () => {
    expect(canonicalHost('[::1]')).toBe('::1');
    expect(canonicalHost('Mail.Example.COM.')).toBe('mail.example.com');
    expect(canonicalHost('a b')).toBe('');
  });
});
