import { describe, expect, it } from 'vitest';
import { ConnectGate } from './connect-gate.ts';

describe('ConnectGate', () => {
  it('never lets more than the limit in, and serves the queue in order', async () => {
    const gate = new ConnectGate(3);
    const order: number[] = [];
    let concurrent = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await gate.enter();
        concurrent += 1;
        most = Math.max(most, concurrent);
        order.push(i);
        await new Promise((r) => setTimeout(r, 2 + (i % 3)));
        concurrent -= 1;
        release();
      }),
    );
    expect(most).toBe(3);
    expect(gate.peak).toBe(3);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(gate.active).toBe(0);
    expect(gate.queued).toBe(0);
  });

  it('a release called twice frees one slot, not two', async () => {
    const gate = new ConnectGate(1);
    const release = await gate.enter();
    const second = gate.enter();
    const third = gate.enter();
    release();
    release();
    await second;
    let thirdIn = false;
    void third.then(() => (thirdIn = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(thirdIn).toBe(false);
    expect(gate.active).toBe(1);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConnectGate(0)).toThrow(/positive integer/);
  });
});
