import { ref } from 'vue';

/**
 * What the app's polite live region says (issue 18): a new ticket in the inbox, a reply
 * delivered or not. One region for the whole app, in the shell, so screen readers hear each
 * once and never mid-sentence of another.
 */
export const announcement = ref('');
let clear: ReturnType<typeof setTimeout> | undefined;

export function announce(text: string): void {
  // Emptied first: the same sentence twice in a row is still announced twice.
  announcement.value = '';
  clearTimeout(clear);
  requestAnimationFrame(() => {
    announcement.value = text;
    clear = setTimeout(() => (announcement.value = ''), 10_000);
  });
}
