import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService } from './tokens.ts';

const key = new Uint8Array(32).fill(7);
const viewer = { userId: 'u1', workspaceId: 'w1', role: 'AGENT' as const };

afterEach(() => vi.useRealTimers());

describe('bearer tokens', () => {
  it('verifies a token it issued, again and again, and refuses a forged one', async () => {
    const tokens = new TokenService(key, 1);
    const token = await tokens.issue(viewer);
    expect(await tokens.verify(token)).toEqual(viewer);
    expect(await tokens.verify(token)).toEqual(viewer);
    const [head, body, signature] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'ADMIN' })).toString('base64url');
    expect(await tokens.verify(`${head}.${forgedBody}.${signature}`)).toBeNull();
    expect(await new TokenService(new Uint8Array(32).fill(8), 1).verify(token)).toBeNull();
  });

  it('stops accepting a remembered token once it expires', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z') });
    const tokens = new TokenService(key, 1);
    const token = await tokens.issue(viewer);
    expect(await tokens.verify(token)).toEqual(viewer);
    vi.setSystemTime(new Date('2026-12-07T11:00:01Z'));
    expect(await tokens.verify(token)).toBeNull();
  });
});
