import { describe, expect, it } from 'vitest';
import { MAX_CANDIDATES, candidateFinder, occurrencesOf, snippetCandidates as candidatesOf, snippetOf as cut } from './search-snippet.ts';

const snippetCandidates = (texts: string[], lexemes: string[]) => {
  const finder = candidateFinder(lexemes);
  return finder ? candidatesOf(texts.map((t) => occurrencesOf(t, finder))) : [];
};
/** The snippet when PostgreSQL said these words matched (the words themselves stand for the lexemes they begin like). */
const snippetOf = (text: string, matched: Set<string>) => cut(text, occurrencesOf(text, candidateFinder([...matched])!), new Map([...matched].map((w) => [w, w.replace(/s$/, '')])));
import { queryLexemes } from './tsquery.ts';

const highlighted = (parts: ReturnType<typeof snippetOf>) => (parts ?? []).filter((p) => p.highlighted).map((p) => p.text);
const plain = (parts: ReturnType<typeof snippetOf>) => (parts ?? []).map((p) => p.text).join('');

describe('query lexemes', () => {
  it('reads the lexemes a query looks for, not the ones it excludes', () => {
    expect(queryLexemes(`'not' & 'fiscal' | 'nota' & 'fiscal'`)).toEqual(['not', 'fiscal', 'nota']);
    expect(queryLexemes(`'bolet' <-> 'venc' & !'pix'`)).toEqual(['bolet', 'venc']);
    expect(queryLexemes(`'a' & !( 'b' | 'c' ) & 'd'`)).toEqual(['a', 'd']);
    expect(queryLexemes(`'d''agua':*`)).toEqual([`d'agua`]);
    expect(queryLexemes(`'unterminated`)).toEqual([]);
  });
});

describe('snippet candidates', () => {
  it('picks the words that begin like a lexeme, accents and Portuguese plurals folded', () => {
    const text = 'A nota fiscal e as notícias; notas fiscais, ações e Ação, pães. Nada mais.';
    expect(snippetCandidates([text], ['not', 'fiscal']).sort()).toEqual(['fiscais', 'fiscal', 'nota', 'notas', 'notícias'].sort());
    // "ações" folds to "acao" before stemming: its third letter changes, and it is still a candidate.
    expect(snippetCandidates([text], ['aca'])).toEqual(['ações', 'Ação']);
    expect(snippetCandidates([text], ['pao'])).toEqual(['pães']);
  });

  it('offers an address or a file name whole and in pieces', () => {
    expect(snippetCandidates(['escreva para financeiro@loja.example hoje'], ['financeiro@loja.example', 'loj']).sort()).toEqual(['financeiro', 'financeiro@loja.example', 'loja', 'loja.example']);
  });

  it('takes any lexeme PostgreSQL returns: hyphenated words, host names, paths, other scripts', () => {
    // "e-mail" is one lexeme of websearch_to_tsquery('e-mail'); "\\-" is an invalid escape under the u flag.
    expect(snippetCandidates(['o e-mail e o pós-venda'], ['e-mail', 'pós-venda']).sort()).toEqual(['e-mail', 'pós', 'pós-venda']);
    for (const lexeme of ['-', 'a.b', 'x\\y', '(', '[', 'a]b', '$1', '/x', 'привет', '*']) expect(() => snippetCandidates([`teste ${lexeme} fim`], [lexeme])).not.toThrow();
    expect(snippetCandidates(['escreveu привет и пока'], ['привет'])).toEqual(['привет']);
  });

  it('sends a bounded number of words, however short the lexeme', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `a${i}`).join(' ');
    expect(snippetCandidates([text], ['a'])).toHaveLength(MAX_CANDIDATES);
    expect(snippetCandidates([text], [])).toEqual([]);
  });
});

describe('snippet of a text', () => {
  it('shows a short text whole, with the matched words highlighted', () => {
    const parts = snippetOf('Bom dia, a nota fiscal 4521 veio com o valor errado.\nPodem corrigir?', new Set(['nota', 'fiscal']));
    expect(parts).toEqual([
      { text: 'Bom dia, a ', highlighted: false },
      { text: 'nota', highlighted: true },
      { text: ' ', highlighted: false },
      { text: 'fiscal', highlighted: true },
      { text: ' 4521 veio com o valor errado. Podem corrigir?', highlighted: false },
    ]);
  });

  it('cuts a long text around the stretch with the most different matched words', () => {
    const filler = (n: number, word: string) => Array.from({ length: n }, () => word).join(' ');
    const text = `${filler(100, 'antes')} nota ${filler(50, 'meio')} a nota fiscal chegou ${filler(100, 'depois')}`;
    const parts = snippetOf(text, new Set(['nota', 'fiscal']));
    expect(highlighted(parts)).toEqual(['nota', 'fiscal']);
    expect(plain(parts)).toContain('meio a nota fiscal chegou depois');
    expect(plain(parts).length).toBeLessThanOrEqual(200);
    expect(plain(parts)).toMatch(/^meio /);
  });

  it('counts a word and its plural as one match when choosing the stretch', () => {
    const filler = (n: number, word: string) => Array.from({ length: n }, () => word).join(' ');
    const text = `${filler(60, 'x')} notas e mais uma nota ${filler(60, 'y')} a nota fiscal chegou ${filler(60, 'z')}`;
    const parts = snippetOf(text, new Set(['nota', 'notas', 'fiscal']));
    expect(plain(parts)).toContain('a nota fiscal chegou');
    expect(plain(parts)).not.toContain(' … ');
  });

  it('adds a second fragment for a matched word the first does not show', () => {
    const filler = (n: number, word: string) => Array.from({ length: n }, () => word).join(' ');
    const text = `${filler(10, 'x')} boleto vencido ontem ${filler(200, 'y')} pagar com pix ${filler(100, 'z')}`;
    const parts = snippetOf(text, new Set(['boleto', 'pix']));
    expect(highlighted(parts)).toEqual(['boleto', 'pix']);
    expect(plain(parts)).toMatch(/boleto vencido ontem.* … .*pagar com pix/);
  });

  it('highlights the matched piece of a hyphenated word, or an address whole', () => {
    expect(highlighted(snippetOf('o pós-venda respondeu', new Set(['venda'])))).toEqual(['venda']);
    expect(highlighted(snippetOf('copie financeiro@loja.example, por favor', new Set(['financeiro@loja.example'])))).toEqual(['financeiro@loja.example']);
  });

  it('says when nothing matched, so PostgreSQL is asked instead', () => {
    expect(snippetOf('nada aqui', new Set(['nota']))).toBeNull();
    expect(snippetOf('', new Set(['nota']))).toBeNull();
  });

  it('keeps a text full of matches to one short fragment', () => {
    const text = Array.from({ length: 8000 }, (_, i) => (i % 2 ? 'nota' : `w${i}`)).join(' ');
    const parts = snippetOf(text, new Set(['nota']));
    expect(highlighted(parts).length).toBeGreaterThan(5);
    expect(plain(parts).length).toBeLessThanOrEqual(200);
  });

  it('never cuts a word in two, nor shows a word inside an address twice', () => {
    const text = `${'palavralonga '.repeat(30)}escreva para financeiro@loja.example agora ${'outrapalavra '.repeat(30)}`;
    const parts = snippetOf(text, new Set(['financeiro@loja.example', 'loja']));
    expect(highlighted(parts)).toEqual(['financeiro@loja.example']);
    expect(plain(parts)).toMatch(/^(palavralonga )*escreva para financeiro@loja\.example agora( outrapalavra)+$/);
  });
});
