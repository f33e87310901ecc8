import { onBeforeUnmount, ref } from 'vue';

/** A clock that ticks every `intervalMs`, so relative times ("2 min ago") stay true. */
export function useNow(intervalMs = 30_000) {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), intervalMs);
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}
