import { computed, reactive } from 'vue';
import { useI18n } from 'vue-i18n';
import { uploadAttachment, type UploadedFile, type UploadError } from './upload.ts';

/** A file on its way to (or already in) the server, as a composer lists it. */
export interface Upload {
  key: number;
  name: string;
  size: number;
  progress: number;
  /** Set once the server has it: what `attachmentIds` sends. */
  id: string | null;
  error: string | null;
  abort: AbortController;
}

/**
 * The files a message will carry (the reply composer, a new e-mail, a canned reply): each
 * uploaded as soon as it is picked, with progress, removable, and its failure said beside it.
 */
export function useUploads() {
  const { t } = useI18n();
  const uploads = reactive<Upload[]>([]);
  let key = 0;

  async function start(file: File) {
    const upload = reactive<Upload>({ key: ++key, name: file.name, size: file.size, progress: 0, id: null, error: null, abort: new AbortController() });
    uploads.push(upload);
    try {
      const done = await uploadAttachment(file, (p) => (upload.progress = p), upload.abort.signal);
      upload.id = done.id;
      upload.progress = 1;
    } catch (err) {
      const code = (err as UploadError).code;
      if (code === 'ABORTED') return;
      upload.error = code === 'NETWORK' ? t('composer.uploadNetwork') : (err as Error).message;
    }
  }

  /** Files the server already holds (a canned reply's, copied for this message). */
  function addStored(files: readonly Pick<UploadedFile, 'id' | 'filename' | 'size'>[]) {
    for (const f of files) uploads.push({ key: ++key, name: f.filename, size: f.size, progress: 1, id: f.id, error: null, abort: new AbortController() });
  }

  function pick(event: Event) {
    const input = event.target as HTMLInputElement;
    for (const file of Array.from(input.files ?? [])) void start(file);
    input.value = '';
  }

  function remove(u: Upload) {
    u.abort.abort();
    const i = uploads.indexOf(u);
    if (i >= 0) uploads.splice(i, 1);
  }

  function clear() {
    for (const u of uploads) u.abort.abort();
    uploads.splice(0, uploads.length);
  }

  return {
    uploads,
    pick,
    addStored,
    remove,
    clear,
    uploading: computed(() => uploads.some((u) => !u.id && !u.error)),
    failed: computed(() => uploads.some((u) => u.error)),
    ids: () => uploads.map((u) => u.id).filter((id): id is string => Boolean(id)),
  };
}
