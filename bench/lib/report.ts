export interface Row {
  figure: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  pass?: boolean;
}

/** Prints a fixed-width table, and the rows as one JSON line for bench/run-all.ts to collect. */
export function printTable(title: string, rows: Row[]): void {
  const cols: Array<keyof Row> = ['figure', 'value', 'baseline', 'ratio', 'target', 'pass'];
  const cell = (r: Row, c: keyof Row) => (c === 'pass' ? (r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS') : String(r[c] ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(cols.map(String)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell(r, c))));
  console.log(`BENCH_JSON ${JSON.stringify({ title, rows })}`);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
