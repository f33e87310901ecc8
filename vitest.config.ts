import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { availableTiers } from './tests/helpers/tiers.ts';

// graphql 16 ships CJS (`main`) and ESM (`module`) builds without an `exports` map: Node loads the
// CJS one for our dependencies, Vite would pick the ESM one for our sources, and two graphql
// realms cannot share a schema. Pinning the CJS entry keeps one realm, exactly as in production.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql', { paths: [fileURLToPath(new URL('./packages/api', import.meta.url))] });

const tiers = availableTiers();

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
if (tiers.multiprocess) projects.push(tier('multiprocess', 2, ['tests/integration/multiprocess/**/*.test.ts'], { maxWorkers: 1 }));
if (tiers.dovecot) projects.push(tier('dovecot', 3, ['tests/integration/dovecot/**/*.test.ts', 'tests/helpers-selftest/**/*.test.ts']));
if (tiers.e2e) projects.push(tier('e2e', 4, ['tests/e2e/**/*.test.ts'], { testTimeout: 120_000 }));
if (tiers.faults) projects.push(tier('faults', 5, ['tests/faults/**/*.test.ts'], { testTimeout: 300_000, maxWorkers: 1 }));

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    maxWorkers: 2,
    projects,
  },
});
