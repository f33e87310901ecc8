import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Self-test of tests/helpers (Dovecot, SMTP sink, TLS, ports); not part of the main projects.
// Run: ./node_modules/.bin/vitest run --config tests/helpers-selftest/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/helpers-selftest/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
