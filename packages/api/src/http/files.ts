import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { schema, type Runtime } from '@correio/core';
import { renderText, text } from '@correio/texts';
import { eq } from 'drizzle-orm';
import type { FileUrls } from './file-urls.ts';
import { requestLocale } from './locale.ts';

const INLINE_TYPES = /^image\/(png|jpeg|gif|webp|bmp)$/;

/** GET /files/<kind>/<id>?exp=…&sig=… — streams a blob whose signed URL the API handed out. */
export async function serveFile(runtime: Runtime, files: FileUrls, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [, , kind = '', id = ''] = url.pathname.split('/');
  // Someone opened the link in a browser: the refusal is in its language.
  const locale = requestLocale(req.headers['accept-language']);
  const ref = files.verify(kind, id, url.searchParams.get('exp'), url.searchParams.get('sig'));
  if (!ref) return sendText(res, 403, renderText(text('api.file.linkInvalid'), locale));

  const db = runtime.database.db;
  let file: { blobKey: string; contentType: string; filename: string } | undefined;
  if (ref.kind === 'attachment') {
    const [row] = await db.select().from(schema.attachments).where(eq(schema.attachments.id, ref.id));
    if (row) file = row;
  } else if (ref.kind === 'failed-import') {
    const [row] = await db.select().from(schema.failedImports).where(eq(schema.failedImports.id, ref.id));
    if (row) file = { blobKey: row.rawBlobKey, contentType: 'message/rfc822', filename: `failed-import-${row.id}.eml` };
  } else {
    const [row] = await db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, ref.id));
    if (row?.brandLogoBlobKey) file = { blobKey: row.brandLogoBlobKey, contentType: row.brandLogoContentType ?? 'image/png', filename: 'logo' };
  }
  if (!file) return sendText(res, 404, renderText(text('api.file.notFound'), locale));

  const inline = INLINE_TYPES.test(file.contentType);
  res.writeHead(200, {
    // Only images may render in place; everything else downloads, so an HTML attachment can never run as our origin.
    'Content-Type': inline ? file.contentType : 'application/octet-stream',
    'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    'Content-Length': String(await runtime.blobs.size(file.blobKey)),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, max-age=3600',
  });
  await pipeline(runtime.blobs.read(file.blobKey), res);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
