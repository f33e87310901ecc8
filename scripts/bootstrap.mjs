#!/usr/bin/env node
// The README's two commands run through here, on a machine that has only Node and npm:
//   npm start  → install dependencies (pnpm, pinned), build the web app and the server (each only
//                when its sources changed), then run the built server in this very process
//   npm test   → install dependencies, build, type-check, run every test tier
// Plain Node on purpose: nothing may be needed before the install has happened.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildServer, serverBuildIsCurrent } from './build-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = ['-y', 'pnpm@10.34.9'];
const command = process.argv[2];

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(cmd, args, what) {
  const status = run(cmd, args);
  if (status !== 0) {
    console.error(`\n✖ ${what} failed (exit ${status}).`);
    process.exit(status);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function install() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('› Installing dependencies (pnpm 10, from the lockfile)…');
  must('npx', [...PNPM, 'install', '--frozen-lockfile'], 'Installing dependencies');
}

function buildWeb({ force = false } = {}) {
  const web = join(root, 'packages', 'web');
  const dist = join(web, 'dist', 'index.html');
  // The app bundles the two pure packages it shares with the server, so their sources count too.
  const shared = ['texts', 'mail-settings'].map((pkg) => newestMtime(join(root, 'packages', pkg, 'src')));
  const sources = Math.max(newestMtime(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs, ...shared);
  if (!force && existsSync(dist) && statSync(dist).mtimeMs >= sources) return;
  console.log('› Building the web app…');
  must('npx', [...PNPM, '--filter', '@correio/web', 'build'], 'Building the web app');
}

const node = process.execPath;
switch (command) {
  case 'start': {
    install();
    buildWeb();
    if (!serverBuildIsCurrent()) {
      console.log('› Building the server…');
      buildServer();
    }
    // In this process, not a child: no second Node process stays resident beside Correio.
    process.argv.splice(2, 1);
    await import(pathToFileURL(join(root, 'packages', 'api', 'dist', 'main.js')).href);
    break;
  }
  case 'test': {
    install();
    buildWeb({ force: true });
    console.log('› Type-checking…');
    must(node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], 'Type-checking the server');
    must('npx', [...PNPM, '--filter', '@correio/web', 'typecheck'], 'Type-checking the web app');
    console.log('› Running the tests…');
    process.exit(run(node, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(3)]));
  }
  default:
    console.error('usage: node scripts/bootstrap.mjs start|test');
    process.exit(2);
}
