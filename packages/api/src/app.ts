import type { AddressInfo } from 'node:net';
import { createRuntime, type CorreioConfig, type Runtime, type RuntimeOverrides } from '@correio/core';
import { MailEngine, type EngineOptions } from '@correio/mail-engine';
import { SubscriptionCount } from './http/subscription-count.ts';
import { closeSubscriptions, createHttpServer } from './server.ts';
import { registerEngineMetrics, registerInstallMetrics, startMetricsServer } from './http/metrics.ts';
import { createServices, type Services } from './services/index.ts';

export interface RunningCorreio {
  runtime: Runtime;
  /** The mail engine, when this process runs one (role `all` or `engine`). */
  engine: MailEngine | null;
  services: Services | null;
  /** Base URL of the HTTP server (null for an engine-only process). */
  url: string | null;
  /** Subscriptions open over graphql-ws in this process. */
  subscriptions: SubscriptionCount;
  /** Base URL of the metrics server (CORREIO_METRICS_PORT), or null when /metrics is on the main port. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

/** Starts the parts of Correio that `config.role` asks for, in this process. */
export async function startCorreio(config: CorreioConfig, overrides: RuntimeOverrides & { engine?: EngineOptions } = {}): Promise<RunningCorreio> {
  const runtime = await createRuntime(config, overrides);
  const closers: Array<() => Promise<void>> = [];
  let services: Services | null = null;
  let url: string | null = null;
  let engine: MailEngine | null = null;
  let metricsUrl: string | null = null;
  const subscriptions = new SubscriptionCount();

  try {
    if (config.metricsPort !== undefined) {
      const metricsServer = await startMetricsServer(runtime);
      metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
      if (config.role === 'engine') registerInstallMetrics(runtime, null, null);
      closers.push(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
    }
    if (config.role === 'all' || config.role === 'engine') {
      engine = new MailEngine(runtime, engineOptions(config, overrides.engine));
      await engine.start();
      if (config.metricsPort !== undefined) registerEngineMetrics(runtime, engine);
      const started = engine;
      // Within the 10 s a shutdown may take: sends in flight get 5 s to be recorded.
      closers.push(() => started.stop({ sendGraceMs: 5000 }));
    }
    if (config.role === 'all' || config.role === 'api') {
      services = createServices(runtime, engine);
      const server = createHttpServer(runtime, services, subscriptions);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      url = `http://127.0.0.1:${port}`;
      runtime.logger.info({ port, database: runtime.database.kind, role: config.role }, `Correio is listening on http://localhost:${port}`);
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            // Subscribers are told to come back (1012 Service Restart) instead of seeing a dropped socket.
            closeSubscriptions(server);
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      );
    }
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await runtime.close();
    throw err;
  }

  return {
    runtime,
    engine,
    services,
    url,
    subscriptions,
    metricsUrl,
    async close() {
      for (const close of closers.reverse()) await close();
      await runtime.close();
    },
  };
}

function engineOptions(config: CorreioConfig, overrides: EngineOptions = {}): EngineOptions {
  const e = config.engine;
  return {
    statusWindowMs: e.statusWindowMs,
    watchdogMs: e.watchdogMs,
    ...overrides,
    imap: { pollIntervalMs: e.imapPollMs, ...overrides.imap },
    pop3: { pollIntervalMs: e.pop3PollMs, ...overrides.pop3 },
    leases: { ttlMs: e.leaseTtlMs, heartbeatMs: Math.max(500, Math.round(e.leaseTtlMs / 3)), ...overrides.leases },
    connect: { concurrency: e.connectConcurrency, jitterMs: e.connectJitterMs, ...overrides.connect },
    outbox: { ...overrides.outbox, retry: { ...e.sendRetry, ...overrides.outbox?.retry } },
  };
}
