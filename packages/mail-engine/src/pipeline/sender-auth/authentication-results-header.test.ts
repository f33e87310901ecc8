import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults } from './authentication-results-header.ts';

// Header values as the big providers write them (shapes taken from real received mail; the
// addresses and hashes changed).
const GMAIL = `mx.google.com;
       dkim=pass header.i=@github.com header.s=pf2023 header.b=Xk3nV0s1;
       spf=pass (google.com: domain of noreply@github.com designates 192.30.252.201 as permitted sender) smtp.mailfrom=noreply@github.com;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=github.com`;
const MICROSOFT = `spf=pass (sender IP is 40.107.22.52) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100`;

describe('Authentication-Results (RFC 8601)', () => {
  it('reads Gmail’s header: authserv-id, each method, its comment and properties', () => {
    const parsed = parseAuthenticationResults(GMAIL)!;
    expect(parsed.authservId).toBe('mx.google.com');
    expect(parsed.methods.map((m) => [m.method, m.result])).toEqual([
      ['dkim', 'pass'],
      ['spf', 'pass'],
      ['dmarc', 'pass'],
    ]);
    expect(parsed.methods[1]).toMatchObject({ comment: 'google.com: domain of noreply@github.com designates 192.30.252.201 as permitted sender', properties: { 'smtp.mailfrom': 'noreply@github.com' } });
    expect(parsed.methods[2]).toMatchObject({ comment: 'p=REJECT sp=REJECT dis=NONE', properties: { 'header.from': 'github.com' } });
  });

  it('reads Microsoft 365’s header, which has no authserv-id, as untrusted-by-name', () => {
    const parsed = parseAuthenticationResults(MICROSOFT)!;
    expect(parsed.authservId).toBe('');
    expect(parsed.methods.map((m) => m.method)).toEqual(['spf', 'dkim', 'dmarc', 'compauth']);
    expect(parsed.methods[2]).toMatchObject({ result: 'pass', properties: { action: 'none', 'header.from': 'contoso.com' } });
  });

  it('does not let a semicolon inside a comment split a method, nor garbage make one', () => {
    const parsed = parseAuthenticationResults('mx.example.net; spf=fail (a; b; c) smtp.mailfrom=x.example; nonsense; dmarc=fail header.from=y.example')!;
    expect(parsed.methods).toEqual([
      { method: 'spf', result: 'fail', comment: 'a; b; c', properties: { 'smtp.mailfrom': 'x.example' } },
      { method: 'dmarc', result: 'fail', comment: null, properties: { 'header.from': 'y.example' } },
    ]);
    expect(parseAuthenticationResults('')).toBeNull();
  });
});
