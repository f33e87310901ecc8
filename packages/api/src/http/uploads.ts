import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, Transform } from 'node:stream';
import { safeFilename, schema, type Runtime } from '@correio/core';
import { renderText, text, type ServerText } from '@correio/texts';
import { bearerToken } from '../auth/tokens.ts';
import { errorText, type ErrorCode } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { requestLocale } from './locale.ts';

/** Largest file an agent can attach to a reply; most providers refuse mail above 25 MB anyway. */
export const UPLOAD_MAX_BYTES = 25 * 1024 * 1024;

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

class TooLarge extends Error {}

/**
 * POST /files/upload?filename=<name> — the body is the file's bytes (Content-Type = the file's
 * type), authenticated with the same bearer token as GraphQL. The bytes stream into the blob
 * store, never whole into memory, and stop at UPLOAD_MAX_BYTES. The answer is the attachment's id,
 * which `replyToTicket(input: { attachmentIds })` then sends: an upload belongs to the agent who
 * made it and their workspace, and is removed if no reply takes it within a day.
 */
export async function handleUpload(runtime: Runtime, services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const viewer = await services.tokens.verify(bearerToken(req.headers.authorization));
  if (!viewer) return refuse(req, res, 401, 'UNAUTHENTICATED');

  const url = new URL(req.url ?? '/', 'http://localhost');
  const filename = cleanFilename(url.searchParams.get('filename') ?? headerValue(req.headers['x-filename']) ?? '');
  if (!filename) return refuse(req, res, 400, 'VALIDATION_FAILED', text('api.upload.filename'));
  const declaredType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (declaredType.startsWith('multipart/'))
    return refuse(req, res, 415, 'VALIDATION_FAILED', text('api.upload.multipart'));
  const contentType = CONTENT_TYPE.test(declaredType) ? declaredType : 'application/octet-stream';
  const declaredSize = Number(req.headers['content-length'] ?? NaN);
  if (declaredSize > UPLOAD_MAX_BYTES) return refuse(req, res, 413, 'VALIDATION_FAILED', tooLarge());

  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > UPLOAD_MAX_BYTES ? new TooLarge() : null, chunk);
    },
  });
  let stored: { key: string; size: number };
  try {
    // pipeline(): a client that goes away mid-upload fails the write (and removes the partial blob) instead of hanging it.
    stored = await runtime.blobs.put(pipeline(req, limit, () => undefined));
  } catch (err) {
    if (err instanceof TooLarge) return refuse(req, res, 413, 'VALIDATION_FAILED', tooLarge());
    throw err;
  }
  if (stored.size === 0) {
    await runtime.blobs.delete(stored.key);
    return refuse(req, res, 400, 'VALIDATION_FAILED', text('api.upload.empty'));
  }
  const [row] = await runtime.database.db
    .insert(schema.attachments)
    .values({ workspaceId: viewer.workspaceId, actionId: null, filename, contentType, size: stored.size, blobKey: stored.key, uploadedById: viewer.userId })
    .returning();
  runtime.logger.info({ workspaceId: viewer.workspaceId, attachmentId: row!.id, size: stored.size }, 'attachment uploaded');
  sendJson(res, 201, { id: row!.id, filename: row!.filename, contentType: row!.contentType, size: row!.size });
}

/** The uploaded file's name, percent-decoded, neutralized like an attachment's (empty when nothing usable is left). */
export function cleanFilename(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded: take it as it is.
  }
  return safeFilename(name, '');
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function tooLarge(): ServerText {
  return text('api.upload.tooLarge', { megabytes: UPLOAD_MAX_BYTES / 1024 / 1024 });
}

/**
 * Error answers carry the API's error codes, as GraphQL errors do in `extensions.code`, and say
 * what went wrong as GraphQL errors do: `message` in the request's language, `text` by code.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: ErrorCode, why: ServerText = errorText(code)): void {
  // Whatever of the body is left is not read: close the connection instead of draining megabytes.
  res.setHeader('Connection', 'close');
  sendJson(res, status, { error: { code, message: renderText(why, requestLocale(req.headers['accept-language'])), text: why } });
  req.resume();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
