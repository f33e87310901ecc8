export interface RetryPolicy {
  /** First delay after a transient failure. */
  minMs: number;
  /** Longest delay between two attempts. */
  maxMs: number;
  /** A message still failing this long after its first attempt is given up (FAILED). */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { minMs: 30_000, maxMs: 30 * 60_000, maxAgeMs: 24 * 3600_000 };

/** GIVE_UP: after how many attempts, over how long (ms) since the first. */
export type RetryPlan = { kind: 'RETRY'; at: Date } | { kind: 'GIVE_UP'; attempts: number; overMs: number };

/**
 * When to try a deferred message again: exponential backoff (min · 2^(attempt-1), capped at max)
 * with "equal jitter" — between half and all of the step — so a provider's outage does not
 * bring every queued reply back in the same second. Pure, for fake-clock tests.
 */
export function planRetry(policy: RetryPolicy, attempts: number, firstAttemptAt: Date, now: Date, random: () => number = Math.random): RetryPlan {
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** Math.max(0, attempts - 1));
  const delay = Math.round(step / 2 + (random() * step) / 2);
  const at = new Date(now.getTime() + delay);
  if (at.getTime() - firstAttemptAt.getTime() > policy.maxAgeMs) return { kind: 'GIVE_UP', attempts, overMs: now.getTime() - firstAttemptAt.getTime() };
  return { kind: 'RETRY', at };
}

export function formatDuration(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3600_000)} h`;
}
