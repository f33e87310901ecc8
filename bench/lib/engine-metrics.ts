/** What an engine process says about itself on `CORREIO_METRICS_PORT` (issue 17). */
export interface EngineMetrics {
  /** Mailboxes this engine owns, by state (`idle` = in IMAP IDLE). */
  mailboxes: { idle: number; connecting: number; syncing: number; waiting: number };
  /** Every mailbox this engine owns, whatever its state. */
  owned: number;
  loginsInFlight: number;
  /** The most logins the engine ran at once since it started. */
  loginsPeak: number;
  connectLimit: number;
  /** Statements the engine has sent to PostgreSQL since it started; null on PGlite. */
  dbStatements: number | null;
}

export type Samples = Map<string, number>;

/**
 * Prometheus text format → value per series, keyed `name` or `name{label="value",…}` exactly as
 * the exporter wrote it. Enough for our own gauges; not a general parser (no escapes in labels).
 */
export function parsePrometheus(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^(\S+?(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** A series' value, or undefined when the exporter did not write it. */
function series(samples: Samples, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (wanted.every(([k, v]) => key.includes(`${k}="${v}"`))) return value;
  }
  return undefined;
}

function required(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  const value = series(samples, name, labels);
  if (value === undefined) throw new Error(`engine metrics: no ${name}${JSON.stringify(labels)} (is the engine built with issue 17's gauges?)`);
  return value;
}

export function engineMetricsOf(samples: Samples): EngineMetrics {
  // A state no mailbox is in may be left out by the exporter: it counts as zero.
  const state = (s: string) => series(samples, 'correio_engine_mailboxes', { state: s }) ?? 0;
  const mailboxes = { idle: state('idle'), connecting: state('connecting'), syncing: state('syncing'), waiting: state('waiting') };
  return {
    mailboxes,
    owned: mailboxes.idle + mailboxes.connecting + mailboxes.syncing + mailboxes.waiting,
    loginsInFlight: required(samples, 'correio_engine_logins_in_flight'),
    loginsPeak: required(samples, 'correio_engine_logins_peak'),
    connectLimit: required(samples, 'correio_engine_connect_limit'),
    dbStatements: series(samples, 'correio_engine_db_statements') ?? null,
  };
}

/** Scrapes `http://127.0.0.1:<port>/metrics` of one engine process. */
export async function scrapeEngine(metricsPort: number): Promise<EngineMetrics> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`engine metrics on port ${metricsPort}: HTTP ${res.status}`);
  return engineMetricsOf(parsePrometheus(await res.text()));
}

/** Scrapes every engine at once; the sum of their idle mailboxes is the cluster's. */
export async function scrapeEngines(metricsPorts: number[]): Promise<EngineMetrics[]> {
  return Promise.all(metricsPorts.map((port) => scrapeEngine(port)));
}

export const idleTotal = (all: EngineMetrics[]) => all.reduce((sum, m) => sum + m.mailboxes.idle, 0);
