import { describe, expect, it } from 'vitest';
import { formatDuration, planRetry } from './retry-policy.ts';

const policy = { minMs: 1000, maxMs: 8000, maxAgeMs: 60_000 };
const t0 = new Date('2026-11-21T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('planRetry', () => {
  it('doubles the delay per attempt up to the cap, with jitter between half and all of the step', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => {
      const low = planRetry(policy, attempt, t0, t0, () => 0);
      const high = planRetry(policy, attempt, t0, t0, () => 1);
      if (low.kind !== 'RETRY' || high.kind !== 'RETRY') throw new Error('expected a retry');
      return [low.at.getTime() - t0.getTime(), high.at.getTime() - t0.getTime()];
    });
    expect(delays).toEqual([
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [4000, 8000],
      [4000, 8000],
      [4000, 8000],
    ]);
  });

  it('gives up once the next attempt would fall past the bound', () => {
    expect(planRetry(policy, 9, t0, at(50_000), () => 0.5).kind).toBe('RETRY');
    expect(planRetry(policy, 10, t0, at(57_000), () => 0.5)).toEqual({ kind: 'GIVE_UP', attempts: 10, overMs: 57_000 });
  });

  it('formats durations for people', () => {
    expect(formatDuration(400)).toBe('1 s');
    expect(formatDuration(30_000)).toBe('30 s');
    expect(formatDuration(20 * 60_000)).toBe('20 min');
    expect(formatDuration(24 * 3600_000)).toBe('24 h');
  });
});
