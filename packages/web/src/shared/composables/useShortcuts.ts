import { onBeforeUnmount, onMounted } from 'vue';

/** Whether a key press belongs to what has focus: a field, an editor, a select. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || !!target.closest('input, textarea, select'));
}

/**
 * Single-key shortcuts (issue 18) — `j`, `r`, `?` — while the view is mounted. They never fire
 * while the agent types in a field, with Ctrl/Alt/Meta held (the browser's own), or under an
 * open dialog, which owns the keyboard.
 */
export function useShortcuts(keys: Record<string, (event: KeyboardEvent) => void>): void {
  function onKey(event: KeyboardEvent) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (document.querySelector('dialog[open], [role="dialog"][aria-modal="true"]')) return;
    const run = keys[event.key];
    if (!run) return;
    event.preventDefault();
    run(event);
  }
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
