import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';
import { SendGate } from './send-gate.ts';

describe('Batcher', () => {
  it('writes what arrives within the delay as one batch, and each caller gets its own result', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, string>(async (items) => (batches.push(items), items.map((i) => `ok ${i}`)), { maxBatch: 10, delayMs: 20 });
    const results = await Promise.all([1, 2, 3].map((i) => batcher.add(i)));
    expect(results).toEqual(['ok 1', 'ok 2', 'ok 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('writes a full batch at once, fills the next one meanwhile, and passes failures to every caller of the batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const batcher = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await first;
        if (items.includes(99)) throw new Error('database down');
        return items;
      },
      { maxBatch: 2, delayMs: 1000 },
    );
    const a = [batcher.add(1), batcher.add(2)];
    const b = [batcher.add(3), batcher.add(99)];
    release();
    expect(await Promise.all(a)).toEqual([1, 2]);
    await expect(b[0]).rejects.toThrow('database down');
    await expect(b[1]).rejects.toThrow('database down');
    expect(batches).toEqual([
      [1, 2],
      [3, 99],
    ]);
  });
});

describe('SendGate', () => {
  it('lets at most `limit` tasks of one key run at once, other keys independently', async () => {
    const gate = new SendGate(2);
    let running = 0;
    let peak = 0;
    const task = () =>
      gate.run('a', async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      });
    let other = false;
    await Promise.all([task(), task(), task(), task(), task(), gate.run('b', async () => void (other = true))]);
    expect(peak).toBe(2);
    expect(other).toBe(true);
  });
});
