import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// graphql 16 ships CJS (`main`) and ESM (`module`) builds without an `exports` map: Node loads the
// CJS one for our dependencies, Vite would pick the ESM one for our sources, and two graphql
// realms cannot share a schema. Pinning the CJS entry keeps one realm, exactly as in production.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql', { paths: [fileURLToPath(new URL('./packages/api', import.meta.url))] });

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts its own servers and database; two at a time suits a 2-core machine.
          maxWorkers: 2,
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
