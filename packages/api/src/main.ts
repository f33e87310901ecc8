import { ConfigError, loadConfig } from '@correio/core';
import { startCorreio } from './app.ts';

// Everything Correio writes (PGlite's files included, which it creates through its own file
// layer) is for this user only, whatever umask the process was started with.
process.umask(0o077);

// `correio engine` / `correio api` override CORREIO_ROLE for one process.
const roleArg = process.argv[2];
const env = roleArg === 'engine' || roleArg === 'api' || roleArg === 'all' ? { ...process.env, CORREIO_ROLE: roleArg } : process.env;

try {
  const config = loadConfig(env);
  const app = await startCorreio(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    app.runtime.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.runtime.logger.error({ signal }, 'shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000);
    force.unref();
    await app.close();
    app.runtime.logger.info({ ms: Date.now() - started }, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
