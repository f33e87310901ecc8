/**
 * The words around a search's match in a message, cut in JavaScript (issue 15).
 *
 * ts_headline re-parses and re-stems every word of every hit's text on each search: 26 of them
 * were ~40 % of a common search's CPU at a million actions. Here the text is split into words
 * once, the few words that could match a query lexeme (they begin like one) are checked by
 * PostgreSQL with the very function that built the search document (`correio_document`, so
 * stemming, accents and Portuguese plurals are PostgreSQL's own), and the fragment is chosen here.
 */

/** A piece of a snippet: the words around a match, and the match itself, as text (never markup). */
export interface SnippetPart {
  text: string;
  highlighted: boolean;
}

/** Longest snippet, in words (as ts_headline's MaxWords). */
const MAX_WORDS = 28;
/** Words shown before the first match of a fragment. */
const LEAD_WORDS = 3;
/** The second fragment, when a matched word is missing from the first: its length in words. */
const SECOND_WORDS = 9;
/** Words checked against the query per search, at most: a one-letter lexeme must not send a page's whole vocabulary. */
export const MAX_CANDIDATES = 400;

const LETTERS = '\\p{L}\\p{M}\\p{N}';
/** A word with whatever joins it to the next without a space (an address, a file name, a hyphenated word). */
const COMPOUND = new RegExp(`[${LETTERS}]+(?:[.@_+\\-/][${LETTERS}]+)*`, 'gu');
const PART = new RegExp(`[${LETTERS}]+`, 'gu');

// Letters NFKD leaves whole but unaccent folds (its rules file), so their words are still candidates.
const UNACCENT_EXTRA: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ħ: 'h', ı: 'i', þ: 'th', ð: 'd' };

/** Lower case without accents, as `unaccent` then a stemmer see a word. */
export function fold(word: string): string {
  return word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđħıþð]/g, (c) => UNACCENT_EXTRA[c]!);
}

/** correio_fold_pt's plural folds (migration 0005), which may change a word's third letter ("pães" → "pao"). */
function foldPortuguese(folded: string): string {
  const end = '(?![a-z])';
  return folded
    .replace(new RegExp(`([a-z]{2,})ais${end}`, 'g'), '$1al')
    .replace(new RegExp(`([a-z]{2,})eis${end}`, 'g'), '$1el')
    .replace(new RegExp(`([a-z]{2,})ois${end}`, 'g'), '$1ol')
    .replace(new RegExp(`([a-z])[oa]es${end}`, 'g'), '$1ao')
    .replace(new RegExp(`([a-z]{3,})ns${end}`, 'g'), '$1m');
}

interface Word {
  start: number;
  end: number;
  text: string;
  /** The pieces of a compound ("nota-fiscal" → nota, fiscal); empty for a plain word. */
  parts: Array<{ start: number; end: number; text: string }>;
}

function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  for (const m of text.matchAll(COMPOUND)) {
    const start = m.index;
    const parts = /[.@_+\-/]/.test(m[0]) ? [...m[0].matchAll(PART)].map((p) => ({ start: start + p.index, end: start + p.index + p[0].length, text: p[0] })) : [];
    words.push({ start, end: start + m[0].length, text: m[0], parts });
  }
  return words;
}

/**
 * Snowball stems are the word with its ending taken off, so a word can only stem to a lexeme it
 * begins like: its first three letters (folded, plurals folded) are the lexeme's. The exceptions
 * (English "dying" → "die") go unhighlighted; they are never wrongly highlighted, PostgreSQL
 * has the last word on each candidate.
 */
function lexemePrefixes(lexemes: string[]): Set<string> {
  return new Set(lexemes.map((l) => fold(l).slice(0, 3)).filter(Boolean));
}

function couldMatch(word: string, prefixes: Set<string>): boolean {
  const folded = fold(word);
  const plural = foldPortuguese(folded);
  for (let n = 1; n <= 3; n++) if (prefixes.has(folded.slice(0, n)) || prefixes.has(plural.slice(0, n))) return true;
  return false;
}

