// A parser thread that never finishes a message carrying "X-Test-Hang", as a parser caught in a
// loop by a hostile message would: for the pool's per-message watchdog test. Every other message
// goes to the real worker below, whose listener comes after this one.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

parentPort.on('message', (job) => {
  const raw = job.source?.raw;
  if (raw && Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).includes('X-Test-Hang')) for (;;);
});
register();
await import('../prepare-worker.ts');
