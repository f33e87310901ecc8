import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from './index.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** The served schema as SDL; committed as packages/api/schema.graphql and drift-tested. */
export function printServedSchema(): string {
  return `# Generated from the Pothos schema by \`pnpm schema:print\`. Do not edit by hand.\n\n${printSchema(schema)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, printServedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
