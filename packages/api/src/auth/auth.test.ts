import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileUrls } from '../http/file-urls.ts';
import { RateLimiter } from './rate-limiter.ts';
import { bearerToken, TokenService } from './tokens.ts';

describe('TokenService', () => {
  const viewer = { userId: 'u1', workspaceId: 'w1', role: 'AGENT' as const };

  it('issues tokens that verify to the same viewer', async () => {
    const tokens = new TokenService(randomBytes(32), 1);
    expect(await tokens.verify(await tokens.issue(viewer))).toEqual(viewer);
  });

  it('rejects tokens signed with another key, garbage and missing tokens', async () => {
    const token = await new TokenService(randomBytes(32), 1).issue(viewer);
    const other = new TokenService(randomBytes(32), 1);
    expect(await other.verify(token)).toBeNull();
    expect(await other.verify('not.a.token')).toBeNull();
    expect(await other.verify(null)).toBeNull();
  });

  it('parses the Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
  });
});

describe('RateLimiter', () => {
  it('allows the limit per window, then says how long to wait, then resets', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => limiter.hit('k'))).toEqual([0, 0, 0]);
    expect(limiter.hit('k')).toBe(60);
    now = 30_000;
    expect(limiter.hit('k')).toBe(30);
    expect(limiter.hit('other')).toBe(0);
    now = 60_001;
    expect(limiter.hit('k')).toBe(0);
  });
});

describe('FileUrls', () => {
  it('signs URLs that verify until they expire, and only for the same file', () => {
    let now = 1_000_000_000_000;
    const urls = new FileUrls(randomBytes(32), 3600, () => now);
    const url = new URL(urls.url({ kind: 'attachment', id: 'a1' }), 'http://x');
    const exp = url.searchParams.get('exp');
    const sig = url.searchParams.get('sig');
    expect(urls.verify('attachment', 'a1', exp, sig)).toEqual({ kind: 'attachment', id: 'a1' });
    expect(urls.verify('attachment', 'a2', exp, sig)).toBeNull();
    expect(urls.verify('logo', 'a1', exp, sig)).toBeNull();
    expect(urls.verify('attachment', 'a1', String(Number(exp) + 3600), sig)).toBeNull();
    now += 3 * 3600 * 1000;
    expect(urls.verify('attachment', 'a1', exp, sig)).toBeNull();
  });
});
