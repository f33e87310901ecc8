import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used so far by the live processes `select` picks, from /proc.
 * Benchmarks take it before and after a load run and divide by the requests served: on a
 * two-core machine the load generator, Node and PostgreSQL share the cores, and this says which
 * of them a request's cost is in.
 */
export function cpuSeconds(select: (name: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const value of cpuTicksByPid(select).values()) ticks += value;
  return ticks / 100;
}

/** CPU ticks (1/100 s) used so far by each live process `select` picks. */
function cpuTicksByPid(select: (name: string, pid: number) => boolean): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!select(name, Number(entry))) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks;
}

/**
 * CPU seconds the processes `select` picks used between two readings: processes that ended in
 * between are left out (the pool closes idle PostgreSQL connections, and subtracting a whole
 * backend's past read as negative CPU), processes that started count from zero.
 */
function cpuSince(before: Map<number, number>, select: (name: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const [pid, now] of cpuTicksByPid(select)) ticks += now - (before.get(pid) ?? 0);
  return ticks / 100;
}

/** Runs `work` and returns its result with the CPU milliseconds per request spent by PostgreSQL (on this machine), the server process and this process. */
export async function cpuPerRequest<T>(serverPid: number, work: () => Promise<T>, requests: (result: T) => number): Promise<{ result: T; postgres: number; server: number; client: number }> {
  const isPostgres = (name: string) => name === 'postgres';
  const isServer = (_n: string, pid: number) => pid === serverPid;
  const postgres0 = cpuTicksByPid(isPostgres);
  const server0 = cpuTicksByPid(isServer);
  const client0 = process.cpuUsage();
  const result = await work();
  const n = Math.max(1, requests(result));
  const client = process.cpuUsage(client0);
  return {
    result,
    postgres: (cpuSince(postgres0, isPostgres) * 1000) / n,
    server: (cpuSince(server0, isServer) * 1000) / n,
    client: (client.user + client.system) / 1000 / n,
  };
}
