/**
 * Text from a stranger's mail as PostgreSQL and a browser can hold it (W8): NUL (which a text
 * column refuses, failing the whole import) and the other control characters are dropped.
 * Multi-line text keeps tab and line breaks; a one-line field also folds its white space.
 */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function cleanText(text: string): string {
  return text.replace(CONTROLS, '');
}

export function cleanLine(text: string): string {
  return text.replace(CONTROLS, '').replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` UTF-16 units of `text`, never half a surrogate pair. Header values become keys of
 * btree indexes (a subject for threading, a customer's name), whose entries PostgreSQL caps at
 * ~2.7 KB: a header of many kilobytes — spam kits, broken mailers — would fail its insert.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end);
}

/** A sender's display name as stored: a person's name, never kilobytes of one. */
export const MAX_NAME_CHARS = 200;

/**
 * Every string of a JSON-like value with its control characters shown as U+FFFD: for what a
 * stranger's mail puts into a jsonb column, which refuses \u0000. Replaced, not removed, where
 * the strings are identities (a signature's domain): "ba\0nk.example" must never read as
 * "bank.example".
 */
export function markControls<T>(value: T): T {
  if (typeof value === 'string') return value.replace(CONTROLS, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((v) => markControls(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markControls(v)])) as T;
  return value;
}
