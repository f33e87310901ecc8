import { describe, expect, it } from 'vitest';
import { splitExclusions } from './search-service.ts';
import { snippetParts } from './search-snippet.ts';

describe('search query and snippet handling', () => {
  it('takes -word and -"a phrase" out of what is wanted, leaving hyphenated words alone', () => {
    expect(splitExclusions('boleto -aplicativo')).toEqual({ wanted: 'boleto', excluded: 'aplicativo' });
    expect(splitExclusions('-"segunda via" nota fiscal -pix')).toEqual({ wanted: 'nota fiscal', excluded: '"segunda via" or pix' });
    expect(splitExclusions('e-mail pós-venda')).toEqual({ wanted: 'e-mail pós-venda', excluded: '' });
    expect(splitExclusions('-boleto')).toEqual({ wanted: '', excluded: 'boleto' });
    expect(splitExclusions('nota - fiscal')).toEqual({ wanted: 'nota - fiscal', excluded: '' });
  });

  it('cuts a marked headline into plain parts, one space for any run of whitespace', () => {
    expect(snippetParts('a \uE000nota\uE001 \uE000fiscal\uE001\n\n4521 veio')).toEqual([
      { text: 'a ', highlighted: false },
      { text: 'nota', highlighted: true },
      { text: ' ', highlighted: false },
      { text: 'fiscal', highlighted: true },
      { text: ' 4521 veio', highlighted: false },
    ]);
    expect(snippetParts('  no match here  ')).toEqual([{ text: 'no match here', highlighted: false }]);
  });
});
