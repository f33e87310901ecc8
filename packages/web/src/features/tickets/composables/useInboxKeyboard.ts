import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import { isTyping, useShortcuts } from '#shared/composables/useShortcuts.ts';

/**
 * Where ArrowDown/ArrowUp go from row `current` of `count` (-1: the search box): down through
 * the rows and stopping at the last, up back into the box.
 */
export function stepRow(current: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (!count) return -1;
  return key === 'ArrowDown' ? Math.min(current + 1, count - 1) : Math.max(current - 1, -1);
}


/**
 * The inbox without a mouse. `j`/`k` move through the tickets; `/` (GitHub's and Gmail's key for it) focuses the search box from
 * anywhere but a field, where it is a slash. Arrow keys move focus from the box through the rows'
 * ticket links — roving focus on real links rather than aria-activedescendant on a table, which
 * screen readers announce unreliably: each stop is read as the ticket's subject, Enter opens it
 * like any link, and the row shows where focus is (`:focus-within`).
 */
export function useInboxKeyboard(options: { searchBox: () => HTMLInputElement | null; list: Ref<HTMLElement | null>; rowLink: string }) {
  function onWindowKey(event: KeyboardEvent) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || isTyping(event.target)) return;
    const box = options.searchBox();
    if (!box) return;
    event.preventDefault();
    // Selected, so typing replaces the last search.
    box.focus();
    box.select();
  }
  onMounted(() => window.addEventListener('keydown', onWindowKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onWindowKey));

  // j / k (Gmail's, GitHub's): the next and the previous ticket, from anywhere on the page.
  function step(key: 'ArrowDown' | 'ArrowUp') {
    const links = [...(options.list.value?.querySelectorAll<HTMLElement>(options.rowLink) ?? [])];
    const current = links.findIndex((link) => link === document.activeElement);
    links[Math.max(0, stepRow(current, links.length, key))]?.focus();
  }
  useShortcuts({ j: () => step('ArrowDown'), k: () => step('ArrowUp') });

  /** For keydown on what holds the box and the rows. */
  function onArrow(event: KeyboardEvent) {
    if ((event.key !== 'ArrowDown' && event.key !== 'ArrowUp') || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const box = options.searchBox();
    const links = [...(options.list.value?.querySelectorAll<HTMLElement>(options.rowLink) ?? [])];
    const current = event.target === box ? -1 : links.findIndex((link) => link === event.target);
    if (current === -1 && event.target !== box) return;
    const next = stepRow(current, links.length, event.key);
    if (next === current) return;
    event.preventDefault();
    (next < 0 ? box : links[next])?.focus();
  }

  return { onArrow };
}
