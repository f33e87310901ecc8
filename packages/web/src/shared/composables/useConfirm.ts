import { reactive } from 'vue';

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
}

/** One app-wide confirmation dialog (rendered by CommonConfirmHost), awaited as a promise. */
export const confirmState = reactive<{ open: boolean; request: ConfirmRequest | null; resolve: ((ok: boolean) => void) | null }>({
  open: false,
  request: null,
  resolve: null,
});

export function confirm(request: ConfirmRequest): Promise<boolean> {
  confirmState.resolve?.(false);
  return new Promise((resolve) => {
    confirmState.request = request;
    confirmState.resolve = resolve;
    confirmState.open = true;
  });
}

export function settleConfirm(ok: boolean): void {
  confirmState.resolve?.(ok);
  confirmState.resolve = null;
  confirmState.open = false;
}
