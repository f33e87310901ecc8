import { existsSync } from 'node:fs';

/**
 * Which test tiers this machine can run. Tiers that need a program from Debian or a PostgreSQL
 * server run where present; CI sets CORREIO_TEST_REQUIRE_ALL=1 (.ci/run installs everything),
 * and there every tier runs and a missing program fails the run instead.
 */
export function availableTiers(env: NodeJS.ProcessEnv = process.env) {
  const requireAll = env['CORREIO_TEST_REQUIRE_ALL'] === '1';
  const onPath = (...paths: string[]) => paths.some((p) => existsSync(p));
  const dovecot = requireAll || onPath('/usr/sbin/dovecot', '/usr/bin/dovecot', '/usr/local/sbin/dovecot');
  const chromium = requireAll || onPath('/usr/bin/chromium', '/usr/bin/chromium-browser');
  // Several processes share one database in these tiers, which PGlite (one process) cannot do.
  const serverDatabase = requireAll || !!env['DATABASE_URL'];
  const missing = [
    !dovecot && 'dovecot (install dovecot-imapd dovecot-pop3d)',
    !(chromium && dovecot) && 'e2e (install chromium and Dovecot)',
    !serverDatabase && 'multiprocess (needs DATABASE_URL)',
    !(dovecot && serverDatabase) && 'faults (needs Dovecot and DATABASE_URL)',
  ].filter((m): m is string => !!m);
  return { dovecot, e2e: chromium && dovecot, multiprocess: serverDatabase, faults: dovecot && serverDatabase, missing };
}
