import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

/**
 * `source` as it was `ms` after its last change: search boxes ask the server once the typing
 * pauses, not at every keystroke. `flush` sets it at once (a dialog opening with a first search).
 */
export function useDebounced<T>(source: Ref<T>, ms: number): { value: Ref<T>; flush: () => void } {
  const value = ref(source.value) as Ref<T>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(source, (next) => {
    clearTimeout(timer);
    timer = setTimeout(() => (value.value = next), ms);
  });
  onBeforeUnmount(() => clearTimeout(timer));
  return {
    value,
    flush: () => {
      clearTimeout(timer);
      value.value = source.value;
    },
  };
}
