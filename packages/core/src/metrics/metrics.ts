import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Correio's Prometheus metrics (issue 14), one registry per process. Counters and histograms are
 * fed where things happen (importer, outbox, GraphQL); the state of the whole install (mailboxes
 * by state, outbox depth, leases) is read from the database when scraped, through `collectors`,
 * so every process reports the same truth whoever owns the mailboxes.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly messagesImported = new Counter({
    name: 'correio_messages_imported_total',
    help: 'Inbound messages by outcome: ticket created or appended, refused by a policy, failed (kept raw), or already imported.',
    labelNames: ['outcome', 'account_kind'] as const,
    registers: [this.registry],
  });

  readonly importBatchSeconds = new Histogram({
    name: 'correio_import_batch_duration_seconds',
    help: 'Time to commit one import batch (parse excluded), seconds.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly arrivalToCommitSeconds = new Histogram({
    name: 'correio_arrival_to_commit_seconds',
    help: 'From the mail server receiving a message (its INTERNALDATE, or our SMTP receiver) to the ticket committed, seconds; live mail only, history imports excluded.',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });

  readonly sends = new Counter({
    name: 'correio_sends_total',
    help: 'Outbound messages by result: sent, deferred (will retry) or failed.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly graphqlSeconds = new Histogram({
    name: 'correio_graphql_request_duration_seconds',
    help: 'GraphQL operations over HTTP by operation name (unnamed and beyond 100 names: "other"), seconds.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly operationNames = new Set<string>();

  constructor() {
    // Process metrics, including the event-loop lag (nodejs_eventloop_lag_seconds) and heap use.
    collectDefaultMetrics({ register: this.registry, prefix: 'correio_' });
  }

  /** A bounded label for a client-chosen operation name: clients must not grow the series without bound. */
  operationLabel(name: string | null | undefined): string {
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= 100) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** Gauges read at scrape time (from the database), registered by whoever can read them. */
  gauge(name: string, help: string, labelNames: string[], collect: (set: (labels: Record<string, string>, value: number) => void) => Promise<void>): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await collect((labels, value) => this.set(labels, value));
      },
    });
  }
}
