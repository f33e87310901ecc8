#!/usr/bin/env node
// Builds the server to plain JavaScript (issue 14): each workspace package's src/ → dist/, with
// the same folder depth, so paths taken from import.meta.url (migrations, the web app, the parser
// worker) stay right. tsc does the emit (`rewriteRelativeImportExtensions` turns our `./x.ts`
// imports into `./x.js`; `--noCheck` because `npm test` type-checks separately), then the
// imports of one workspace package from another are pointed at that package's dist/ by relative
// path, so the built server needs no loader, no export conditions and no hook thread.
//   node scripts/build-server.mjs            (npm start runs it when a source is newer than the build)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Build order: each package only imports the ones before it. */
export const SERVER_PACKAGES = ['texts', 'mail-settings', 'core', 'mail-engine', 'api'];
/** Subpath exports other packages import, and where they are in dist/. */
const ENTRIES = { '@correio/core/safe-filename': 'core/dist/files/safe-filename.js' };
export const BUILD_STAMP = join(root, 'packages', 'api', 'dist', '.build-stamp');

function files(dir, ext) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path, ext));
    else if (entry.name.endsWith(ext)) out.push(path);
  }
  return out;
}

/** Newest modification time of the server's sources (what decides whether to build again). */
export function newestServerSource() {
  let newest = statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
  for (const pkg of SERVER_PACKAGES) for (const file of [...files(join(root, 'packages', pkg, 'src'), '.ts'), join(root, 'packages', pkg, 'package.json')]) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

export function serverBuildIsCurrent() {
  try {
    return statSync(BUILD_STAMP).mtimeMs >= newestServerSource();
  } catch {
    return false;
  }
}

export function buildServer() {
  const started = Date.now();
  for (const pkg of SERVER_PACKAGES) {
    const dir = join(root, 'packages', pkg);
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`building @correio/${pkg} failed (tsc exit ${result.status})`);
  }
  for (const pkg of SERVER_PACKAGES) {
    for (const file of files(join(root, 'packages', pkg, 'dist'), '.js')) {
      const source = readFileSync(file, 'utf8');
      const rewritten = source.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(@correio\/[a-z-]+(?:\/[a-z-]+)?)\2/g, (whole, lead, quote, specifier) => {
        const target = ENTRIES[specifier] ?? (/^@correio\/[a-z-]+$/.test(specifier) ? `${specifier.slice('@correio/'.length)}/dist/index.js` : null);
        if (!target) throw new Error(`${relative(root, file)} imports ${specifier}, which the build does not know`);
        let path = relative(dirname(file), join(root, 'packages', target));
        if (!path.startsWith('.')) path = `./${path}`;
        return `${lead}${quote}${path}${quote}`;
      });
      if (rewritten !== source) writeFileSync(file, rewritten);
    }
  }
  writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
  return Date.now() - started;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ms = buildServer();
  console.log(`› Server built to packages/*/dist in ${(ms / 1000).toFixed(1)} s`);
}
