/**
 * The words around a search's match in a message, cut in JavaScript (issue 15).
 *
 * ts_headline re-parses and re-stems every word of every hit's text on each search: 26 of them
 * were ~40 % of a common search's CPU at a million actions. Here one regular expression finds,
 * in each text, the words that could match a query lexeme (a Snowball stem is the word with its
 * ending taken off, so such a word begins like the lexeme); PostgreSQL checks those few with
 * the very function that built the search document (`correio_document`: stemming, accents and
 * Portuguese plurals are its own), and the fragment around them is chosen here. No other word of
 * the text is looked at, let alone allocated.
 */

/** A piece of a snippet: the words around a match, and the match itself, as text (never markup). */
export interface SnippetPart {
  text: string;
  highlighted: boolean;
}

/** Longest snippet, in characters (ts_headline's 28 words of a support mail). */
const MAX_CHARS = 200;
/** The first fragment, when a second is needed for a matched word it does not show. */
const FIRST_CHARS = 140;
/** Characters shown before the first match of a fragment. */
const LEAD_CHARS = 25;
/** Words checked against the query per search, at most: a one-letter lexeme must not send a page's whole vocabulary. */
export const MAX_CANDIDATES = 400;

const LETTER = '[\\p{L}\\p{M}\\p{N}]';
const WORD_REST = new RegExp(`${LETTER}*`, 'uy');
/** What joins pieces of one token without a space: an address, a file name, a hyphenated word. */
const COMPOUND_REST = new RegExp(`${LETTER}*(?:[.@_+\\-/]${LETTER}+)*`, 'uy');

// Letters NFKD leaves whole but unaccent folds (its rules file).
const UNACCENT_EXTRA: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ħ: 'h', ı: 'i', þ: 'th', ð: 'd' };

/** Lower case without accents, as `unaccent` then a stemmer see a word. */
export function fold(word: string): string {
  return word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđħıþð]/g, (c) => UNACCENT_EXTRA[c]!);
}

/** Each letter a–z with every Latin letter that folds to it ("a" → "aáàâãä…"), for a pattern that ignores accents. */
const ACCENTED: Record<string, string> = (() => {
  const classes: Record<string, string> = {};
  for (const [from, to] of [
    [0xc0, 0x2af],
    [0x1e00, 0x1eff],
  ] as const) {
    for (let code = from; code <= to; code++) {
      const letter = String.fromCodePoint(code);
      const base = fold(letter);
      if (/^[a-z]$/.test(base) && letter.toLowerCase() === letter) classes[base] = (classes[base] ?? '') + letter;
    }
  }
  return classes;
})();

/** Letters as accent-blind classes; anything else literal (escaped as the `u` flag allows: syntax characters only, never "-"). */
function letterPattern(text: string): string {
  return [...text].map((c) => (/[a-z]/.test(c) ? `[${c}${ACCENTED[c] ?? ''}]` : c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))).join('');
}

/**
 * A pattern finding where a word that could stem to one of the lexemes begins: the lexeme's first
 * three letters at the start of a word, accents ignored. correio_fold_pt's plural folds
 * (migration 0005) change those letters only in an "-oes"/"-aes" plural of at most five letters
 * ("pães" → "pao", "ações" → "acao"), which are looked for as such. Exceptions to the rule
 * (English "dying" → "die") go unhighlighted, never wrongly highlighted: PostgreSQL has the last
 * word on each candidate. Null when the query has no lexeme (or no pattern could be made of it).
 */
export function candidateFinder(lexemes: string[]): RegExp | null {
  const prefixes = [...new Set(lexemes.map((l) => fold(l).slice(0, 3)).filter(Boolean))];
  if (!prefixes.length) return null;
  const plural = `[${'o' + ACCENTED['o']}${'a' + ACCENTED['a']}][${'e' + ACCENTED['e']}]s(?!${LETTER})`;
  const alternatives = prefixes.flatMap((p) => {
    const found = [letterPattern(p)];
    if (p.length === 3 && p.endsWith('ao')) found.push(letterPattern(p[0]!) + plural);
    if (p.length === 3 && p.endsWith('a')) found.push(letterPattern(p.slice(0, 2)) + plural);
    return found;
  });
  try {
    return new RegExp(`(?<!${LETTER})(?:${alternatives.join('|')})`, 'giu');
  } catch {
    // A lexeme this escaping did not foresee: the snippets fall back to ts_headline, the search never fails.
    return null;
  }
}

