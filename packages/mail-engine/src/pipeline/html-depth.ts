/**
 * How deep an HTML body nests, found without building it (issue 12). sanitize-html's cost grows
 * with the square of the nesting depth — 25,000 levels take 0.2 s, 100,000 take 5 s — so a 5 MB
 * body of nothing but opening tags would hold a parse thread for minutes, and every mailbox's
 * import with it. Real mail nests a few dozen levels; past MAX_HTML_DEPTH the HTML is not shown
 * (its text is), which costs one linear scan here.
 */
export const MAX_HTML_DEPTH = 1000;

// Elements that hold nothing, or that the HTML parser closes by itself when the next one opens
// (a page of unclosed <p>, <li> or <td> is sloppy, not deep).
const NOT_NESTING = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'p', 'li', 'td', 'th', 'tr', 'dt', 'dd', 'option', 'optgroup', 'tbody', 'thead', 'tfoot', 'colgroup', 'rp', 'rt']);
const TAG = /^<(\/?)([a-z][a-z0-9-]*)/i;

/** Whether `html` opens more than `limit` elements inside one another. One pass of indexOf; no regex runs past a tag's name. */
export function nestsDeeperThan(html: string, limit: number): boolean {
  let depth = 0;
  let lower: string | null = null;
  let at = html.indexOf('<');
  while (at !== -1) {
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      if (end < 0) return false;
      at = html.indexOf('<', end + 3);
      continue;
    }
    const tag = TAG.exec(html.slice(at, at + 40));
    const close = html.indexOf('>', at + 1);
    if (close < 0) return false;
    if (tag) {
      const name = tag[2]!.toLowerCase();
      if (tag[1]) depth = Math.max(0, depth - 1);
      else if (name === 'script' || name === 'style') {
        lower ??= html.toLowerCase();
        const end = lower.indexOf(`</${name}`, close);
        if (end < 0) return false;
        at = html.indexOf('<', end + 2);
        continue;
      } else if (!NOT_NESTING.has(name) && html[close - 1] !== '/' && ++depth > limit) return true;
    }
    at = html.indexOf('<', close + 1);
  }
  return false;
}
