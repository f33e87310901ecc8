import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '@correio/core';
import { oauthBindingCookieName } from '../services/oauth-service.ts';
import type { Services } from '../services/index.ts';
import { requestLocale } from './locale.ts';

/**
 * `GET /oauth/callback` (issue 13): where the provider sends the admin's browser back. The
 * consent is completed server-side and the browser redirected to the account screens with the
 * outcome; the browser-binding cookie is cleared whatever happened.
 */
export async function handleOAuthCallback(runtime: Runtime, services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The redirect URI registered at the provider is on CORREIO_PUBLIC_URL: the code was issued for exactly that URL.
  const url = new URL(req.url ?? '/', `${runtime.config.publicUrl}/`);
  const state = url.searchParams.get('state');
  const name = state ? oauthBindingCookieName(state) : null;
  const binding = name ? readCookie(req.headers.cookie, name) : null;
  const location = await services.oauth.callback(url, binding, requestLocale(req.headers['accept-language']));
  res.writeHead(302, {
    Location: location,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    ...(name ? { 'Set-Cookie': `${name}=; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=0` } : {}),
  });
  res.end();
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
