import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { BlobStore, Logger } from '@correio/core';
import { prepareEmail, type PreparedEmail, type PrepareSource } from './prepare.ts';
import { cachedResolver, type TxtResolver } from './sender-auth/dns-cache.ts';
import type { ArrivalFacts } from './sender-auth/verify-sender.ts';

/** A message that could not be prepared; its raw bytes are already kept under `rawBlobKey`. */
export class PrepareError extends Error {
  constructor(
    message: string,
    readonly rawBlobKey: string,
    readonly rawSize: number,
  ) {
    super(message);
    this.name = 'PrepareError';
  }
}

interface Job {
  worker: Worker;
  source: PrepareSource;
  resolve: (p: PreparedEmail) => void;
  reject: (e: PrepareError) => void;
}

export type RawInput = Buffer | Readable | { blobKey: string };

/** One message to prepare: its bytes, and how it arrived (for sender verification). */
export interface PrepareInput {
  raw: RawInput;
  arrival: ArrivalFacts;
}

/**
 * Prepares messages on worker threads, one per core, falling back to this thread when workers
 * cannot start. Streams are written to the blob store here first (a stream cannot cross threads).
 */
/** Whether (and through which DNS servers) workers verify senders (W9). */
export interface SenderVerificationSettings {
  enabled: boolean;
  dnsServers: string[];
}

export class PreparePool {
  private readonly workers: Array<{ worker: Worker; busy: number }> = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;
  /** Resolves once every worker has loaded its modules (or after a few seconds at worst). */
  readonly ready: Promise<void>;
  private readyWaiters: Array<() => void> = [];
  private readonly resolver: TxtResolver | null;

  constructor(
    private readonly blobs: BlobStore,
    private readonly logger: Logger,
    size = Math.max(1, Math.min(4, availableParallelism())),
    private readonly verification: SenderVerificationSettings = { enabled: true, dnsServers: [] },
  ) {
    this.resolver = verification.enabled ? cachedResolver(verification.dnsServers) : null;
    size = Math.max(0, size);
    const readies: Array<Promise<void>> = [];
    try {
      for (let i = 0; i < size; i++) {
        readies.push(new Promise<void>((resolve) => this.readyWaiters.push(resolve)));
        this.workers.push({ worker: this.spawn(), busy: 0 });
      }
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'parse workers unavailable; parsing on the main thread');
    }
    this.ready = Promise.race([Promise.all(readies).then(() => undefined), new Promise<void>((r) => setTimeout(r, 15_000).unref())]);
  }

  /**
   * Keeps the raw bytes first (here, so a crash of the parser can never lose them) — the
   * in-memory ones of a batch in one pack file — then parses every message on the workers.
   * Each result is the prepared message, or a PrepareError naming the kept raw bytes.
   */
  async prepareMany(inputs: PrepareInput[]): Promise<Array<PreparedEmail | PrepareError>> {
    const buffers = inputs.map((i) => i.raw).filter((raw): raw is Buffer => Buffer.isBuffer(raw));
    const packed = await this.blobs.putPack(buffers);
    let next = 0;
    const sources = await Promise.all(
      inputs.map(async ({ raw: input, arrival }): Promise<PrepareSource> => {
        if (Buffer.isBuffer(input)) return { blobKey: packed[next++]!.key, size: input.length, sha256: null, raw: input, arrival };
        if ('blobKey' in input) return { blobKey: input.blobKey, size: await this.blobs.size(input.blobKey), sha256: null, arrival };
        const stored = await this.blobs.put(input);
        return { blobKey: stored.key, size: stored.size, sha256: stored.sha256, arrival };
      }),
    );
    return Promise.all(sources.map((source) => this.dispatch(source).catch((err: unknown) => (err instanceof PrepareError ? err : new PrepareError(String((err as Error)?.message ?? err), source.blobKey, source.size)))));
  }

  private async dispatch(source: PrepareSource): Promise<PreparedEmail> {
    const slot = this.workers.reduce<(typeof this.workers)[number] | undefined>((best, w) => (!best || w.busy < best.busy ? w : best), undefined);
    if (!slot || this.closed) return this.prepareHere(source);
    const id = this.nextId++;
    slot.busy += 1;
    try {
      return await new Promise<PreparedEmail>((resolve, reject) => {
        this.jobs.set(id, { worker: slot.worker, source, resolve, reject });
        slot.worker.postMessage({ id, source });
      });
    } finally {
      slot.busy -= 1;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }

  private async prepareHere(source: PrepareSource): Promise<PreparedEmail> {
    try {
      return await prepareEmail(source, this.blobs, this.resolver);
    } catch (err) {
      throw new PrepareError((err as Error).message, source.blobKey, source.size);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./prepare-worker.mjs', import.meta.url), { workerData: { blobRoot: this.blobs.root, verification: this.verification } });
    worker.unref();
    worker.on('message', (msg: { id: number; ready?: boolean; prepared?: PreparedEmail; error?: { message: string } }) => {
      if (msg.ready) return this.readyWaiters.shift()?.();
      const job = this.jobs.get(msg.id);
      if (!job) return;
      this.jobs.delete(msg.id);
      if (msg.prepared) job.resolve(msg.prepared);
      else job.reject(new PrepareError(msg.error?.message ?? 'Parse failed', job.source.blobKey, job.source.size));
    });
    worker.on('error', (err) => {
      this.logger.error({ err: { message: err.message } }, 'parse worker crashed; replacing it');
      const index = this.workers.findIndex((w) => w.worker === worker);
      if (index >= 0 && !this.closed) this.workers[index] = { worker: this.spawn(), busy: 0 };
      // Jobs on the dead worker fail, so their messages become failed imports (raw kept), never silently dropped.
      for (const [id, job] of this.jobs) {
        if (job.worker !== worker) continue;
        job.reject(new PrepareError(`The parser crashed on this message: ${err.message}`, job.source.blobKey, job.source.size));
        this.jobs.delete(id);
      }
    });
    return worker;
  }
}
