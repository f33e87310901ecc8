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
