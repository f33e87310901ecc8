import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/features.md maps every feature ID to the files that implement and prove it. This keeps
// the map true: a moved file, or an ID cited in code that the map does not know, fails here.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAP = readFileSync(`${ROOT}docs/features.md`, 'utf8');
const ID = /^[AWSN]\d{1,2}$/;

const rows = MAP.split('\n')
  .filter((line) => /^\| [AWSN]\d{1,2} \|/.test(line))
  .map((line) => {
    const [id, what, implemented, proved] = line.split('|').slice(1, -1).map((c) => c.trim());
    return { id: id!, what: what!, implemented: implemented!, proved: proved! };
  });
const paths = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((p) => p.includes('/') || p.includes('.'));

describe('docs/features.md', () => {
  it('lists each feature ID once', () => {
    const ids = rows.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(30);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names only files and folders that exist', () => {
    const missing = rows.flatMap((r) => [...paths(r.implemented), ...paths(r.proved)].filter((p) => !existsSync(`${ROOT}${p}`)).map((p) => `${r.id}: ${p}`));
    expect(missing).toEqual([]);
  });

  it('gives every implemented feature a place and a test, and says which are planned', () => {
    const incomplete = rows.filter((r) => !/^planned/.test(r.implemented) && (!paths(r.implemented).length || (!paths(r.proved).length && !/CI runs/.test(r.proved))));
    expect(incomplete.map((r) => r.id)).toEqual([]);
  });

  // Fixtures are other people's mail (corpora): an ID-shaped word in a base64 line cites nothing.
  it('knows every feature ID the code and tests cite', () => {
    const cited = execFileSync('git', ['grep', '-hoE', '\\b[AWSN][0-9]{1,2}\\b', '--', 'packages/*/src', 'tests', ':(exclude)tests/fixtures'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((id) => ID.test(id));
    const known = new Set(rows.map((r) => r.id));
    expect([...new Set(cited)].filter((id) => !known.has(id)).sort()).toEqual([]);
  });
});
