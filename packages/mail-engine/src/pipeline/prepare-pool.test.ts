import { describe, expect, it } from 'vitest';
import { temporaryPools } from './__tests__/temporary-pool.ts';
import { PrepareError, PreparePool } from './prepare-pool.ts';

const mail = (i: number) => Buffer.from(`From: Ana <ana${i}@cliente.example>\r\nTo: suporte@acme.example\r\nSubject: Pedido ${i}\r\nMessage-ID: <p${i}@cliente.example>\r\n\r\nOlá ${i}\r\n`);
const arrival = {};
const newPool = temporaryPools('pool-');

describe('PreparePool, sized to the work (issue 14)', () => {
  it('holds no parser thread when idle, and prepares a lone message on this thread', async () => {
    const p = await newPool({ maxWorkers: 2, backlog: 3, idleMs: 500 });
    expect(p.workerCount).toBe(0);
    const [prepared] = await p.prepareMany([{ raw: mail(1), arrival }]);
    expect(prepared).not.toBeInstanceOf(PrepareError);
    expect((prepared as { subject: string }).subject).toBe('Pedido 1');
    expect(p.workerCount).toBe(0);
  });

  it('starts threads under a backlog (at most maxWorkers), and stops them once idle', async () => {
    const p = await newPool({ maxWorkers: 2, backlog: 3, idleMs: 500 });
    let most = 0;
    for (let round = 0; round < 6; round++) {
      const results = await p.prepareMany(Array.from({ length: 20 }, (_, i) => ({ raw: mail(round * 20 + i), arrival })));
      expect(results.filter((r) => r instanceof PrepareError)).toEqual([]);
      most = Math.max(most, p.workerCount);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    // Idle for idleMs, they stop; a thread started late in the last round (starting one takes
    // seconds on a loaded machine) is idle only once it is up, so this waits for it, bounded.
    const until = Date.now() + 10_000;
    while (p.workerCount > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(p.workerCount).toBe(0);
  });

  it('never starts a thread with maxWorkers 0 (an API process)', async () => {
    const p = await newPool({ maxWorkers: 0, backlog: 1, idleMs: 500 });
    const results = await p.prepareMany(Array.from({ length: 10 }, (_, i) => ({ raw: mail(i), arrival })));
    expect(results.every((r) => !(r instanceof PrepareError))).toBe(true);
    expect(p.workerCount).toBe(0);
  });

  it('stops a thread that one message holds past its budget: that message fails with the reason, the others are prepared (abuse)', async () => {
    // The test worker loops forever on a marked message, as a parser caught by a hostile one would.
    // The budget leaves a loaded CI machine room to start a worker and parse a message alone.
    const p = await newPool({ maxWorkers: 1, backlog: 1, idleMs: 60_000, messageTimeoutMs: 8_000, workerEntry: new URL('./__tests__/hanging-worker.mjs', import.meta.url) });
    const hostile = Buffer.from('From: x@atacante.example\r\nX-Test-Hang: 1\r\nSubject: loop\r\n\r\nx\r\n');
    const results = await p.prepareMany([...Array.from({ length: 8 }, (_, i) => ({ raw: mail(i), arrival })), { raw: hostile, arrival }, ...Array.from({ length: 8 }, (_, i) => ({ raw: mail(10 + i), arrival }))]);
    const failed = results[8] as PrepareError;
    expect(failed).toBeInstanceOf(PrepareError);
    expect(failed.text).toEqual({ code: 'import.parseTimedOut', params: { seconds: 8 } });
    expect(failed.message).toBe('Reading this message took more than 8 seconds, so it was stopped; the other messages were imported.');
    expect(failed.rawSize).toBe(hostile.length);
    const others = results.filter((_, i) => i !== 8);
    expect(others.filter((r) => r instanceof PrepareError)).toEqual([]);
    expect(others.map((r) => (r as { subject: string }).subject)).toEqual([...Array.from({ length: 8 }, (_, i) => `Pedido ${i}`), ...Array.from({ length: 8 }, (_, i) => `Pedido ${10 + i}`)]);
    // The stopped thread was replaced; the pool goes on.
    const [after] = await p.prepareMany(Array.from({ length: 3 }, (_, i) => ({ raw: mail(30 + i), arrival })));
    expect((after as { subject: string }).subject).toBe('Pedido 30');
    expect(p.workerCount).toBeLessThanOrEqual(1);
  }, 90_000);

  it('fails no message of a thread that was slow, not stuck: each is tried again alone', async () => {
    // Four messages held at once, each holding the thread 2.5 s: it answers nothing for 10 s, past
    // the 8 s budget, although none of them loops. Alone, each takes 2.5 s.
    const p = await newPool({ maxWorkers: 1, backlog: 1, idleMs: 60_000, messageTimeoutMs: 8_000, workerEntry: new URL('./__tests__/hanging-worker.mjs', import.meta.url) });
    const slow = (i: number) => Buffer.from(`From: Ana <ana${i}@cliente.example>\r\nX-Test-Slow: 2500\r\nSubject: Pedido ${i}\r\nMessage-ID: <s${i}@cliente.example>\r\n\r\nAnexo grande ${i}\r\n`);
    const results = await p.prepareMany([...Array.from({ length: 4 }, (_, i) => ({ raw: slow(i), arrival })), ...Array.from({ length: 4 }, (_, i) => ({ raw: mail(10 + i), arrival }))]);
    expect(results.filter((r) => r instanceof PrepareError)).toEqual([]);
    expect(results.map((r) => (r as { subject: string }).subject)).toEqual([0, 1, 2, 3, 10, 11, 12, 13].map((i) => `Pedido ${i}`));
  }, 90_000);
});
