import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// graphql 16 ships CJS (`main`) and ESM (`module`) builds without an `exports` map: Node loads the
// CJS one for our dependencies, Vite would pick the ESM one for our sources, and two graphql
// realms cannot share a schema. Pinning the CJS entry keeps one realm, exactly as in production.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql', { paths: [fileURLToPath(new URL('./packages/api', import.meta.url))] });

// Tiers that need a program from Debian run where it is installed. CI sets CORREIO_TEST_REQUIRE_ALL=1
// (.ci/run installs them): there every tier runs, and a missing program fails the run.
const requireAll = process.env['CORREIO_TEST_REQUIRE_ALL'] === '1';
const onPath = (...paths: string[]) => paths.some((p) => existsSync(p));
const hasDovecot = requireAll || onPath('/usr/sbin/dovecot', '/usr/bin/dovecot', '/usr/local/sbin/dovecot');
const hasChromium = requireAll || onPath('/usr/bin/chromium', '/usr/bin/chromium-browser');

const tier = (name: string, order: number, include: string[], extra: Record<string, unknown> = {}): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name,
    include,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Tiers run one after the other: each starts servers, and two tiers at once would fight for 2 cores.
    sequence: { groupOrder: order },
    ...extra,
  },
});

const projects: TestProjectInlineConfiguration[] = [
  tier('unit', 0, ['packages/*/src/**/*.test.ts'], { testTimeout: 20_000 }),
  tier('integration', 1, ['tests/integration/**/*.test.ts'], { exclude: ['tests/integration/dovecot/**', 'tests/integration/multiprocess/**'] }),
];
// Several processes share one database in these tiers, which PGlite (one process) cannot do.
const hasServerDatabase = requireAll || !!process.env['DATABASE_URL'];
if (hasServerDatabase) projects.push(tier('multiprocess', 2, ['tests/integration/multiprocess/**/*.test.ts'], { maxWorkers: 1 }));
if (hasDovecot) projects.push(tier('dovecot', 3, ['tests/integration/dovecot/**/*.test.ts', 'tests/helpers-selftest/**/*.test.ts']));
if (hasChromium && hasDovecot) projects.push(tier('e2e', 4, ['tests/e2e/**/*.test.ts'], { testTimeout: 120_000 }));
if (hasDovecot && hasServerDatabase) projects.push(tier('faults', 5, ['tests/faults/**/*.test.ts'], { testTimeout: 300_000, maxWorkers: 1 }));

const missing = [
  !hasDovecot && 'dovecot (install dovecot-imapd dovecot-pop3d)',
  !(hasChromium && hasDovecot) && 'e2e (install chromium and Dovecot)',
  !hasServerDatabase && 'multiprocess (needs DATABASE_URL)',
  !(hasDovecot && hasServerDatabase) && 'faults (needs Dovecot and DATABASE_URL)',
].filter(Boolean);
if (missing.length && !process.env['VITEST_WORKER_ID']) console.log(`[correio tests] not run on this machine: ${missing.join('; ')} — CI always runs every tier`);

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    maxWorkers: 2,
    projects,
  },
});
