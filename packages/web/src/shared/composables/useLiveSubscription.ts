import type { AnyVariables, DocumentInput } from '@urql/core';
import { isRef, onBeforeUnmount, watch, type WatchSource } from 'vue';
import { client } from '#graphql/client.ts';

/**
 * Subscribes while the calling component is mounted; re-subscribes when `variables` change.
 * `onData` gets every event's data; errors go to `onError` (the socket itself reconnects).
 */
export function useLiveSubscription<Data, Variables extends AnyVariables>(
  document: DocumentInput<Data, Variables>,
  variables: WatchSource<Variables> | Variables,
  onData: (data: Data) => void,
  onError?: (error: unknown) => void,
): void {
  let stop: (() => void) | null = null;
  const start = (vars: Variables) => {
    stop?.();
    const subscription = client.value.subscription(document, vars).subscribe((result) => {
      if (result.data) onData(result.data);
      else if (result.error) onError?.(result.error);
    });
    stop = () => subscription.unsubscribe();
  };
  if (typeof variables === 'function' || isRef(variables)) {
    watch(variables as WatchSource<Variables>, (vars) => start(vars), { immediate: true, deep: true });
  } else {
    start(variables as Variables);
  }
  onBeforeUnmount(() => stop?.());
}