/** A word of a text that begins like a lexeme, and the compound it starts, if any ("financeiro@loja.example"). */
export interface Occurrence {
  start: number;
  end: number;
  word: string;
  compound: { end: number; text: string } | null;
}

/** Where, in a text, the words that could match begin and end. */
export function occurrencesOf(text: string, finder: RegExp): Occurrence[] {
  const found: Occurrence[] = [];
  finder.lastIndex = 0;
  for (let m = finder.exec(text); m; m = finder.exec(text)) {
    const start = m.index;
    WORD_REST.lastIndex = start + m[0].length;
    const end = WORD_REST.exec(text) ? WORD_REST.lastIndex : start + m[0].length;
    COMPOUND_REST.lastIndex = end;
    const compoundEnd = COMPOUND_REST.exec(text) ? COMPOUND_REST.lastIndex : end;
    found.push({ start, end, word: text.slice(start, end), compound: compoundEnd > end ? { end: compoundEnd, text: text.slice(start, compoundEnd) } : null });
    finder.lastIndex = end;
  }
  return found;
}

/** The distinct words and compounds of these occurrences, for PostgreSQL to check against the query. */
export function snippetCandidates(texts: Occurrence[][]): string[] {
  const found = new Set<string>();
  for (const occurrences of texts) {
    for (const o of occurrences) {
      for (const text of o.compound ? [o.word, o.compound.text] : [o.word]) {
        found.add(text);
        if (found.size >= MAX_CANDIDATES) return [...found];
      }
    }
  }
  return [...found];
}

/**
 * The snippet of a text, given its occurrences and which of their words matched the query (each
 * with a key: the query lexemes it holds, so "nota" and "notas" count as one): the stretch with
 * the most different matches, and, if a matched word is only further on, a
 * short second fragment around it (as ts_headline's MaxFragments=2), each cut at spaces. Null
 * when no word of the text matched: the caller asks PostgreSQL instead.
 */
