// A parser thread that never finishes a message carrying "X-Test-Hang", as a parser caught in a
// loop by a hostile message would, and that holds its thread for a while on one carrying
// "X-Test-Slow: <ms>", as a large message does: for the pool's watchdog tests. Every message then
// goes to the real worker below, whose listener comes after this one.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

parentPort.on('message', (job) => {
  const raw = job.source?.raw;
  const text = raw ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1') : '';
  if (text.includes('X-Test-Hang')) for (;;);
  const slow = /X-Test-Slow: (\d+)/.exec(text);
  if (slow) for (const until = Date.now() + Number(slow[1]); Date.now() < until; );
});
register();
await import('../prepare-worker.ts');
