import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used so far by the live processes `select` picks, from /proc.
 * Benchmarks take it before and after a load run and divide by the requests served: on a
 * two-core machine the load generator, Node and PostgreSQL share the cores, and this says which
 * of them a request's cost is in.
 */
export function cpuSeconds(select: (name: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!select(name, Number(entry))) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks / 100;
}

/** Runs `work` and returns its result with the CPU milliseconds per request spent by PostgreSQL (on this machine), the server process and this process. */
export async function cpuPerRequest<T>(serverPid: number, work: () => Promise<T>, requests: (result: T) => number): Promise<{ result: T; postgres: number; server: number; client: number }> {
  const postgres0 = cpuSeconds((name) => name === 'postgres');
  const server0 = cpuSeconds((_n, pid) => pid === serverPid);
  const client0 = process.cpuUsage();
  const result = await work();
  const n = Math.max(1, requests(result));
  const client = process.cpuUsage(client0);
  return {
    result,
    postgres: ((cpuSeconds((name) => name === 'postgres') - postgres0) * 1000) / n,
    server: ((cpuSeconds((_n, pid) => pid === serverPid) - server0) * 1000) / n,
    client: (client.user + client.system) / 1000 / n,
  };
}
