import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { renderText, text, type ServerText } from '@correio/texts';
import type { BlobStore, Logger } from '@correio/core';
import type { PreparedEmail, PrepareSource } from './prepare.ts';
import { cachedResolver, type TxtResolver } from './sender-auth/dns-cache.ts';
import { failureTextOf } from './import-failure.ts';

// The built server (plain JavaScript, issue 14) runs the worker's own build; from source, a small
// .mjs registers the TypeScript loader first, which Node 20 workers do not inherit.
// The parser and everything under it (mailparser, mailauth, sanitize-html, charset detection)
// load on this thread only when a message is first prepared here: an idle Correio never needs them.
let parserModule: Promise<typeof import('./prepare.ts')> | null = null;
const loadParser = () => (parserModule ??= import('./prepare.ts'));

const WORKER_ENTRY = new URL(import.meta.url.endsWith('.js') ? './prepare-worker.js' : './prepare-worker.mjs', import.meta.url);
import type { ArrivalFacts } from './sender-auth/verify-sender.ts';

/**
 * A message that could not be prepared; its raw bytes are already kept under `rawBlobKey`. `text`
 * says why as a text code (the failed-imports list words it); the message is its English wording, for logs.
 */
export class PrepareError extends Error {
  constructor(
    readonly text: ServerText,
    readonly rawBlobKey: string,
    readonly rawSize: number,
  ) {
    super(renderText(text, 'en'));
    this.name = 'PrepareError';
  }
}

/** A message waiting for a worker to take it. */
interface Waiting {
  source: PrepareSource;
  resolve: (p: PreparedEmail) => void;
  reject: (e: unknown) => void;
  /** It was on a worker that stopped answering beside other messages: it runs alone next (see timedOut). */
  suspect?: boolean;
}

/** A message a worker has. */
interface Job {
  slot: Slot;
  waiting: Waiting;
  watchdog: NodeJS.Timeout;
}

/**
 * Messages a worker holds at once. The rest wait here and go to whichever worker frees up first:
 * handed out all at once, a batch was split evenly, and a worker that drew large messages kept
 * the batch waiting long after the other had gone idle.
 */
const JOBS_PER_WORKER = 4;

export type RawInput = Buffer | Readable | { blobKey: string };

/** One message to prepare: its bytes, and how it arrived (for sender verification). */
export interface PrepareInput {
  raw: RawInput;
  arrival: ArrivalFacts;
}

/** Whether (and through which DNS servers) workers verify senders (W9). */
export interface SenderVerificationSettings {
  enabled: boolean;
  dnsServers: string[];
}

/**
 * Options of the parser pool: at most `maxWorkers` worker threads, started only when a backlog
 * builds up and stopped again after `idleMs` without work (issue 14: an idle Correio holds no
 * parser isolates; each costs tens of megabytes). Without a worker a message is prepared on this
 * thread — a mail arriving alone through IDLE is parsed at once, without waiting for a worker.
 */
export interface PreparePoolOptions {
  maxWorkers: number;
  /** Messages in flight at once from which another worker is started. */
  backlog: number;
  idleMs: number;
  /**
   * How long a worker may spend on one message. Past it the worker is stopped, the message
   * becomes a failed import (raw kept) and the import goes on: a message that sends the parser
   * into a loop must not stop its mailbox forever. A 30 MB attachment takes seconds.
   */
  messageTimeoutMs: number;
  /** The worker's script (tests start one that misbehaves). */
  workerEntry: URL;
}

export const DEFAULT_PREPARE_POOL: PreparePoolOptions = { maxWorkers: Math.max(1, Math.min(4, availableParallelism())), backlog: 3, idleMs: 60_000, messageTimeoutMs: 120_000, workerEntry: WORKER_ENTRY };

interface Slot {
  worker: Worker;
  busy: number;
  ready: boolean;
  lastUsedAt: number;
  /** Holds one suspect message alone: nothing else is given to it until that one is done. */
  isolating: boolean;
}

