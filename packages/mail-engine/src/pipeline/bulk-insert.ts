import { rowsOf, type Queryable } from '@correio/core';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * Inserts many rows with one parameter: the rows travel as one JSON array and PostgreSQL
 * expands them with jsonb_populate_recordset. A 200-message batch is a handful of statements
 * with a handful of parameters, instead of statements with thousands of bound values, each
 * mapped and bound one by one. Keys are the drizzle field names of `table`; columns a row leaves
 * out take their defaults only when every row leaves them out.
 */
export async function bulkInsert<T extends PgTable>(
  tx: Queryable,
  table: T,
  rows: Array<Partial<T['$inferInsert']>>,
  options: { onConflictDoNothing?: boolean; returning?: Array<keyof T['$inferSelect'] & string> } = {},
): Promise<Array<Record<string, unknown>>> {
  if (!rows.length) return [];
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const used = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => columns[k]);
  const names = used.map((k) => `"${columns[k]!.name}"`).join(', ');
  const json = JSON.stringify(
    rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const k of used) {
        const v = (r as Record<string, unknown>)[k];
        out[columns[k]!.name] = v instanceof Date ? v.toISOString() : v;
      }
      return out;
    }),
  );
  const tableName = `"${getTableName(table)}"`;
  const conflict = options.onConflictDoNothing ? ' on conflict do nothing' : '';
  const returning = options.returning?.length ? ` returning ${options.returning.map((k) => `"${columns[k]!.name}" as "${k}"`).join(', ')}` : '';
  const result = await tx.execute(
    sql`insert into ${sql.raw(tableName)} (${sql.raw(names)}) select ${sql.raw(names)} from jsonb_populate_recordset(null::${sql.raw(tableName)}, ${json}::jsonb)${sql.raw(conflict + returning)}`,
  );
  return rowsOf<Record<string, unknown>>(result);
}
