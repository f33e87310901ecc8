import type { TestProject } from 'vitest/node';
import { availableTiers } from './tiers.ts';

// Runs once per tier before its tests; the first tier says what this run covers.
export default function setup(project: TestProject): void {
  if (project.name !== 'unit') return;
  const target = process.env['DATABASE_URL'] ? `PostgreSQL (${new URL(process.env['DATABASE_URL']).host})` : 'embedded PGlite';
  console.log(`[correio tests] database suite runs on ${target}`);
  const { missing } = availableTiers();
  if (missing.length) console.log(`[correio tests] not run on this machine: ${missing.join('; ')} — CI always runs every tier`);
}
