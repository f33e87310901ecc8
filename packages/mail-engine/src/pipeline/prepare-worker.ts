// Worker-thread entry of the prepare pool: parsing and sanitizing are CPU-bound, the rest of
// the engine mostly waits on sockets, so parsing runs here on the other cores.
import { parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '@correio/core';
import { prepareEmail, type PrepareSource } from './prepare.ts';
import type { SenderVerificationSettings } from './prepare-pool.ts';
import { failureTextOf } from './import-failure.ts';
import { cachedResolver } from './sender-auth/dns-cache.ts';

const data = workerData as { blobRoot: string; verification: SenderVerificationSettings };
const blobs = new BlobStore(data.blobRoot);
const resolver = data.verification.enabled ? cachedResolver(data.verification.dnsServers) : null;

parentPort!.on('message', (job: { id: number; source: PrepareSource }) => {
  // A Buffer arrives as a plain Uint8Array after crossing threads.
  const raw = job.source.raw;
  const source = raw ? { ...job.source, raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) } : job.source;
  prepareEmail(source, blobs, resolver).then(
    (prepared) => parentPort!.postMessage({ id: job.id, prepared }),
    // The reason crosses the thread as its text code: an Error's own fields would not survive the copy.
    (err: unknown) => parentPort!.postMessage({ id: job.id, error: { text: failureTextOf(err) } }),
  );
});

// Everything above is loaded: tell the pool this worker can take messages.
parentPort!.postMessage({ ready: true });