/** The distinct words (and compound pieces) of these texts that PostgreSQL should check against the query. */
export function snippetCandidates(texts: string[], lexemes: string[]): string[] {
  const prefixes = lexemePrefixes(lexemes);
  const found = new Set<string>();
  if (!prefixes.size) return [];
  for (const text of texts) {
    for (const word of wordsOf(text)) {
      for (const piece of [word, ...word.parts]) {
        if (found.has(piece.text) || !couldMatch(piece.text, prefixes)) continue;
        found.add(piece.text);
        if (found.size >= MAX_CANDIDATES) return [...found];
      }
    }
  }
  return [...found];
}

/**
 * The snippet of a text, given the words of it that matched the query: the stretch of at most
 * MAX_WORDS words with the most different matched words, and, if a matched word is only further
 * on, a short second fragment around it (as ts_headline's MaxFragments=2). Null when no word of
 * the text matched: the caller asks PostgreSQL instead.
 */
export function snippetOf(text: string, matched: ReadonlySet<string>): SnippetPart[] | null {
  const words = wordsOf(text);
  // Each word's highlighted ranges, and a key saying which matched word it is.
  const marks = words.map((w) => {
    if (matched.has(w.text)) return { ranges: [[w.start, w.end]] as Array<[number, number]>, key: fold(w.text) };
    const hits = w.parts.filter((p) => matched.has(p.text));
    return hits.length ? { ranges: hits.map((p) => [p.start, p.end] as [number, number]), key: hits.map((p) => fold(p.text)).join(' ') } : null;
  });
  const at = marks.flatMap((m, i) => (m ? [i] : []));
  if (!at.length) return null;

  let fragments: Array<[number, number]>;
  if (words.length <= MAX_WORDS) fragments = [[0, words.length]];
  else {
    const window = (from: number, length: number): [number, number] => {
      const start = Math.max(0, Math.min(from, words.length - length));
      return [start, Math.min(words.length, start + length)];
    };
    const keysIn = ([a, b]: [number, number]) => new Set(at.filter((i) => i >= a && i < b).map((i) => marks[i]!.key));
    // Each match starts a candidate window; both ends only move forward, so the matches inside
    // are counted by sliding, not recounted (a long text may hold thousands of matches).
    const firstLength = MAX_WORDS - SECOND_WORDS;
    const inside = new Map<string, number>();
    let [lo, hi] = [0, 0];
    let best = window(at[0]! - LEAD_WORDS, firstLength);
    let bestScore = -1;
    for (const i of at) {
      const candidate = window(i - LEAD_WORDS, firstLength);
      for (; hi < at.length && at[hi]! < candidate[1]; hi++) {
        const key = marks[at[hi]!]!.key;
        inside.set(key, (inside.get(key) ?? 0) + 1);
      }
      for (; lo < hi && at[lo]! < candidate[0]; lo++) {
        const key = marks[at[lo]!]!.key;
        const left = inside.get(key)! - 1;
        if (left) inside.set(key, left);
        else inside.delete(key);
      }
      const score = inside.size * 100_000 + (hi - lo);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    const shown = keysIn(best);
    const missing = at.find((i) => (i < best[0] || i >= best[1]) && !shown.has(marks[i]!.key));
    if (missing === undefined) fragments = [window(best[0], MAX_WORDS)];
    else {
      const second = window(missing - LEAD_WORDS, SECOND_WORDS);
      // Two fragments never overlap: the second is only for a word the first does not show.
      fragments = [best, second].sort((x, y) => x[0] - y[0]);
      if (fragments[0]![1] > fragments[1]![0]) fragments = [[fragments[0]![0], Math.max(fragments[0]![1], fragments[1]![1])]];
    }
  }

  const parts: SnippetPart[] = [];
  const push = (piece: string, highlighted: boolean) => pushPart(parts, piece, highlighted);
  fragments.forEach(([a, b], n) => {
    if (n > 0) push(' … ', false);
    let cursor = words[a]!.start;
    for (let i = a; i < b; i++) {
      for (const [start, end] of marks[i]?.ranges ?? []) {
        push(text.slice(cursor, start), false);
        push(text.slice(start, end), true);
        cursor = end;
      }
    }
    push(text.slice(cursor, words[b - 1]!.end), false);
  });
  return parts;
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
