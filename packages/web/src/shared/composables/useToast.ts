import { reactive } from 'vue';

export type ToastTone = 'ok' | 'danger' | 'info' | 'warn';
export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  /** What to do next, in words. */
  detail?: string;
  timeout: number;
}

let next = 0;
export const toasts = reactive<Toast[]>([]);

export function dismissToast(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

function push(tone: ToastTone, title: string, detail?: string, timeout = tone === 'danger' ? 9000 : 4500): number {
  const id = ++next;
  // The same message twice in a row (e.g. a flapping connection) is shown once.
  const same = toasts.find((t) => t.title === title && t.detail === detail);
  if (same) dismissToast(same.id);
  toasts.push({ id, tone, title, detail, timeout });
  if (toasts.length > 4) toasts.shift();
  if (timeout > 0) setTimeout(() => dismissToast(id), timeout);
  return id;
}

export function useToast() {
  return {
    success: (title: string, detail?: string) => push('ok', title, detail),
    error: (title: string, detail?: string) => push('danger', title, detail),
    info: (title: string, detail?: string) => push('info', title, detail),
    warn: (title: string, detail?: string) => push('warn', title, detail),
  };
}
