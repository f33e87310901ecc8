// Runs every benchmark of the project, each in its own process (so one's memory and workers do
// not disturb the next), and prints one table: figure, baseline, ratio, target.
//   npm run bench            (needs Dovecot and a PostgreSQL server: DATABASE_URL, default 127.0.0.1)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, type Row } from './lib/report.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const benches: Array<{ file: string; args?: string[]; node?: string[] }> = [
  { file: 'bench/import.ts', args: [process.env['BENCH_IMPORT_COUNT'] ?? '10000'] },
  { file: 'bench/latency.ts', args: ['100'] },
  { file: 'bench/memory.ts', node: ['--expose-gc'] },
  { file: 'bench/status-refresh.ts' },
  { file: 'bench/outbox.ts' },
  { file: 'bench/graphql.ts', args: ['100000'] },
  // The scale (200,000 tickets, 1,000,000 actions) takes long to seed: BENCH_SEARCH_TICKETS=200000.
  { file: 'bench/search.ts', args: [process.env['BENCH_SEARCH_TICKETS'] ?? '20000', '5', '200'] },
  { file: 'bench/runtime.ts' },
  // Issue 17's scale; BENCH_MAILBOXES=300 for a quick run. Needs `ulimit -n` ≥ mailboxes + 1,000.
  { file: 'bench/mailboxes.ts', args: [process.env['BENCH_MAILBOXES'] ?? '2000'] },
];

const all: Row[] = [];
for (const bench of benches) {
  console.log(`\n▶ ${bench.file}`);
  const rows = await new Promise<Row[] | null>((resolve) => {
    const child = spawn(process.execPath, [...(bench.node ?? []), '--import', 'tsx', bench.file, ...(bench.args ?? [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let found: Row[] | null = null;
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('BENCH_JSON ')) continue;
        const { title, rows: r } = JSON.parse(line.slice('BENCH_JSON '.length)) as { title: string; rows: Row[] };
        found = [...(found ?? []), { figure: `— ${title}`, value: '' }, ...r];
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => resolve(code === 0 ? found : [{ figure: `— ${bench.file}`, value: `failed (exit ${code})`, pass: false }]));
  });
  if (rows) all.push(...rows);
}
printTable('All benchmarks', all);
