/**
 * Whether a search is rare enough to be found through the GIN index rather than by walking the
 * workspace's mail newest first (issue 15).
 *
 * PostgreSQL decides this from the search column's statistics, and estimates a word it has not
 * kept there at half the rarest word it kept. When a mailbox's everyday vocabulary fits in those
 * statistics, the rarest kept word is common (1.2 % of a million seeded actions), so an order
 * number nobody wrote twice is estimated at ~10,000 matches; the planner then walks a million
 * actions newest first expecting 300 matches soon, and finds three after 5–23 s. Here a word the
 * statistics do not hold counts as rare, which is what it is.
 */

import { tokenize, type Token } from './tsquery.ts';

/** What the search column's statistics say (pg_stats.most_common_elems and their frequencies). */
export interface LexemeStats {
  /** Fraction of rows holding each of the most common lexemes. */
  frequencies: Map<string, number>;
  /** Rows in the table (pg_class.reltuples; 0 or less before the first ANALYZE). */
  rows: number;
}

/** Matches each source ranks (search-service.ts): the walk reads about CANDIDATES / frequency rows. */
export function isRareQuery(tsquery: string, stats: LexemeStats, candidates: number): boolean {
  if (stats.rows <= 0) return true;
  let estimate: number;
  try {
    estimate = selectivity(tokenize(tsquery), stats.frequencies) * stats.rows;
  } catch {
    return false;
  }
  // Walking finds `candidates` matches after candidates / f rows; the index path reads every
  // match (f × rows). They cost the same at f × rows = sqrt(candidates × rows).
  return estimate < Math.sqrt(candidates * stats.rows);
}

/** The fraction of rows matching, as PostgreSQL combines it (AND: the rarer side; OR: the sum), unknown lexemes rare. */
function selectivity(tokens: Token[], frequencies: Map<string, number>): number {
  let at = 0;
  const peek = () => tokens[at];
  const or = (): number => {
    let value = and();
    while (peek()?.text === '|') {
      at++;
      value = Math.min(1, value + and());
    }
    return value;
  };
  const and = (): number => {
    let value = unary();
    while (peek()?.text === '&' || peek()?.text === '<->') {
      at++;
      value = Math.min(value, unary());
    }
    return value;
  };
  const unary = (): number => {
    const token = tokens[at++];
    if (!token) throw new Error('unexpected end');
    if (token.kind === 'lexeme') return token.prefix ? 1 : (frequencies.get(token.text) ?? 0);
    if (token.text === '!') {
      unary();
      return 1; // "not x" narrows nothing worth counting on
    }
    if (token.text === '(') {
      const value = or();
      if (tokens[at++]?.text !== ')') throw new Error('unbalanced parentheses');
      return value;
    }
    throw new Error(`unexpected ${token.text}`);
  };
  const value = or();
  if (at !== tokens.length) throw new Error('trailing tokens');
  return value;
}
