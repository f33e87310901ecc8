import type { Runtime } from '@correio/core';
import type { Viewer } from './auth/tokens.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { Services } from './services/index.ts';

export interface Context {
  viewer: Viewer | null;
  runtime: Runtime;
  services: Services;
  loaders: Loaders;
  /** Client address, for rate limiting. */
  ip: string;
  /** Adds a Set-Cookie to this HTTP response (absent over WebSocket). */
  setCookie?: (cookie: string) => void;
}

/** The context a field sees once a scope (`agent`/`admin`) has passed: a viewer is certain. */
export type AuthedContext = Context & { viewer: Viewer };

export function createContext(runtime: Runtime, services: Services, viewer: Viewer | null, ip: string, setCookie?: (cookie: string) => void): Context {
  return { viewer, runtime, services, ip, loaders: createLoaders(runtime, viewer), ...(setCookie ? { setCookie } : {}) };
}