export class PreparePool {
  private readonly workers: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly waiting: Waiting[] = [];
  private nextId = 1;
  private closed = false;
  private inFlight = 0;
  private readonly options: PreparePoolOptions;
  private readonly resolver: TxtResolver | null;
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly blobs: BlobStore,
    private readonly logger: Logger,
    options: Partial<PreparePoolOptions> = {},
    private readonly verification: SenderVerificationSettings = { enabled: true, dnsServers: [] },
  ) {
    this.options = { ...DEFAULT_PREPARE_POOL, ...options };
    this.options.maxWorkers = Math.max(0, this.options.maxWorkers);
    this.resolver = verification.enabled ? cachedResolver(verification.dnsServers) : null;
    this.reaper = setInterval(() => this.stopIdleWorkers(), Math.max(1000, Math.min(30_000, this.options.idleMs / 2)));
    this.reaper.unref();
  }

  /** Worker threads running now (for tests and metrics). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Of those, the ones loaded and taking messages (for tests). */
  get readyWorkerCount(): number {
    return this.workers.filter((w) => w.ready).length;
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
    return Promise.all(sources.map((source) => this.dispatch(source).catch((err: unknown) => (err instanceof PrepareError ? err : new PrepareError(failureTextOf(err), source.blobKey, source.size)))));
  }

  private async dispatch(source: PrepareSource): Promise<PreparedEmail> {
    this.inFlight += 1;
    try {
      this.growIfBacklogged();
      // Under a backlog the messages wait for the worker that is starting rather than being
      // parsed here: a cold parser on this thread blocks the API and compiles mailparser and
      // mailauth a third time. A lone message (no worker anywhere) is parsed here at once.
      if (this.closed || !this.workers.length) return await this.prepareHere(source);
      return await new Promise<PreparedEmail>((resolve, reject) => {
        this.waiting.push({ source, resolve, reject });
        this.pump();
      });
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Hands waiting messages to ready workers with room; with no worker left to start, parses them here. */
  private pump(): void {
    while (this.waiting.length) {
      const suspect = this.waiting[0]!.suspect === true;
      if (!this.workers.length) this.growIfBacklogged(suspect);
      if (this.closed || !this.workers.length) {
        const { source, resolve, reject } = this.waiting.shift()!;
        // Never on this thread: it may be the message that loops, and here nothing could stop it.
        if (suspect) reject(this.timedOutError(source));
        else this.prepareHere(source).then(resolve, reject);
        continue;
      }
      // A suspect goes to an idle worker and has it to itself; the others wait behind it, in order.
      const slot = this.workers
        .filter((w) => w.ready && !w.isolating && (suspect ? w.busy === 0 : w.busy < JOBS_PER_WORKER))
        .reduce<Slot | undefined>((best, w) => (!best || w.busy < best.busy ? w : best), undefined);
      if (!slot) return;
      const waiting = this.waiting.shift()!;
      const id = this.nextId++;
      slot.busy += 1;
      slot.isolating = suspect;
      slot.lastUsedAt = Date.now();
      this.jobs.set(id, { slot, waiting, watchdog: this.watchdog(id) });
      slot.worker.postMessage({ id, source: waiting.source });
    }
  }

  private watchdog(id: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.timedOut(id), this.options.messageTimeoutMs);
    timer.unref();
    return timer;
  }

  /** The job leaves its worker (done, failed, or its worker gone). */
  private finish(id: number): Waiting | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    this.jobs.delete(id);
    clearTimeout(job.watchdog);
    job.slot.busy -= 1;
    if (!job.slot.busy) job.slot.isolating = false;
    job.slot.lastUsedAt = Date.now();
    return job.waiting;
  }

  /**
   * A worker that has just finished a message is not stuck: the messages it still holds get their
   * whole budget again. Their clocks measure a worker that stopped answering, not a busy one (four
   * large messages share a worker's time) or a slow machine.
   */
  private rearm(slot: Slot): void {
    for (const [id, job] of this.jobs) {
      if (job.slot !== slot) continue;
      clearTimeout(job.watchdog);
      job.watchdog = this.watchdog(id);
    }
  }

  /**
   * A worker has answered nothing for messageTimeoutMs: it is stopped (a loop in JavaScript cannot
   * be interrupted otherwise). If it held this message alone, the message is the cause: it fails,
   * its raw bytes kept. If it held others too, any of them may be the cause — the worker runs them
   * side by side — so each is tried again alone, in order, and only one that stops a worker on
   * its own fails. The import goes on either way.
   */
  private timedOut(id: number): void {
    const job = this.jobs.get(id);
    if (!job) return;
    const { slot } = job;
    this.retire(slot);
    void slot.worker.terminate();
    const held = [...this.jobs].filter(([, j]) => j.slot === slot).map(([other]) => other);
    if (held.length === 1) {
      this.logger.warn({ blobKey: job.waiting.source.blobKey, size: job.waiting.source.size, timeoutMs: this.options.messageTimeoutMs }, 'parse worker stopped: one message took too long; it is kept as a failed import');
      const waiting = this.finish(id)!;
      waiting.reject(this.timedOutError(waiting.source));
    } else {
      this.logger.warn({ messages: held.length, timeoutMs: this.options.messageTimeoutMs }, 'parse worker stopped: it stopped answering; its messages are tried again one at a time');
      const requeued = held.map((other) => this.finish(other)!);
      for (const waiting of requeued) waiting.suspect = true;
      this.waiting.unshift(...requeued);
    }
    this.pump();
  }

  private timedOutError(source: PrepareSource): PrepareError {
    return new PrepareError(text('import.parseTimedOut', { seconds: Math.round(this.options.messageTimeoutMs / 1000) }), source.blobKey, source.size);
  }

  private retire(slot: Slot): void {
    const index = this.workers.indexOf(slot);
    if (index >= 0) this.workers.splice(index, 1);
  }

  /** One more worker when the messages in flight outnumber what the running ones can take (or, `always`, for a suspect). */
  private growIfBacklogged(always = false): void {
    if (this.closed || this.workers.length >= this.options.maxWorkers) return;
    if (this.workers.some((w) => !w.ready)) return; // one start at a time
    if (!always && this.inFlight < this.options.backlog * (this.workers.length + 1)) return;
    try {
      this.workers.push({ worker: this.spawn(), busy: 0, ready: false, lastUsedAt: Date.now(), isolating: false });
      this.logger.debug({ workers: this.workers.length, inFlight: this.inFlight }, 'parse worker started for a backlog');
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'parse workers unavailable; parsing on the main thread');
      this.options.maxWorkers = 0;
    }
  }

  private stopIdleWorkers(): void {
    const now = Date.now();
    for (const slot of [...this.workers]) {
      if (slot.busy || !slot.ready || now - slot.lastUsedAt < this.options.idleMs) continue;
      this.workers.splice(this.workers.indexOf(slot), 1);
      void slot.worker.terminate();
      this.logger.debug({ workers: this.workers.length }, 'idle parse worker stopped');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
    this.pump();
  }

  private async prepareHere(source: PrepareSource): Promise<PreparedEmail> {
    try {
      const { prepareEmail } = await loadParser();
      return await prepareEmail(source, this.blobs, this.resolver);
    } catch (err) {
      throw new PrepareError(failureTextOf(err), source.blobKey, source.size);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.options.workerEntry, { workerData: { blobRoot: this.blobs.root, verification: this.verification } });
    worker.unref();
    worker.on('message', (msg: { id: number; ready?: boolean; prepared?: PreparedEmail; error?: { text: ServerText } }) => {
      if (msg.ready) {
        const slot = this.workers.find((w) => w.worker === worker);
        if (slot) slot.ready = true;
        this.pump();
        return;
      }
      const slot = this.jobs.get(msg.id)?.slot;
      const waiting = this.finish(msg.id);
      if (!waiting) return;
      if (slot) this.rearm(slot);
      if (msg.prepared) waiting.resolve(msg.prepared);
      else waiting.reject(new PrepareError(msg.error?.text ?? text('import.parseFailed'), waiting.source.blobKey, waiting.source.size));
      this.pump();
    });
    worker.on('error', (err) => {
      this.logger.error({ err: { message: err.message } }, 'parse worker crashed; the next backlog starts another');
      const slot = this.workers.find((w) => w.worker === worker);
      if (slot) this.retire(slot);
      // A worker that cannot even load would fail the same way each time it is started.
      if (slot && !slot.ready) this.options.maxWorkers = 0;
      // Jobs on the dead worker fail, so their messages become failed imports (raw kept), never silently dropped.
      for (const [id, job] of [...this.jobs]) {
        if (job.slot.worker !== worker) continue;
        const waiting = this.finish(id)!;
        waiting.reject(new PrepareError(text('import.parserCrashed', undefined, err.message), waiting.source.blobKey, waiting.source.size));
      }
      // Messages still waiting go to the other workers, or to this thread when none is left.
      this.pump();
    });
    return worker;
  }
}
