import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckQueue } from './check-queue.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('CheckQueue', () => {
  it('lets queued workspaces take turns: a big refresh does not make a small one wait behind it', async () => {
    const queue = new CheckQueue(1, 10_000);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const run = (lane: string, name: string) => {
      const gate = deferred();
      gates.set(name, gate);
      return queue.run(async () => (started.push(name), gate.promise), lane);
    };
    const runs = [...Array.from({ length: 5 }, (_, i) => run('big', `big${i}`)), run('small', 'small0'), run('small', 'small1')];
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 7; i++) {
      gates.get(started.at(-1)!)!.resolve();
      await vi.advanceTimersByTimeAsync(0);
    }
    await Promise.all(runs);
    // big0 was running; then the lanes alternate while both have checks waiting.
    expect(started).toEqual(['big0', 'big1', 'small0', 'big2', 'small1', 'big3', 'big4']);
  });

  it('starts at most `limit` checks at once and the next as soon as one finishes', async () => {
    const queue = new CheckQueue(2, 10_000);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) => queue.run(async () => (started.push(i), g.promise)));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1]);
    expect(queue.queued).toBe(1);
    gates[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    await Promise.all(runs);
    expect(queue.running).toBe(0);
  });

  it('gives a slot back when a check has run `slowAfterMs`, so a silent server never delays the others', async () => {
    const queue = new CheckQueue(1, 500);
    const silent = deferred();
    const order: string[] = [];
    const slow = queue.run(async () => (order.push('silent'), silent.promise));
    const fast = queue.run(async () => void order.push('healthy'));
    await vi.advanceTimersByTimeAsync(499);
    expect(order).toEqual(['silent']);
    await vi.advanceTimersByTimeAsync(1);
    await fast;
    expect(order).toEqual(['silent', 'healthy']);
    silent.resolve();
    await slow;
    expect(queue.running).toBe(0);
  });

  it('lets a check give its slot back itself while it only waits on a silent server', async () => {
    const queue = new CheckQueue(1, 10_000);
    const silent = deferred();
    const order: string[] = [];
    const slow = queue.run(async (release) => {
      order.push('silent');
      release();
      release(); // twice is harmless
      return silent.promise;
    });
    await queue.run(async () => void order.push('healthy'));
    expect(order).toEqual(['silent', 'healthy']);
    silent.resolve();
    await slow;
    expect(queue.running).toBe(0);
  });

  it('starts a burst slowly: one more check may start with every slot given back, and starts over once drained', async () => {
    const queue = new CheckQueue(3, 10_000, 1);
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    const runs = gates.map((g, i) => queue.run(async () => (started.push(i), g.promise)));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0]);
    gates[0]!.resolve(); // window 2
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve(); // window 3
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[2]!.resolve(); // window stays at the limit
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const g of gates) g.resolve();
    await Promise.all(runs);
    const again: number[] = [];
    const next = [deferred(), deferred()];
    const more = next.map((g, i) => queue.run(async () => (again.push(i), g.promise)));
    await vi.advanceTimersByTimeAsync(0);
    expect(again).toEqual([0]);
    for (const g of next) g.resolve();
    await Promise.all(more);
  });

  it('passes results and failures through, and frees the slot after a failure', async () => {
    const queue = new CheckQueue(1, 1000);
    await expect(queue.run(async () => 42)).resolves.toBe(42);
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    await expect(queue.run(async () => 'after')).resolves.toBe('after');
  });
});
