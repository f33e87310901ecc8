import { randomInt } from 'node:crypto';

/**
 * Seeded randomness for tests that pick timings or data at random: the same seed gives the same
 * sequence, so a failure can be replayed. `CORREIO_TEST_SEED=<n>` replays a seed a test logged.
 */

/** mulberry32: a tiny, fast 32-bit PRNG; `next()` returns [0, 1) like Math.random. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededRandom {
  seed: number;
  /** [0, 1), like Math.random. */
  next(): number;
  /** A number in [min, max). */
  between(min: number, max: number): number;
}

/**
 * The seed from CORREIO_TEST_SEED, or a fresh one; logged as `[<name>] seed=<n>` so the run can be
 * replayed with `CORREIO_TEST_SEED=<n>`.
 */
export function seededRandom(name: string): SeededRandom {
  const given = process.env['CORREIO_TEST_SEED'];
  if (given !== undefined && !/^\d+$/.test(given.trim())) throw new Error(`CORREIO_TEST_SEED must be a whole number, got ${JSON.stringify(given)}`);
  const seed = given !== undefined ? Number(given.trim()) >>> 0 : randomInt(0, 2 ** 32);
  console.log(`[${name}] seed=${seed}${given !== undefined ? ' (from CORREIO_TEST_SEED)' : ''}; replay with CORREIO_TEST_SEED=${seed}`);
  const next = mulberry32(seed);
  return { seed, next, between: (min, max) => min + next() * (max - min) };
}
