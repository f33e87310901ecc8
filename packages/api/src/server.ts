import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '@correio/core';
import { renderText, text } from '@correio/texts';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { sql } from 'drizzle-orm';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import { bearerToken } from './auth/tokens.ts';
import { createContext, type Context } from './context.ts';
import { internalError } from './errors.ts';
import { useErrorCodes, withCode } from './http/error-codes-plugin.ts';
import { requestLocale } from './http/locale.ts';
import { useErrorTexts } from './http/error-texts-plugin.ts';
import { ListCache } from './http/list-cache.ts';
import { sendText, serveFile } from './http/files.ts';
import { SubscriptionCount } from './http/subscription-count.ts';
import { handleUpload } from './http/uploads.ts';
import { handleOAuthCallback } from './http/oauth-callback.ts';
import { registerInstallMetrics, serveMetrics } from './http/metrics.ts';
import { schema } from './schema/index.ts';
import type { Services } from './services/index.ts';

/** How long an idle keep-alive connection is kept open: longer than any client or proxy in front keeps its end (see createHttpServer). */
const KEEP_ALIVE_MS = 65_000;

interface ServerContext {
  req?: IncomingMessage;
  /** The WebSocket upgrade request, whose Accept-Language a subscription's texts follow. */
  wsRequest?: IncomingMessage;
  connectionParams?: Record<string, unknown>;
  wsIp?: string;
}

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** HTTP + GraphQL (yoga) + graphql-ws + the built SPA + signed file downloads, on one port. */
export function createHttpServer(runtime: Runtime, services: Services, subscriptions = new SubscriptionCount()): Server {
  const { config, logger } = runtime;
  // Cookies a resolver asked for, per HTTP request (only the OAuth consent's browser binding).
  const cookies = new WeakMap<Request, string[]>();
  registerInstallMetrics(runtime, services.status, subscriptions);

  const listCache = new ListCache(runtime, config.listCacheSeconds);
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    // Bearer tokens, no cookies: nothing needs credentialed CORS, and an origin gets CORS headers
    // only when CORREIO_CORS_ORIGINS lists it (yoga's default reflects any origin with credentials).
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin && config.corsOrigins.includes(origin)
        ? { origin: [origin], credentials: false, methods: ['GET', 'POST', 'OPTIONS'], allowedHeaders: ['content-type', 'authorization', 'x-graphql-yoga-csrf'] }
        : false;
    },
    graphiql: config.development ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    logging: {
      // Yoga logs several debug lines per request: stringify only when the level is on.
      debug: (...args) => logger.isLevelEnabled('debug') && logger.debug({ yoga: args.map(String) }),
      info: (...args) => logger.info({ yoga: args.map(String) }),
      warn: (...args) => logger.warn({ yoga: args.map(String) }),
      // Yoga reports every GraphQL error here, expected ones (UNAUTHENTICATED, VALIDATION_FAILED) included;
      // unexpected ones are logged at error level by maskError below.
      error: (...args) => logger.isLevelEnabled('debug') && logger.debug({ yoga: args.map(String) }),
    },
    maskedErrors: {
      // Our own errors (with a code) pass through; anything else is logged and shown as INTERNAL.
      maskError: (error) => {
        // Duck-typed on purpose: under test runners graphql-js can be loaded twice (ESM and CJS),
        // and `instanceof GraphQLError` then fails for our own errors.
        const coded = error as { extensions?: Record<string, unknown>; originalError?: unknown; path?: readonly (string | number)[] };
        if (coded.extensions?.['code']) return error as Error;
        // No field path: graphql-js refused the request itself (e.g. a variable of the wrong type), before any resolver ran.
        if (!coded.path && error instanceof Error && 'locations' in error) return withCode(error as GraphQLError, 'BAD_USER_INPUT');
        logger.error({ err: coded.originalError ?? error }, 'unexpected error in a resolver');
        return internalError(coded.path);
      },
    },
    context: async (initial: YogaInitialContext & ServerContext) => {
      const header = initial.request?.headers.get('authorization') ?? stringParam(initial.connectionParams?.['authorization']);
      const viewer = await services.tokens.verify(bearerToken(header) ?? stringParam(initial.connectionParams?.['token']));
      const ip = initial.wsIp ?? initial.req?.socket.remoteAddress ?? 'unknown';
      const request = initial.request;
      const setCookie = initial.req && request ? (cookie: string) => cookies.set(request, [...(cookies.get(request) ?? []), cookie]) : undefined;
      const locale = requestLocale(initial.request?.headers.get('accept-language') ?? stringParam(initial.connectionParams?.['locale']) ?? wsAcceptLanguage(initial));
      return createContext(runtime, services, viewer, ip, locale, setCookie);
    },
    plugins: [
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization'] }),
      EnvelopArmorPlugin({
        // Depth counts fields, not fragment spreads: unflattened, armor counts a fragment reused by
        // siblings again on top of itself, and the web app's accounts list (six fields deep, its
        // LocalizedTexts four fragments in) was refused as 14 deep.
        maxDepth: { n: 12, flattenFragments: true },
        maxAliases: { n: 30 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 5000 },
        costLimit: { maxCost: 20_000 },
        blockFieldSuggestion: { enabled: !config.development },
      }),
      useErrorCodes(),
      useErrorTexts(),
      listCache.plugin(),
      {
        // correio_graphql_request_duration_seconds, by (bounded) operation name and type.
        onExecute: ({ args }: { args: ExecutionArgs }) => {
          const started = performance.now();
          const operation = getOperationAST(args.document, args.operationName ?? undefined);
          return {
            onExecuteDone: () => {
              runtime.metrics.graphqlSeconds.observe({ operation: runtime.metrics.operationLabel(operation?.name?.value ?? args.operationName), type: operation?.operation ?? 'unknown' }, (performance.now() - started) / 1000);
            },
          };
        },
      },
      {
        // API answers are per-user data: never cached, never sniffed into something executable.
        onResponse: ({ request, response }: { request: Request; response: Response }) => {
          response.headers.set('X-Content-Type-Options', 'nosniff');
          response.headers.set('Cache-Control', 'no-store');
          for (const cookie of cookies.get(request) ?? []) response.headers.append('Set-Cookie', cookie);
        },
      },
    ],
  });

  const spa = existsSync(WEB_DIST) ? sirv(WEB_DIST, { single: true, etag: true, gzip: false, dev: false }) : null;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/graphql' || path.startsWith('/graphql/')) return void yoga(req, res);
    if (path === '/healthz') {
      return void runtime.database.db
        .execute(sql`select 1`)
        .then(() => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok', database: runtime.database.kind }));
        })
        .catch(() => {
          res.writeHead(503, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: 'unavailable', reason: 'database not reachable' }));
        });
    }
    if (path === '/metrics' && req.method === 'GET' && config.metricsPort === undefined) {
      return void serveMetrics(runtime, req, res).catch((err) => {
        logger.error({ err }, 'metrics scrape failed');
        if (!res.headersSent) sendText(res, 500, 'Could not collect the metrics.');
      });
    }
    if (path === '/oauth/callback' && req.method === 'GET') {
      return void handleOAuthCallback(runtime, services, req, res).catch((err) => {
        logger.error({ err }, 'oauth callback failed');
        if (!res.headersSent) sendText(res, 500, said(req, 'api.http.signInFailed'));
      });
    }
    if (path === '/files/upload' && req.method === 'POST') {
      return void handleUpload(runtime, services, req, res).catch((err) => {
        logger.error({ err }, 'file upload failed');
        if (!res.headersSent) sendText(res, 500, said(req, 'api.http.storeFailed'));
        else res.destroy();
      });
    }
    if (path.startsWith('/files/') && req.method === 'GET') {
      return void serveFile(runtime, services.files, req, res).catch((err) => {
        logger.error({ err }, 'file download failed');
        if (!res.headersSent) sendText(res, 500, said(req, 'api.http.readFailed'));
        else res.destroy();
      });
    }
    if (!spa) return sendText(res, 404, said(req, 'api.http.webNotBuilt'));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    spa(req, res, () => sendText(res, 404, said(req, 'api.http.notFound')));
  });
  // An idle keep-alive connection is closed by its client (browsers, undici: 4 s), by a proxy in
  // front (nginx, load balancers: 60 s) — never by Correio first. With Node's 5 s default, a
  // request sent just as the server's timer fired met a closed socket: ECONNRESET for a request
  // nobody would retry.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;

  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer<Record<string, unknown>>(
    {
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          connectionParams: ctx.connectionParams ?? {},
          wsIp: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          wsRequest: ctx.extra.request,
          params,
        } as never);
        // A document the limits refuse (too many tokens or aliases, bad syntax) is answered as over
        // HTTP, with a GraphQL error: the armor rules throw, and a throw here would make graphql-ws
        // close the socket with 4500 and print a stack trace.
        let document: ReturnType<typeof parse>;
        let errors: readonly GraphQLError[];
        try {
          document = parse(params.query);
        } catch (err) {
          return [withCode(asGraphQLError(err), 'BAD_USER_INPUT')];
        }
        try {
          errors = validate(s, document);
        } catch (err) {
          return [withCode(asGraphQLError(err), 'GRAPHQL_VALIDATION_FAILED')];
        }
        if (errors.length) return errors;
        return {
          schema: s,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      onOperation: (ctx, id) => subscriptions.started(ctx, id),
      onComplete: (ctx, id) => subscriptions.completed(ctx, id),
      onClose: (ctx) => subscriptions.closed(ctx),
    },
    wss,
  );

  server.on('close', () => wss.close());
  subscriptionSockets.set(server, wss);
  return server;
}

const subscriptionSockets = new WeakMap<Server, WebSocketServer>();

/** Closes every graphql-ws socket with 1012 (Service Restart): clients reconnect, to another process or to this one restarted. */
export function closeSubscriptions(server: Server): void {
  for (const socket of subscriptionSockets.get(server)?.clients ?? []) socket.close(1012, 'Correio is restarting; reconnect');
}

function asGraphQLError(err: unknown): GraphQLError {
  // Duck-typed: the armor plugins may throw a GraphQLError of another graphql-js realm.
  return err instanceof Error && 'extensions' in err ? (err as GraphQLError) : new GraphQLError('The query could not be read.');
}

/** A plain-text answer a person may read in a browser, in their language. */
function said(req: IncomingMessage, code: 'api.http.signInFailed' | 'api.http.storeFailed' | 'api.http.readFailed' | 'api.http.webNotBuilt' | 'api.http.notFound'): string {
  return renderText(text(code), requestLocale(req.headers['accept-language']));
}

function wsAcceptLanguage(initial: ServerContext): string | null {
  const header = initial.wsRequest?.headers['accept-language'];
  return typeof header === 'string' ? header : null;
}

function stringParam(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
