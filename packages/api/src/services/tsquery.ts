/**
 * PostgreSQL's tsquery text form, read back in JavaScript: the search decides its path from the
 * lexemes (search-selectivity.ts) and highlights them in snippets (search-snippet.ts).
 */

export type Token = { kind: 'lexeme'; text: string; prefix: boolean } | { kind: 'op'; text: '&' | '|' | '!' | '(' | ')' | '<->' };

/** tsquery's text form: 'lexeme' (quotes doubled inside), :* and weights after it, & | ! <-> <N> and parentheses. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ') i++;
    else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated lexeme');
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") {
          i++;
          break;
        } else value += text[i++];
      }
      const suffix = /^:[*A-D]+/.exec(text.slice(i))?.[0] ?? '';
      i += suffix.length;
      tokens.push({ kind: 'lexeme', text: value, prefix: suffix.includes('*') });
    } else if (c === '<') {
      const end = text.indexOf('>', i);
      if (end < 0) throw new Error('unterminated phrase operator');
      tokens.push({ kind: 'op', text: '<->' });
      i = end + 1;
    } else if ('&|!()'.includes(c)) {
      tokens.push({ kind: 'op', text: c as '&' | '|' | '!' | '(' | ')' });
      i++;
    } else throw new Error(`unexpected ${c}`);
  }
  return tokens;
}

/** The lexemes a query looks for: every one not under a `!` (those are what a hit must lack). */
export function queryLexemes(tsquery: string): string[] {
  let tokens: Token[];
  try {
    tokens = tokenize(tsquery);
  } catch {
    return [];
  }
  const found = new Set<string>();
  // Depths of the parentheses a `!` opened; a lexeme inside any of them is negated.
  const negatedAt: number[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'lexeme') {
      if (!negatedAt.length && tokens[i - 1]?.text !== '!') found.add(token.text);
    } else if (token.text === '(') {
      depth++;
      if (tokens[i - 1]?.text === '!') negatedAt.push(depth);
    } else if (token.text === ')') {
      if (negatedAt.at(-1) === depth) negatedAt.pop();
      depth--;
    }
  }
  return [...found];
}
