import type { Runtime } from '@correio/core';
import type { Locale } from '@correio/texts';
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
  /** The language server texts are worded in: from `Accept-Language`, pt-BR by default (issue 14). */
  locale: Locale;
  /** Adds a Set-Cookie to this HTTP response (absent over WebSocket). */
  setCookie?: (cookie: string) => void;
}

/** The context a field sees once a scope (`agent`/`admin`) has passed: a viewer is certain. */
export type AuthedContext = Context & { viewer: Viewer };

export function createContext(runtime: Runtime, services: Services, viewer: Viewer | null, ip: string, locale: Locale, setCookie?: (cookie: string) => void): Context {
  return { viewer, runtime, services, ip, locale, loaders: createLoaders(runtime, viewer), ...(setCookie ? { setCookie } : {}) };
}