export function snippetOf(text: string, occurrences: Occurrence[], matched: ReadonlyMap<string, string>): SnippetPart[] | null {
  const marks = occurrences.flatMap((o) => {
    const compoundKey = o.compound && matched.get(o.compound.text);
    if (compoundKey) return [{ start: o.start, end: o.compound!.end, key: compoundKey }];
    const key = matched.get(o.word);
    return key ? [{ start: o.start, end: o.end, key }] : [];
  });
  if (!marks.length) return null;

  let fragments: Array<[number, number]>;
  if (text.length <= MAX_CHARS) fragments = [[0, text.length]];
  else {
    const windowAt = (mark: number, length: number): [number, number] => {
      const start = Math.max(0, Math.min(marks[mark]!.start - LEAD_CHARS, text.length - length));
      return [start, start + length];
    };
    // Each match starts a candidate window; both ends only move forward, so the matches inside
    // are counted by sliding, not recounted (a long text may hold thousands of matches).
    const inside = new Map<string, number>();
    let [lo, hi] = [0, 0];
    let best = windowAt(0, FIRST_CHARS);
    let bestScore = -1;
    for (let i = 0; i < marks.length; i++) {
      const candidate = windowAt(i, FIRST_CHARS);
      for (; hi < marks.length && marks[hi]!.end <= candidate[1]; hi++) inside.set(marks[hi]!.key, (inside.get(marks[hi]!.key) ?? 0) + 1);
      for (; lo < hi && marks[lo]!.start < candidate[0]; lo++) {
        const left = inside.get(marks[lo]!.key)! - 1;
        if (left) inside.set(marks[lo]!.key, left);
        else inside.delete(marks[lo]!.key);
      }
      const score = inside.size * 100_000 + (hi - lo);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    const shown = new Set(marks.filter((m) => m.start >= best[0] && m.end <= best[1]).map((m) => m.key));
    const missing = marks.findIndex((m) => (m.start < best[0] || m.end > best[1]) && !shown.has(m.key));
    if (missing < 0) fragments = [[best[0], Math.min(text.length, best[0] + MAX_CHARS)]];
    else {
      const second = windowAt(missing, MAX_CHARS - FIRST_CHARS);
      fragments = [best, second].sort((x, y) => x[0] - y[0]);
      if (fragments[0]![1] > fragments[1]![0]) fragments = [[fragments[0]![0], Math.max(fragments[0]![1], fragments[1]![1])]];
    }
    fragments = fragments.map(([a, b]) => atWords(text, a, b, marks));
  }

  const parts: SnippetPart[] = [];
  fragments.forEach(([a, b], n) => {
    if (n > 0) pushPart(parts, ' … ', false);
    let cursor = a;
    for (const mark of marks) {
      // A matched address and a matched word inside it overlap: the address is shown.
      if (mark.start < Math.max(a, cursor) || mark.end > b) continue;
      pushPart(parts, text.slice(cursor, mark.start), false);
      pushPart(parts, text.slice(mark.start, mark.end), true);
      cursor = mark.end;
    }
    pushPart(parts, text.slice(cursor, b), false);
  });
  if (parts[0]) parts[0].text = parts[0].text.trimStart();
  return parts.filter((p) => p.text);
}

/** A fragment's ends moved to the spaces inside it, never cutting a match or a word (unless a "word" runs on for 30 characters). */
function atWords(text: string, start: number, end: number, marks: Array<{ start: number; end: number }>): [number, number] {
  const firstMark = marks.find((m) => m.start >= start)?.start ?? end;
  const lastMark = marks.findLast((m) => m.end <= end)?.end ?? start;
  let a = start;
  if (a > 0 && /\S/.test(text[a - 1]!)) {
    const space = text.slice(a, Math.min(firstMark, a + 30)).search(/\s/);
    a = space < 0 ? Math.min(firstMark, a + 30) : a + space;
  }
  let b = end;
  if (b < text.length && /\S/.test(text[b]!)) {
    const head = text.slice(Math.max(lastMark, b - 30), b);
    const space = head.search(/\s\S*$/);
    b = space < 0 ? Math.max(lastMark, b - 30) : Math.max(lastMark, b - 30) + space;
  }
  while (a < b && /\s/.test(text[a]!)) a++;
  // A cut between the halves of a surrogate pair would leave half an emoji.
  if (/[\uDC00-\uDFFF]/.test(text[a] ?? '')) a++;
  if (/[\uD800-\uDBFF]/.test(text[b - 1] ?? '')) b--;
  return [a, b];
}

/** Adds text to parts, one space for any run of whitespace (a message's line breaks), joined to a neighbour of the same kind. */
function pushPart(parts: SnippetPart[], piece: string, highlighted: boolean): void {
  const text = piece.replace(/\s+/g, ' ');
  if (!text) return;
  const last = parts.at(-1);
  if (last && last.highlighted === highlighted) last.text += text;
  else parts.push({ text, highlighted });
}

// Private-use characters mark a match in ts_headline's output (search-service.ts); they are
// stripped from every text first, so no message can forge a highlight.
export const MARK_START = '\uE000';
export const MARK_STOP = '\uE001';

/** ts_headline's marked text → parts. */
export function snippetParts(marked: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, piece] of marked.split(new RegExp(`[${MARK_START}${MARK_STOP}]`)).entries()) pushPart(parts, piece, i % 2 === 1);
  if (parts[0]) parts[0].text = parts[0].text.trimStart();
  const end = parts.at(-1);
  if (end) end.text = end.text.trimEnd();
  return parts.filter((p) => p.text);
}
