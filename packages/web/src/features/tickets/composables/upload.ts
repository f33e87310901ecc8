import { session } from '#shared/composables/useSession.ts';

export interface UploadedFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export class UploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST /files/upload?filename=… with the file's bytes as the body (the API's attachment upload);
 * the answer's id goes into `replyToTicket(input: { attachmentIds })`. XHR for progress events.
 */
export function uploadAttachment(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/files/upload?filename=${encodeURIComponent(file.name)}`);
    if (session.token) xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: { id?: string; filename?: string; contentType?: string; size?: number; error?: { code: string; message: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.id) resolve(body as UploadedFile);
      else reject(new UploadError(body.error?.code ?? (xhr.status === 413 ? 'VALIDATION_FAILED' : 'INTERNAL'), body.error?.message ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new UploadError('NETWORK', 'network error'));
    xhr.onabort = () => reject(new UploadError('ABORTED', 'aborted'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
