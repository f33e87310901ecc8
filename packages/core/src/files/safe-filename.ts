/**
 * A filename from outside (an attachment's header, an upload's query string) as Correio stores and
 * serves it: no path (only the last segment of `a/b\c`), no `..`, no control characters, no
 * bidirectional overrides that make `invoice‮fdp.exe` display as `invoice.exe.pdf`, no characters
 * Windows cannot save, bounded length with the extension kept. The raw message keeps the original.
 */
const MAX_LENGTH = 200;
// C0/C1 controls and DEL; bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
// the directional marks (U+200E, U+200F, U+061C) and the BOM / zero-width no-break space.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]/g;
const RESERVED = /["*:<>?|]/g;

export function safeFilename(raw: string | null | undefined, fallback = 'attachment'): string {
  const segments = String(raw ?? '')
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .split(/[\\/]/);
  let name = (segments.at(-1) ?? '')
    .replace(RESERVED, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (name.length > MAX_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = `${[...name.slice(0, dot > 0 && ext ? dot : undefined)].slice(0, MAX_LENGTH - ext.length - 1).join('')}…${ext}`;
  }
  return name || fallback;
}
