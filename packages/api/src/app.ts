import type { AddressInfo } from 'node:net';
import { createRuntime, type CorreioConfig, type Runtime, type RuntimeOverrides } from '@correio/core';
import { createHttpServer } from './server.ts';
import { createServices, type Services } from './services/index.ts';

export interface RunningCorreio {
  runtime: Runtime;
  services: Services | null;
  /** Base URL of the HTTP server (null for an engine-only process). */
  url: string | null;
  close(): Promise<void>;
}

/** Starts the parts of Correio that `config.role` asks for, in this process. */
export async function startCorreio(config: CorreioConfig, overrides: RuntimeOverrides = {}): Promise<RunningCorreio> {
  const runtime = await createRuntime(config, overrides);
  const closers: Array<() => Promise<void>> = [];
  let services: Services | null = null;
  let url: string | null = null;

  try {
    if (config.role === 'all' || config.role === 'api') {
      services = createServices(runtime);
      const server = createHttpServer(runtime, services);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      url = `http://127.0.0.1:${port}`;
      runtime.logger.info({ port, database: runtime.database.kind, role: config.role }, `Correio is listening on http://localhost:${port}`);
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      );
    }
  } catch (err) {
    await runtime.close();
    throw err;
  }

  return {
    runtime,
    services,
    url,
    async close() {
      for (const close of closers.reverse()) await close();
      await runtime.close();
    },
  };
}
