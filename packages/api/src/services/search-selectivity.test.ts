import { describe, expect, it } from 'vitest';
import { isRareQuery, type LexemeStats } from './search-selectivity.ts';

// A million actions whose everyday words all fit in the statistics: the rarest kept is in 1.2 %.
const stats: LexemeStats = {
  rows: 1_000_000,
  frequencies: new Map([
    ['not', 0.55],
    ['nota', 0.5],
    ['fiscal', 0.48],
    ['boleto', 0.3],
    ['sku7919', 0.012],
  ]),
};
const rare = (tsquery: string, s = stats) => isRareQuery(tsquery, s, 300);

describe('isRareQuery', () => {
  it('calls a word the statistics do not hold rare, alone or in either language', () => {
    expect(rare(`'zirconit' | 'zirconita'`)).toBe(true);
    expect(rare(`'pedido4521'`)).toBe(true);
  });

  it('calls common words common, and a common word AND a rare one rare', () => {
    expect(rare(`'not' & 'fiscal' | 'nota' & 'fiscal'`)).toBe(false);
    expect(rare(`'boleto' & 'zirconita'`)).toBe(true);
    expect(rare(`'boleto' <-> 'zirconita'`)).toBe(true);
    expect(rare(`'boleto' | 'zirconita'`)).toBe(false);
  });

  it('weighs a kept but uncommon word by where walking and the index cost the same', () => {
    // 12,000 matches against sqrt(300 × 1,000,000) ≈ 17,300: the index reads fewer rows.
    expect(rare(`'sku7919'`)).toBe(true);
    expect(rare(`'sku7919'`, { ...stats, rows: 100_000 })).toBe(true);
    expect(rare(`'boleto'`, { ...stats, rows: 100_000 })).toBe(false);
  });

  it('counts on neither a negation nor a prefix, and reads quoted quotes and weights', () => {
    expect(rare(`'zirconita' & !'boleto'`)).toBe(true);
    expect(rare(`!'zirconita'`)).toBe(false);
    expect(rare(`'zirc':*`)).toBe(false);
    expect(rare(`'d''avila':AB & ( 'boleto' | 'fiscal' )`)).toBe(true);
  });

  it('takes every query as rare before the first ANALYZE, and leaves what it cannot read to the planner', () => {
    expect(rare(`'nota'`, { rows: 0, frequencies: new Map() })).toBe(true);
    expect(rare(`'nota' &`)).toBe(false);
    expect(rare(`'unterminated`)).toBe(false);
  });
});
