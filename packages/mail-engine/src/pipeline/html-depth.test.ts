import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './html-depth.ts';

describe('nestsDeeperThan', () => {
  it('counts elements opened inside one another, and what closes them', () => {
    expect(nestsDeeperThan('<div><div><div>x</div></div></div>', 2)).toBe(true);
    expect(nestsDeeperThan('<div><div><div>x</div></div></div>', 3)).toBe(false);
    expect(nestsDeeperThan('<div>a</div>'.repeat(5000), 2)).toBe(false);
  });

  it('does not take sloppy or empty elements for depth', () => {
    const sloppy = `<table>${'<tr><td>a<td>b'.repeat(3000)}</table><ul>${'<li>x'.repeat(3000)}</ul>${'<p>para'.repeat(3000)}${'<br><img src=x><hr/>'.repeat(3000)}<span/>`;
    expect(nestsDeeperThan(sloppy, 10)).toBe(false);
  });

  it('skips comments, scripts and styles whatever they hold', () => {
    expect(nestsDeeperThan(`<!-- ${'<div>'.repeat(50)} --><style>${'<b>'.repeat(50)}</style><SCRIPT>${'<i>'.repeat(50)}</script>ok`, 10)).toBe(false);
  });

  it('reads a hostile 5 MB body in one pass', () => {
    const bomb = '<b>'.repeat(1_700_000);
    const started = performance.now();
    expect(nestsDeeperThan(bomb, 1000)).toBe(true);
    expect(nestsDeeperThan(`${'<style>'.repeat(200_000)}`, 1000)).toBe(false);
    expect(nestsDeeperThan(`${'<!--'.repeat(200_000)}`, 1000)).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
